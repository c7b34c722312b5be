"""The Telegram adapter: updates -> inbox (intake.py, webhook.py) -> one chat at a time
(worker.py, flood.py) -> an Update parsed into dialogue's inputs (handler.py); outbox ->
Bot API (sender.py, paced by ratelimit.py), answers to presses (press_answers.py), the
scheduler's ticks, and the staff group (staff.py, chat_members.py, flow_upload.py).

May import: dialogue and everything below it (forwarding, engine, privacy,
safeguarding, i18n, storage, base), python-telegram-bot. Never web, app or cli: what the
process holds comes as `bot.dialogue.services.Services`.
"""
