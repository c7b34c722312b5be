"""Sammanbot: a Telegram bot that collects the ideas and needs of newly arrived youth."""
