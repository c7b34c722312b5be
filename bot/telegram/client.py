"""The python-telegram-bot `Bot` we talk through, and what its errors mean for us.

`TELEGRAM_API_URL` points the bot at any Bot API server: every call goes to
`{TELEGRAM_API_URL}/bot{token}/{method}`.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.base.settings import Settings


def configure_ptb() -> None:
    """Process-wide python-telegram-bot options, set at start-up (never on import)."""
    # PTB's documented opt-in: RetryAfter.retry_after as a timedelta (the future default).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # Outbox rows are generic (method + JSON payload) and the poller asks for raw updates,
    # so both go through do_api_request, which warns that typed methods exist; deliberate.
    warnings.filterwarnings("ignore", message="Please use 'Bot", category=PTBUserWarning)


# Calls in flight at once. At Telegram's ~30 messages/s and a round trip of ~0.1 s a
# handful suffices; a bigger pool costs CPU on every call, since httpcore scans all
# of its connections (with a syscall each) whenever it hands one out.
SEND_CONCURRENCY = 16


def make_bot(settings: Settings) -> Bot:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram_api_url.rstrip("/")
    return Bot(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=SEND_CONCURRENCY, read_timeout=10, pool_timeout=10),
        get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=settings.poll_timeout + 10),
    )


@dataclass(frozen=True)
class Outcome:
    """How to treat a failed call: retry later (after `delay` s), or give up on it."""

    kind: str  # "retry_after" | "blocked" | "permanent" | "transient" | "fatal"
    delay: float = 0.0
    reason: str = ""


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: BaseException) -> Outcome:
    """Map a Bot API error to what the sender should do. Reasons never hold content."""
    if isinstance(exc, RetryAfter):
        return Outcome("retry_after", _seconds(exc.retry_after), "429")
    if isinstance(exc, Forbidden):
        return Outcome("blocked", reason="403")
    if isinstance(exc, InvalidToken):
        return Outcome("fatal", reason="invalid token")
    if isinstance(exc, ChatMigrated):
        return Outcome("permanent", reason="chat migrated")
    if isinstance(exc, BadRequest):
        message = str(exc).lower()
        if "message is not modified" in message:
            return Outcome("done", reason="not modified")
        return Outcome("permanent", reason=f"400 {_short(message)}")
    if isinstance(exc, (NetworkError, TelegramError, OSError, TimeoutError)):
        return Outcome("transient", reason=type(exc).__name__)
    return Outcome("transient", reason=type(exc).__name__)


def _short(message: str) -> str:
    # Bot API error descriptions name the problem, not the content; keep them short anyway.
    return message[:120]
