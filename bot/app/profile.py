"""The bot's Telegram profile at start-up: setMyDescription and setMyShortDescription
in every language (and without a language, in the default one), through the outbox like
setMyCommands so a failed call is retried. Texts: bot.i18n.profile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.dialogue.services import Services
from bot.i18n import profile
from storage import outbox
from storage.outbox import Priority


def telegram_language(code: str) -> str:
    """Telegram's two-letter language code of one of ours (fa_AF -> fa)."""
    return code.split("_", 1)[0].lower()


async def publish_profile(services: Services) -> None:
    now = datetime.now(UTC)
    async with services.sessionmaker() as s, s.begin():
        for lang in [None, *services.settings.languages]:
            tr = services.translator(lang)
            for field, msgid in profile.TEXTS.items():
                payload: dict[str, Any] = {field: tr.gettext(msgid)[: profile.LIMITS[field]]}
                if lang is not None:
                    payload["language_code"] = telegram_language(lang)
                await outbox.enqueue(
                    s, chat_id=None, method=profile.METHODS[field], payload=payload, priority=Priority.STAFF, now=now
                )
