"""Chats and what the bot sent to them: messages with their current text and
inline keyboard (edits applied in place), plus a queue of sends and edits that a
simulated user consumes with `wait_for_reply`."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class BotMessage:
    """A message the bot sent, as it currently stands (or a snapshot of one send/edit)."""

    chat_id: int
    message_id: int
    date: int
    kind: str = "text"  # "text", "document", or the method name for other sends
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None  # PhotoSize objects, as Telegram returns them
    reply_to_message_id: int | None = None
    edited: bool = False  # on snapshots from wait_for_reply: this event was an edit
    protected: bool = False  # sent with protect_content: cannot be forwarded or saved
    thread_id: int | None = None  # the forum topic it was sent to (message_thread_id)
    edit_count: int = 0
    deleted: bool = False

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of inline buttons (empty without an inline keyboard)."""
        return (self.reply_markup or {}).get("inline_keyboard", [])

    @property
    def buttons(self) -> list[list[str]]:
        return [[b["text"] for b in row] for row in self.keyboard]

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def button(self, label_or_index: str | int) -> dict[str, Any]:
        """A button by its flat index (row by row) or exact label (else a unique partial one)."""
        flat = [b for row in self.keyboard for b in row]
        if isinstance(label_or_index, int):
            if not 0 <= label_or_index < len(flat):
                raise LookupError(f"no button #{label_or_index} among {self.labels}")
            return flat[label_or_index]
        exact = [b for b in flat if b["text"] == label_or_index]
        partial = [b for b in flat if label_or_index.casefold() in b["text"].casefold()]
        found = exact or partial
        if len(found) != 1:
            raise LookupError(f"button {label_or_index!r} not found once among {self.labels}")
        return found[0]

    def to_api(self, bot_user: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        """The Bot API Message object for this message."""
        msg: dict[str, Any] = {"message_id": self.message_id, "from": bot_user, "chat": chat, "date": self.date}
        if self.edit_count:
            msg["edit_date"] = self.date
        if self.text is not None:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        if self.caption is not None:
            msg["caption"] = self.caption
        if self.document is not None:
            msg["document"] = self.document
        if self.photo is not None:
            msg["photo"] = self.photo
        if self.keyboard:
            msg["reply_markup"] = {"inline_keyboard": self.keyboard}
        if self.protected:
            msg["has_protected_content"] = True
        if self.thread_id is not None:
            msg |= {"message_thread_id": self.thread_id, "is_topic_message": True}
        return msg

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotMessage:
        return cls(**data)


class Chat:
    """A private chat (id == the user's id) or a group (negative id), with its transcript."""

    def __init__(self, api: dict[str, Any], *, bot_status: str = "member"):
        self.api = api
        self.id: int = api["id"]
        self.is_group = api["type"] != "private"
        self.bot_status = bot_status
        self.members: dict[int, str] = {}  # user id -> member / administrator / left
        self.messages: dict[int, dict[str, Any]] = {}  # the users' messages, as Bot API objects
        self.bot_messages: list[BotMessage] = []
        self.actions: list[str] = []  # sendChatAction actions, in order
        self.topics: dict[int, str] = {}  # a forum's topics: message_thread_id -> name
        self._next_message_id = 1
        self._events: list[BotMessage] = []
        self._consumed = 0
        self._changed = asyncio.Event()

    def new_message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id - 1

    def find_bot_message(self, message_id: int) -> BotMessage | None:
        return next((m for m in self.bot_messages if m.message_id == message_id), None)

    def last_with_keyboard(self) -> BotMessage | None:
        return next((m for m in reversed(self.bot_messages) if m.keyboard and not m.deleted), None)

    def add_bot_message(self, message: BotMessage) -> None:
        self.bot_messages.append(message)
        self._notify(copy.deepcopy(message))

    def note_edit(self, message: BotMessage) -> None:
        message.edit_count += 1
        snapshot = copy.deepcopy(message)
        snapshot.edited = True
        self._notify(snapshot)

    def _notify(self, snapshot: BotMessage) -> None:
        self._events.append(snapshot)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def take_reply(self, predicate: Callable[[BotMessage], bool] | None = None) -> BotMessage | None:
        """The next unconsumed send or edit (skipping, and consuming, those not matching)."""
        while self._consumed < len(self._events):
            event = self._events[self._consumed]
            self._consumed += 1
            if predicate is None or predicate(event):
                return event
        return None

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Callable[[BotMessage], bool] | None = None
    ) -> BotMessage:
        """Wait for the next message or edit the bot sends to this chat, not yet consumed."""
        try:
            async with asyncio.timeout(timeout):
                while (reply := self.take_reply(predicate)) is None:
                    await self._changed.wait()
        except TimeoutError:
            seen = [m.text or m.caption or m.kind for m in self.bot_messages[-3:]]
            raise TimeoutError(
                f"no (matching) reply to chat {self.id} within {timeout}s; last bot messages: {seen}"
            ) from None
        return reply
