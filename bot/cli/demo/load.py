"""Writing the demo youth into the database the way the bot writes real ones.

Each invented youth talks to the real engine on the live flows: their answers are
fed in as button presses and texts, and what the engine says to store is stored
through the storage repositories, in the order the bot does it (the session saved
after every input, answers only with consent, a submission when a flow is finished,
an urgent card when a text holds crisis words). So the database triggers keep the
rollups right, and the funnel counts the questions each youth really reached.

Nothing is sent: no chat ids are stored and no outbox rows are written. Demo rows
are marked: participants and submissions have keys starting with `demo-`, and the
source `demo`, so staff see where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import engine
from bot.cli.demo.youth import Review, Run, Youth
from bot.dialogue.conversation import set_profile, store_answer
from bot.engine import events as ev
from bot.engine import model as m
from bot.forwarding.submit import anonymize_answers
from bot.i18n.langdetect import detect_language
from bot.privacy.pseudonym import pseudonym
from storage import demo, participants, sessions, submissions
from storage.models import Participant, Session, Submission

PREFIX = "demo-"
SOURCE = "demo"
PSEUDONYM_KEY = b"sammanbot demo data, invented youth only"  # not the deployment's key
STEP = timedelta(seconds=40)  # between a youth's inputs


async def holds_real_data(s: AsyncSession) -> bool:
    """Whether any participant or submission is not a demo row."""
    return await demo.holds_other_than(s, PREFIX)


async def already_loaded(s: AsyncSession) -> bool:
    return await demo.holds_participants(s, PREFIX)


@dataclass
class Totals:
    youth: int = 0
    submissions: int = 0
    urgent: int = 0
    languages: set[str] = field(default_factory=set)


@dataclass
class Talk:
    """One demo youth's conversation: the engine state and where it is stored."""

    s: AsyncSession
    flowset: Any
    lexicon: Any
    number: int
    participant: Participant
    now: datetime
    until: datetime  # the real time: nothing happens after it
    totals: Totals
    state: engine.Session | None = None
    row: Session | None = None
    events: list[ev.Event] = field(default_factory=list)
    made: list[Submission] = field(default_factory=list)

    async def run(self, step: Any) -> None:
        self.state, self.events = step(self.flowset)
        for event in self.events:
            if isinstance(event, ev.SaveAnswer):
                await self._save_answer(event)
            elif isinstance(event, ev.SetProfile):
                self._profile(event.field, event.value)
            elif isinstance(event, ev.Forward):
                await self._submit(event.flow, event.answers, event.source)
        self.row = await sessions.save(
            self.s,
            self.participant.id,
            state=self.state.to_json(),
            status="active",
            flow_id=self.state.flow or "",
            flow_version=self.state.version or "",
            expires_at=None,
            tick_at=None,
            now=self.now,
            row=self.row,
        )
        await self.s.flush()  # one save per input, as the bot's one transaction per update
        self.now += STEP

    async def give(self, inp: Any) -> None:
        if isinstance(inp, engine.Text) and self.lexicon is not None:
            match = self.lexicon.match(inp.text)
            if match is not None:  # the bot answers with help and raises an urgent card first
                await self.urgent(match.category, "crisis words")
        session = self.state or engine.Session()  # none: a fresh one
        await self.run(lambda fs: engine.resume(fs, session, inp, now=self.now))

    def _profile(self, name: str, value: Any) -> None:
        set_profile(self.participant, name, value, self.now)

    async def _save_answer(self, e: ev.SaveAnswer) -> None:
        await store_answer(self.s, self.participant.id, self.row.id if self.row else None, e, self.now)

    async def _submit(
        self,
        flow_id: str,
        given: dict[str, Any],
        source: str | None,
        *,
        urgent: bool = False,
        category: str | None = None,
    ) -> None:
        flow = self.flowset.get(flow_id)
        names = {st.save for st in flow.steps.values() if getattr(st, "asks_name", False)} if flow else set()
        texts = " ".join(v for v in given.values() if isinstance(v, str))
        sub = await submissions.add(
            self.s,
            key=f"{PREFIX}{self.number}-{len(self.made) + 1}",
            participant_pseudonym=self.participant.pseudonym,
            flow_id=flow_id,
            language=self.lang,
            source=source or self.participant.source,
            answers=anonymize_answers(given, (), names),
            now=self.now,
            detected_language=detect_language(texts) if texts and not urgent else None,
            urgent=urgent,
            category=category,
        )
        if sub is not None:
            self.made.append(sub)
            self.totals.submissions += 1
            self.totals.urgent += int(urgent)

    async def urgent(self, category: str, reason: str) -> None:
        """The urgent card the bot raises (bot/dialogue/crisis.py): category, never the text."""
        await self._submit(
            (self.state.flow if self.state else None) or "safeguarding",
            {"alert": reason},
            None,
            urgent=True,
            category=category,
        )

    @property
    def lang(self) -> str:
        return (self.state.lang if self.state else None) or self.participant.language


def _last_ask(events: list[ev.Event]) -> ev.Ask | None:
    return next((e for e in reversed(events) if isinstance(e, ev.Ask)), None)


def _index(ask: ev.Ask, choice_id: str) -> int | None:
    ids = [c[0] for c in ask.choices]
    return ids.index(choice_id) if choice_id in ids else None


def inputs_for(ask: ev.Ask, value: Any) -> list[Any] | None:
    """The presses or text that give `value` to the question `ask`; None if it cannot."""
    n = len(ask.choices)
    if value is None:
        return [engine.Button(ask.ask, engine.skip_index(n))]
    if ask.kind == "multi":
        found = [_index(ask, v) for v in value]
        picks = [i for i in found if i is not None]
        if len(picks) < len(found):
            return None
        return [*(engine.Button(ask.ask, i) for i in picks), engine.Button(ask.ask, engine.done_index(n))]
    if ask.kind in ("choice", "language", "menu", "yesno"):
        i = _index(ask, ("yes" if value else "no") if ask.kind == "yesno" else str(value))
        return None if i is None else [engine.Button(ask.ask, i)]
    return [engine.Text(str(value))]


async def answer_questions(talk: Talk, given: dict[str, Any], lang: str, *, picks_language: bool) -> bool:
    """Answer each question the engine asks from `given` (by answer name); False when the
    youth leaves at a question (its answer is not in `given`)."""
    while (ask := _last_ask(talk.events)) is not None and ask.kind != "menu":
        state = talk.state or engine.Session()
        flow = talk.flowset.get(state.flow, state.version) if state.flow else None
        step = flow.steps.get(state.step or "") if flow else None
        value: Any = None
        if isinstance(step, m.LanguageStep):
            value, known = lang, picks_language
        else:
            name = getattr(step, "save", None)
            known = isinstance(name, str) and name in given
            if isinstance(name, str):
                value = given.get(name)
        inputs = inputs_for(ask, value) if known else None
        if inputs is None:
            return False
        for inp in inputs:
            await talk.give(inp)
    return True


async def review(s: AsyncSession, sub: Submission, r: Review, when: datetime) -> None:
    """What a reviewer does on the dashboard: a status, tags, a note."""
    await submissions.set_status(s, sub, r.status, by=r.by, now=when)
    sub.tags, sub.notes = list(r.tags), r.note


async def add_youth(
    s: AsyncSession, flowset: Any, lexicon: Any, number: int, youth: Youth, now: datetime, totals: Totals
) -> None:
    start = now - timedelta(days=youth.days_ago, minutes=7 * number)
    p = await participants.create(
        s,
        key=f"{PREFIX}{number}",
        pseudonym=pseudonym(PSEUDONYM_KEY, number),
        language=youth.lang,
        source=SOURCE,
        now=start,
    )
    talk = Talk(s, flowset, lexicon, number, p, start, now, totals)
    totals.youth += 1
    totals.languages.add(youth.lang)
    await talk.run(
        lambda fs: engine.start(
            fs, fs.onboarding_id or next(iter(fs.flows)), now=talk.now, lang=youth.lang, source=SOURCE
        )
    )
    if not await answer_questions(talk, youth.onboarding, youth.lang, picks_language=youth.picks_language):
        return
    for run in youth.runs:
        if not await _one_run(talk, run):
            return


async def _one_run(talk: Talk, run: Run) -> bool:
    menu = _last_ask(talk.events)
    pick = inputs_for(menu, run.flow) if menu is not None and menu.kind == "menu" else None
    if pick is None or not talk.participant.consent:
        return False
    first = len(talk.made)
    for inp in pick:
        await talk.give(inp)
    done = await answer_questions(talk, run.answers, talk.lang, picks_language=True)
    if run.talk_button:
        await talk.urgent("asked for a person", "button")
    if run.review is not None:
        for sub in talk.made[first:]:
            await review(talk.s, sub, run.review, min(talk.now + timedelta(hours=20), talk.until))
    return done
