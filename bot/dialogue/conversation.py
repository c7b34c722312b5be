"""One youth's conversation during one update: participant, engine session, replies.

`Conversation.open()` finds or creates the participant of a private chat and loads
their engine session. Engine calls go through `run()`, which applies the events
(answers, profile, forwards) to the database and turns them into outbox rows in the
youth's language. `close()` saves the new state: the engine's session and the
dialogue's own (`front`), stored together (bot/dialogue/state.py). All of it happens
inside the transaction of the inbox row being handled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import engine
from bot.i18n import texts
from bot.engine import events as ev
from bot.dialogue.forward import submit
from bot.i18n.catalogs import Translator, negotiate
from bot.i18n.langdetect import detect_language
from bot.privacy.pseudonym import lookup_keys, new_identity
from bot.dialogue.render import render
from bot.dialogue.promise import with_promise
from bot.dialogue.services import Services
from bot.dialogue import outgoing
from bot.dialogue.state import Front, dump, load
from storage import answers, outbox, participants, sessions
from storage.outbox import Priority
from storage.models import Participant, Session

log = logging.getLogger(__name__)

LAST_SEEN_EVERY = timedelta(minutes=15)


@dataclass
class Sender:
    """Who wrote: only what is needed to answer and to anonymise their texts."""

    user_id: int
    chat_id: int
    language_code: str | None = None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """One Bot API call (or webhook post) the conversation makes."""

    method: str
    chat_id: int | None
    payload: dict[str, Any]
    target: str = "telegram"


@dataclass
class Conversation:
    services: Services
    s: AsyncSession
    sender: Sender
    now: datetime
    participant: Participant
    session: engine.Session | None
    priority: Priority = Priority.INTERACTIVE
    events: list[ev.Event] = field(default_factory=list)
    row: Session | None = None  # the active engine session's row, once loaded
    record: list[Call] | None = None  # the simulators: calls are kept here, not queued
    front: Front = field(default_factory=Front)  # the dialogue's own state, stored beside the session

    @classmethod
    def of_row(
        cls,
        services: Services,
        s: AsyncSession,
        sender: Sender,
        now: datetime,
        participant: Participant,
        row: Session | None,
        **kw: Any,
    ) -> Conversation:
        """The conversation resting on a stored session row (None: no session yet)."""
        session, front = load(row.state if row else None)
        return cls(services, s, sender, now, participant, session, row=row, front=front, **kw)

    @classmethod
    async def open(
        cls, services: Services, s: AsyncSession, sender: Sender, now: datetime, *, record: list[Call] | None = None
    ) -> Conversation:
        p, row = await participants.with_active_session(s, *lookup_keys(services.pseudonym_key, sender.user_id))
        if p is None:
            lang = negotiate(sender.language_code, services.settings) or services.settings.default_language
            p = await participants.create(
                s,
                **new_identity(services.pseudonym_key, sender.user_id),
                language=lang,
                source=None,
                now=now,
            )
            await participants.set_chat(s, p.id, sender.chat_id)
        if now - p.last_seen_at >= LAST_SEEN_EVERY:
            p.last_seen_at = now  # to the quarter-hour: one write less on most updates
        if p.stopped:
            p.stopped = False  # they wrote again: they are back
        await services.campaign_flows.know(s, [row.flow_id if row else None])
        return cls.of_row(services, s, sender, now, p, row, record=record)

    # -- language -----------------------------------------------------------------
    @property
    def lang(self) -> str:
        if self.session is not None and self.session.lang:
            return self.session.lang
        return self.participant.language or self.services.settings.default_language

    @property
    def tr(self) -> Translator:
        return self.services.translator(self.lang)

    # -- engine ---------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether there is an engine session to resume (mid-flow, at the menu, expired)."""
        return self.session is not None

    @property
    def mid_flow(self) -> bool:
        return self.session is not None and self.session.status == "active"

    async def start(self, flow_id: str, source: str | None = None) -> None:
        self.front = Front()  # a new start leaves nothing waiting
        await self.run(
            lambda fs: engine.start(fs, flow_id, now=self.now, lang=self.lang, source=source, session=self.session)
        )

    async def resume(self, inp: Any) -> None:
        """Give the engine one input; someone without a session starts from the beginning."""
        session = self.session
        if session is None:
            await self.start_default()
            return
        await self.run(lambda fs: engine.resume(fs, session, inp, now=self.now))

    async def resume_after_help(self, inp: Any) -> None:
        """After the helplines: the text still answers the open question if it can; if
        not, no "please choose one of the buttons": the question comes again, gently."""
        before = self.session
        if before is None:
            await self.start_default()
            return
        state, events = engine.resume(self.services.flowset, before, inp, now=self.now)
        if any(isinstance(e, ev.Reask) for e in events):
            state, events = engine.repeat(self.services.flowset, before, now=self.now)
            events = [ev.Say(texts.AFTER_HELP), *events]
        await self.run(lambda fs: (state, events))

    async def repeat(self) -> None:
        """Ask the open question (or show the menu) again: "continue where you left off"."""
        session = self.session or engine.Session()  # none: a fresh one
        await self.run(lambda fs: engine.repeat(fs, session, now=self.now))

    async def start_default(self, source: str | None = None) -> None:
        """Onboarding for someone new; the main menu for someone who has agreed."""
        fs = self.services.flowset
        if self.participant.consent:
            base = self.session or engine.Session(lang=self.lang, consent=True, source=source)
            await self.run(lambda f: engine.resume(f, base, engine.Command("menu"), now=self.now))
        else:
            await self.start(fs.onboarding_id or next(iter(fs.flows)), source)

    async def run(self, step: Callable[[Any], tuple[engine.Session, list[ev.Event]]]) -> None:
        if self.session is not None:  # a one-question campaign's flow, run in another process
            await self.services.campaign_flows.know(self.s, [self.session.flow, *(f.flow for f in self.session.stack)])
        session, events = step(self.services.flowset)
        self.session = session
        await self.apply(events)
        await self._start_waiting_flow()

    async def _start_waiting_flow(self) -> None:
        """A QR code's flow waits for onboarding (THEN): once it ends at the menu with
        consent, the flow starts; without consent it is dropped."""
        flow_id = self.front.then
        if self.session is None or self.session.status != "menu" or flow_id is None:
            return
        self.front.then = None
        if self.participant.consent and self.services.flowset.get(flow_id) is not None:
            await self.start(flow_id, self.participant.source)

    async def apply(self, events: Sequence[ev.Event]) -> None:
        self.events.extend(events)
        for event in events:
            if isinstance(event, ev.SaveAnswer):
                await self._save_answer(event)
            elif isinstance(event, ev.SetProfile):
                self._set_profile(event)
            elif isinstance(event, ev.Forward):
                await submit(self, event)
        await self.reply_events(events)

    async def _save_answer(self, e: ev.SaveAnswer) -> None:
        await store_answer(self.s, self.participant.id, self.row.id if self.row else None, e, self.now)

    def _set_profile(self, e: ev.SetProfile) -> None:
        set_profile(self.participant, e.field, e.value, self.now)

    # -- replies ----------------------------------------------------------------------
    async def reply_events(self, events: Sequence[ev.Event]) -> None:
        # A stale press is answered by the callback's notice, not by a new message.
        shown = with_promise(self.services.flowset, [e for e in events if not isinstance(e, ev.Stale)])
        for message in render(shown, self.tr, language_names=self.services.settings.language_names):
            if getattr(message, "edit_of", None):
                continue  # edits are made by the callback handler, which knows the message
            await self.send(message.text, message.buttons)

    async def say(self, msgid: str, buttons: outgoing.Buttons = (), **params: Any) -> None:
        await self.send(self.tr.format(msgid, **params), buttons)

    async def send(self, text: str, buttons: outgoing.Buttons = (), *, protect: bool = False) -> None:
        for payload in outgoing.send_message(self.sender.chat_id, text, buttons, protect=protect):
            await self.call("sendMessage", payload)

    async def call(
        self,
        method: str,
        payload: dict[str, Any],
        *,
        chat_id: int | None | str = "",
        priority: Priority | None = None,
        ref: str | None = None,
        target: str = "telegram",
    ) -> None:
        """Queue one Bot API call (or webhook post); to the youth's chat unless told."""
        to = self.sender.chat_id if isinstance(chat_id, str) else chat_id  # "": the youth's
        if self.record is not None:
            self.record.append(Call(method, to, payload, target))
            return
        await outbox.enqueue(
            self.s,
            chat_id=to,
            target=target,
            method=method,
            payload=payload,
            priority=self.priority if priority is None else priority,
            ref=ref,
            now=self.now,
        )

    # -- saving -----------------------------------------------------------------------
    async def close(self) -> None:
        """Save the engine session. The participant's row stays the live one whatever the
        engine's status (in a flow, at the menu, expired); the state says which."""
        session = self.session
        if session is None:
            return
        tick_at = engine.next_tick_at(self.services.flowset, session)
        self.row = await sessions.save(
            self.s,
            self.participant.id,
            state=dump(session, self.front),
            flow_id=session.flow or "",
            flow_version=session.version or "",
            status="active",
            expires_at=tick_at if session.status == "active" else None,
            tick_at=tick_at,
            now=self.now,
            row=self.row,
        )


def set_profile(p: Participant, name: str, value: Any, now: datetime) -> None:
    """An engine SetProfile on the participant (the conversation's and the demo loader's)."""
    if name == "language" and isinstance(value, str):
        p.language = value
    elif name == "age_band":
        p.age_band = str(value) if value is not None else None
    elif name == "consent":
        p.consent = bool(value)
        p.consent_at = now if p.consent else None
        if not p.consent:  # no consent, no contact: the one needs the other
            p.contact, p.contact_at = False, None
    elif name == "contact":
        p.contact = bool(value)
        p.contact_at = now if p.contact else None


async def store_answer(
    s: AsyncSession, participant_id: int, session_id: int | None, e: ev.SaveAnswer, now: datetime
) -> None:
    """An engine SaveAnswer as the answers row (a skipped one keeps no value; a text gets its language)."""
    detected = detect_language(e.value) if isinstance(e.value, str) and not e.skipped else None
    await answers.add(
        s,
        participant_id=participant_id,
        session_id=session_id,
        flow_id=e.flow,
        step_id=e.step,
        name=e.name,
        value=None if e.skipped else e.value,
        skipped=e.skipped,
        forward=e.forward,
        detected_language=detected,
        now=now,
    )
