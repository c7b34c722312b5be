"""A simulated youth for end-to-end tests: acts through the fake Bot API server and
waits until the bot has handled everything and sent every reply before reading.

"Settled" is read from the bot's own database: no pending inbox rows, no pending
outbox rows. That is exact, so tests need no sleeps or timing guesses.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy import func, select

from storage.models import Inbox, Outbox

# per services.runtime: the fake Bot API's count of updates not yet fetched by the bot
_FAKE_PENDING: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


async def settle(services: Any, timeout: float = 30.0) -> None:
    """Wait until every update is handled and every reply is sent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    quiet = 0
    while True:
        async with services.sessionmaker() as s:
            inbox = await s.scalar(select(func.count()).select_from(Inbox).where(Inbox.status == "pending"))
            outbox = await s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending"))
        fake_queue = _FAKE_PENDING.get(services.runtime, lambda: 0)()
        # press answers and other calls the bot makes once an update has committed
        fake_queue += getattr(getattr(services.runtime.worker, "answers", None), "in_flight", 0)
        fake_queue += len(services.runtime.background)  # work still to write after a commit
        quiet = quiet + 1 if inbox == 0 and outbox == 0 and fake_queue == 0 else 0
        if quiet >= 3:  # three quiet looks in a row: nothing still travelling between them
            return
        if loop.time() > deadline:
            async with services.sessionmaker() as s:
                stuck = (
                    await s.execute(
                        select(Outbox.method, Outbox.attempts, Outbox.last_error, Outbox.next_attempt_at).where(
                            Outbox.status == "pending"
                        )
                    )
                ).all()
            raise TimeoutError(f"not settled: {inbox} updates and {outbox} replies pending: {stuck[:5]}")
        await asyncio.sleep(0.05)


class _BusyChats:
    """The chats with pending inbox or outbox rows, read once for every youth waiting.

    Hundreds of youth each asking the database twenty times a second starved the test's
    own connection pool on a loaded machine. One reader, one reading at a time: it answers
    all who asked before it began, so each still gets a reading taken after it asked."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.next: asyncio.Future[set[int]] | None = None  # for those who asked since the last began
        self.reader: asyncio.Task[None] | None = None

    async def get(self, sessionmaker: Any) -> set[int]:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a new test's loop: nothing of the old one carries over
            self.loop, self.next, self.reader = loop, None, None
        if self.next is None:
            self.next = loop.create_future()
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read(sessionmaker))
        return await asyncio.shield(self.next)

    async def _read(self, sessionmaker: Any) -> None:
        while self.next is not None:
            answer, self.next = self.next, None  # who asks from now on waits for the next reading
            try:
                async with sessionmaker() as s:
                    inbox = await s.scalars(select(Inbox.chat_key).where(Inbox.status == "pending").distinct())
                    outbox = await s.scalars(select(Outbox.chat_id).where(Outbox.status == "pending").distinct())
                    busy = {*inbox, *outbox}
            except asyncio.CancelledError:
                answer.cancel()
                raise
            except Exception as exc:  # every waiter sees the failure, as a query of its own would
                answer.set_exception(exc)
            else:
                answer.set_result(busy)


_BUSY: weakref.WeakKeyDictionary[Any, _BusyChats] = weakref.WeakKeyDictionary()


async def _busy_chats(sessionmaker: Any) -> set[int]:
    return await _BUSY.setdefault(sessionmaker, _BusyChats()).get(sessionmaker)


class Youth:
    def __init__(self, fake: Any, services: Any, user: Any) -> None:  # services: .sessionmaker, .runtime
        self.fake = fake
        self.services = services
        self.user = user
        _FAKE_PENDING[services.runtime] = lambda: fake.updates.pending_count

    @classmethod
    def new(cls, fake: Any, services: Any, **person: Any) -> Youth:
        return cls(fake, services, fake.new_user(**person))

    async def _after(self, action: Any) -> list[Any]:
        before = len(self.user.messages)
        await action
        await settle(self.services)
        return self.user.messages[before:]

    async def start(self, payload: str | None = None) -> list[Any]:
        return await self._after(self.user.send_command("/start", payload))

    async def command(self, name: str) -> list[Any]:
        return await self._after(self.user.send_command(name))

    async def write(self, text: str) -> list[Any]:
        return await self._after(self.user.send_text(text))

    async def press(self, label: str | int) -> list[Any]:
        return await self._after(self.user.press(label))

    async def send(self, kind: str) -> list[Any]:
        return await self._after(getattr(self.user, f"send_{kind}")())

    async def step(self, action: Any, timeout: float = 60.0) -> None:
        """Act, then wait for this youth's next question only (no global settle): a new
        message, or the open question's buttons redrawn in place."""
        before = self.question
        before_edits = before.edit_count if before else 0  # the object is updated in place
        count = len(self.user.messages)
        await action
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = self.question
            moved = len(self.user.messages) > count or (
                now is not None
                and before is not None
                and now.message_id == before.message_id
                and now.edit_count != before_edits
            )  # a multiple-choice toggle redrawn
            if moved and await self._chat_settled():
                return
            if loop.time() > deadline:
                raise TimeoutError(f"no next question after {self.texts()[-3:]}")
            await asyncio.sleep(0.05)

    async def _chat_settled(self) -> bool:
        """Nothing of this chat is waiting in the bot's inbox or outbox."""
        return self.user.id not in await _busy_chats(self.services.sessionmaker)

    @property
    def last(self) -> Any:
        return self.user.messages[-1]

    @property
    def question(self) -> Any:
        """The newest message that still has buttons."""
        for message in reversed(self.user.messages):
            if message.keyboard:
                return message
        return None

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.user.messages]


def staff_group(fake):
    lead = fake.new_user(first_name="Stina", last_name="Teamlead")
    return fake.new_group("Sammanhacket team", members=[lead]), lead


async def onboard(y: Youth, language: str = "English", age: str = "16–17", *, contact: bool = False) -> None:
    await y.start()
    await y.press(language)
    await y.press(age)
    await y.press(0)  # "Yes": agree
    await y.press(0 if contact else 1)  # may the team write first? (the contact opt-in)


async def share_idea(y: Youth, idea: str) -> None:
    """Onboarded, up to the idea flow's last question, `idea` written on the way."""
    await onboard(y)
    await y.press("Share an idea")
    await y.press("School")
    await y.write(idea)
    await y.press("My friends")
    await y.press("Done")


async def count(services, model, *where) -> int:
    """Rows of `model` in the bot's database that match `where`."""
    async with services.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def opted_in(fake, services, *people: tuple[str, str, str], contact: bool = True) -> list[Youth]:
    """Youth onboarded in their language who said yes (or no) to being contacted:
    (first name, Telegram language code, the language button's label) each."""
    out = []
    for name, code, label in people:
        y = Youth.new(fake, services, first_name=name, language_code=code)
        await onboard(y, label, contact=contact)
        out.append(y)
    return out
