"""The bot's Telegram profile at start-up: setMyDescription and setMyShortDescription
in every language (and without a language, in the default one), setMyName where a
language's name differs from the default one's, and the menu button (the command list),
and setMyCommands in every language, through the outbox so a failed call is retried.
A call already sent with the same payload (an outbox row whose ref is the call's digest)
is not queued again: a restart costs Telegram nothing unless a text changed.
Texts: bot.i18n.profile and bot.i18n.texts.COMMANDS."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from bot.dialogue.services import Services
from bot.i18n import profile, texts
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


def command_calls(services: Services) -> list[tuple[str, dict[str, Any]]]:
    """setMyCommands in every language (and without a language, in the default one)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for lang in [None, *services.settings.languages]:
        tr = services.translator(lang)
        commands = [{"command": name, "description": tr.gettext(desc)[:256]} for name, desc in texts.COMMANDS.items()]
        payload: dict[str, Any] = {"commands": commands}
        if lang is not None:
            payload["language_code"] = telegram_language(lang)
        calls.append(("setMyCommands", payload))
    return calls


def call_ref(method: str, payload: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps([method, payload], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"profile:{digest[:40]}"


async def publish_profile(services: Services) -> int:
    """Queue the commands and profile calls not yet sent as they are now; how many."""
    now = datetime.now(UTC)
    queued = 0
    async with services.sessionmaker() as s, s.begin():
        for method, payload in [*command_calls(services), *profile_calls(services)]:
            ref = call_ref(method, payload)
            if await outbox.find_sent(s, ref) is None:
                await outbox.enqueue(
                    s, chat_id=None, method=method, payload=payload, priority=Priority.STAFF, ref=ref, now=now
                )
                queued += 1
    return queued
