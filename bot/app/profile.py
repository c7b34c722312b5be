"""The bot's Telegram profile at start-up: setMyDescription and setMyShortDescription
in every language (and without a language, in the default one), setMyName where a
language's name differs from the default one's, and the menu button (the command list),
through the outbox like setMyCommands so a failed call is retried. Texts: bot.i18n.profile."""

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


def profile_calls(services: Services) -> list[tuple[str, dict[str, Any]]]:
    """(method, payload) of every call that sets the profile."""
    calls: list[tuple[str, dict[str, Any]]] = []
    default_name = services.translator(None).gettext(profile.NAME)
    for lang in [None, *services.settings.languages]:
        tr = services.translator(lang)
        texts = dict(profile.TEXTS)
        if lang is None or tr.gettext(profile.NAME) != default_name:
            texts["name"] = profile.NAME
        for field, msgid in texts.items():
            payload: dict[str, Any] = {field: tr.gettext(msgid)[: profile.LIMITS[field]]}
            if lang is not None:
                payload["language_code"] = telegram_language(lang)
            calls.append((profile.METHODS[field], payload))
    calls.append(("setChatMenuButton", {"menu_button": dict(profile.MENU_BUTTON)}))
    return calls


async def publish_profile(services: Services) -> None:
    now = datetime.now(UTC)
    async with services.sessionmaker() as s, s.begin():
        for method, payload in profile_calls(services):
            await outbox.enqueue(s, chat_id=None, method=method, payload=payload, priority=Priority.STAFF, now=now)
