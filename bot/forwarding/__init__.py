"""Forwarding: what reaches the team of a finished flow, built from plain values and
returned: anonymised answers, the staff chat's card and its buttons, the signed
webhook's body and signature. Storing and queueing them is dialogue's; posting the
webhook is the process's (bot/app/webhook.py).

May import: safeguarding, privacy, engine, i18n, base. Never dialogue or an adapter,
and no storage: callers pass the submission in.
"""
