"""The framework floor: a bare python-telegram-bot echo bot (Application, polling).

Env: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL (the fake). Answers every message with its
text; updates are handled concurrently, as a real bot would configure it.
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text or "…")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    base = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(poll_interval=0.0, timeout=10, allowed_updates=["message"])


if __name__ == "__main__":
    main()
