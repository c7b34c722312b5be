"""Forum topics of the team's group: when the group is a forum (getChat's is_forum), a
staff message marked with a topic kind (bot.forwarding.topics) goes to that kind's topic,
created with createForumTopic on first use and remembered in the database
(storage.forum_topics); a plain group gets the message as before. A topic deleted in
Telegram is forgotten and made again once, so a card is never lost to it."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from bot.forwarding.topics import NAMES
from storage import forum_topics

log = logging.getLogger(__name__)


def thread_gone(exc: Exception) -> bool:
    """Telegram's answer to a message sent to a topic that no longer exists."""
    return "thread not found" in str(exc).lower()


class ForumTopics:
    def __init__(self, bot: Any, sessionmaker: Any) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self._forum: dict[int, bool] = {}
        self._locks: defaultdict[tuple[int, str], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _is_forum(self, chat_id: int) -> bool:
        if chat_id not in self._forum:
            if chat_id > 0:
                return False  # a private chat (an escalation contact's) has no topics
            try:
                chat = await self.bot.do_api_request("getChat", api_kwargs={"chat_id": chat_id})
            except Exception:  # the send itself will say what is wrong with the chat; ask again later
                return False
            self._forum[chat_id] = bool(isinstance(chat, dict) and chat.get("is_forum"))
        return self._forum[chat_id]

    async def thread(self, chat_id: int, kind: str) -> int | None:
        """The thread id of `kind`'s topic in this chat; None for a plain group."""
        if kind not in NAMES or not await self._is_forum(chat_id):
            return None
        async with self._locks[(chat_id, kind)]:
            async with self.sessionmaker() as s:
                known = await forum_topics.thread_of(s, chat_id, kind)
            if known is not None:
                return known
            try:
                made = await self.bot.do_api_request(
                    "createForumTopic", api_kwargs={"chat_id": chat_id, "name": NAMES[kind]}
                )
            except Exception as exc:  # e.g. the bot may not manage topics: the group's General topic
                log.warning("could not create a forum topic (%s); staff messages go to General", type(exc).__name__)
                self._forum[chat_id] = False
                return None
            async with self.sessionmaker.begin() as s:
                return await forum_topics.keep(s, chat_id, kind, int(made["message_thread_id"]), datetime.now(UTC))

    async def gone(self, chat_id: int, kind: str, thread_id: int) -> None:
        async with self.sessionmaker.begin() as s:
            await forum_topics.forget(s, chat_id, kind, thread_id)
