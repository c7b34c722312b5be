"""Sammanbot: a Telegram bot that collects the ideas and needs of newly arrived youth.

The packages are layers (docs/ARCHITECTURE.md; `make lint` checks them), top to bottom:
cli > app > telegram | web > dialogue > forwarding > safeguarding | privacy > engine >
i18n | storage > base. A package imports only from the layers below its own.
"""
