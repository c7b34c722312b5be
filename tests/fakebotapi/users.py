"""Simulated Telegram users and groups: they produce updates and read what the bot sent.

All people here are invented. A user's private chat id equals the user id; groups
have negative ids. Every action returns what Telegram would put in the update
(the user's Message, or the callback query id).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .transcript import BotMessage, Chat

if TYPE_CHECKING:
    from .server import FakeBotApi

MessageRef = BotMessage | int  # a bot message, or its message_id

_callback_ids = itertools.count(1)


class _ChatView:
    """What the bot sent to one chat (a user's private chat or a group), as it stands now."""

    chat: Chat

    @property
    def messages(self) -> list[BotMessage]:
        return self.chat.bot_messages

    @property
    def last_message(self) -> BotMessage | None:
        return self.chat.bot_messages[-1] if self.chat.bot_messages else None

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Callable[[BotMessage], bool] | None = None
    ) -> BotMessage:
        return await self.chat.wait_for_reply(timeout, predicate)


class SimUser(_ChatView):
    def __init__(
        self,
        server: FakeBotApi,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ):
        self.server = server
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        chat.update({k: v for k, v in (("last_name", last_name), ("username", username)) if v})
        self.chat = Chat(chat)
        self.chat.members[user_id] = "member"

    @property
    def api(self) -> dict[str, Any]:
        """The Bot API User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    # -- messages ------------------------------------------------------------

    def _where(self, chat: SimGroup | Chat | None) -> Chat:
        return self.chat if chat is None else getattr(chat, "chat", chat)

    async def _send(
        self, content: dict[str, Any], chat: SimGroup | Chat | None = None, reply_to: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        where = self._where(chat)
        message = {
            "message_id": where.new_message_id(),
            "from": self.api,
            "chat": where.api,
            "date": self.server.now(),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        where.messages[message["message_id"]] = message
        self.server.push_update({"message": message})
        return message

    async def send_text(self, text: str, chat: SimGroup | None = None) -> dict[str, Any]:
        return await self._send({"text": text}, chat)

    async def send_command(self, command: str, args: str | None = None, chat: SimGroup | None = None) -> dict[str, Any]:
        command = command if command.startswith("/") else f"/{command}"
        text = f"{command} {args}" if args else command
        entity = {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
        return await self._send({"text": text, "entities": [entity]}, chat)

    async def reply_to(self, message: MessageRef, text: str, chat: SimGroup | None = None) -> dict[str, Any]:
        where = self._where(chat)
        original = self.server.bot_message(where, message)
        return await self._send({"text": text}, chat, reply_to=self.server.message_api(where, original))

    async def send_photo(self, caption: str | None = None, chat: SimGroup | None = None) -> dict[str, Any]:
        sizes = []
        for width, height in ((90, 67), (320, 240), (800, 600)):
            stored = self.server.files.add(b"\xff\xd8" + bytes(width // 10) + b"\xff\xd9", "photos", "p.jpg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(stored.data),
                }
            )
        return await self._send(_with_caption({"photo": sizes}, caption), chat)

    async def send_voice(self, duration: int = 3, chat: SimGroup | None = None) -> dict[str, Any]:
        stored = self.server.files.add(b"OggS" + bytes(64), "voice", "v.oga")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }
        return await self._send({"voice": voice}, chat)

    async def send_sticker(self, emoji: str = "👍", chat: SimGroup | None = None) -> dict[str, Any]:
        stored = self.server.files.add(b"RIFF" + bytes(32), "stickers", "s.webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._send({"sticker": sticker}, chat)

    async def send_location(
        self, latitude: float = 55.6050, longitude: float = 13.0038, chat: SimGroup | None = None
    ) -> dict[str, Any]:
        return await self._send({"location": {"latitude": latitude, "longitude": longitude}}, chat)

    async def send_contact(
        self, phone_number: str = "+46700000000", first_name: str | None = None, chat: SimGroup | None = None
    ) -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": first_name or self.first_name, "user_id": self.id}
        return await self._send({"contact": contact}, chat)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: SimGroup | None = None,
    ) -> dict[str, Any]:
        stored = self.server.files.add(data, "documents", filename)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        return await self._send(_with_caption({"document": document}, caption), chat)

    # -- buttons -------------------------------------------------------------

    async def press(self, label_or_index: str | int = 0, chat: SimGroup | None = None) -> str:
        """Press a button of the latest bot message with an inline keyboard."""
        where = self._where(chat)
        message = where.last_with_keyboard()
        if message is None:
            raise LookupError(f"no bot message with an inline keyboard in chat {where.id}")
        return await self.press_on(message, label_or_index, chat)

    async def press_on(self, message: MessageRef, label_or_index: str | int = 0, chat: SimGroup | None = None) -> str:
        """Press a button of a given (possibly old) bot message."""
        where = self._where(chat)
        original = self.server.bot_message(where, message)
        button = original.button(label_or_index)
        if "callback_data" not in button:
            raise LookupError(f"button {button['text']!r} has no callback_data")
        return self._callback(where, button["callback_data"], original)

    async def press_data(self, data: str, message: MessageRef | None = None, chat: SimGroup | None = None) -> str:
        """A callback query with arbitrary (possibly forged) data."""
        where = self._where(chat)
        original = (
            self.server.bot_message(where, message)
            if message is not None
            else (where.bot_messages[-1] if where.bot_messages else None)
        )
        return self._callback(where, data, original)

    def _callback(self, where: Chat, data: str, message: BotMessage | None) -> str:
        query_id = f"{self.id}{next(_callback_ids):08d}"
        query: dict[str, Any] = {"id": query_id, "from": self.api, "chat_instance": f"ci{where.id}", "data": data}
        if message is not None:
            query["message"] = self.server.message_api(where, message)
        self.server.pending_callbacks.add(query_id)
        self.server.push_update({"callback_query": query})
        return query_id

    # -- stopping the bot ----------------------------------------------------

    async def block_bot(self) -> None:
        """The user blocks the bot: a my_chat_member update, then sends answer 403."""
        self.server.faults.block_user(self)
        self.server.push_update(self.server.my_chat_member(self.chat, self, "member", "kicked"))

    async def unblock_bot(self) -> None:
        self.server.faults.unblock_user(self)
        self.server.push_update(self.server.my_chat_member(self.chat, self, "kicked", "member"))


class SimGroup(_ChatView):
    """A group chat with members; the bot is a member unless removed or it left."""

    def __init__(self, server: FakeBotApi, chat_id: int, title: str, kind: str = "group"):
        self.server = server
        self.id = chat_id
        self.title = title
        self.chat = Chat({"id": chat_id, "type": kind, "title": title})

    def add_member(self, user: SimUser, status: str = "member") -> None:
        self.chat.members[user.id] = status

    def remove_member(self, user: SimUser) -> None:
        self.chat.members[user.id] = "left"

    async def set_bot_status(self, status: str, by: SimUser) -> None:
        """Add, promote or remove the bot (member / administrator / left / kicked)."""
        old = self.chat.bot_status
        self.chat.bot_status = status
        self.server.push_update(self.server.my_chat_member(self.chat, by, old, status))


def _with_caption(content: dict[str, Any], caption: str | None) -> dict[str, Any]:
    return {**content, "caption": caption} if caption else content
