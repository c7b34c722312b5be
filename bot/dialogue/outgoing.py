"""Bot API payloads for what we say: plain text (split at Telegram's limit), photos and
inline keyboards.

Messages are sent without parse_mode, so nothing a youth or an admin wrote can be
read as formatting: there is nothing to escape and nothing to inject.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_TEXT = 4096

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback_data)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into pieces of at most `limit` characters, at line or word breaks."""
    text = text.strip() or "…"
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return [p for p in pieces if p]


def keyboard(buttons: Buttons) -> dict[str, Any]:
    return {
        "inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row] for row in buttons if row]
    }


def send_message(chat_id: int, text: str, buttons: Buttons = (), *, protect: bool = False) -> list[dict[str, Any]]:
    """sendMessage payloads; a keyboard goes on the last piece of a long text. `protect`:
    Telegram's protect_content (staff cards, the team's words to a youth: not forwardable)."""
    pieces = split_text(text)
    payloads: list[dict[str, Any]] = [{"chat_id": chat_id, "text": p} for p in pieces]
    for payload in payloads if protect else ():
        payload["protect_content"] = True
    if any(buttons):
        payloads[-1]["reply_markup"] = keyboard(buttons)
    return payloads


def edit_text(chat_id: int, message_id: int, text: str, buttons: Buttons = ()) -> dict[str, Any]:
    payload: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": split_text(text)[0]}
    if any(buttons):
        payload["reply_markup"] = keyboard(buttons)
    return payload


def send_photo(chat_id: int, photo: dict[str, str]) -> dict[str, Any]:
    """A sendPhoto payload; `photo` is a file carried in the payload (storage.outbox.upload)."""
    return {"chat_id": chat_id, "photo": photo}
