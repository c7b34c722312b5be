"""start / resume / tick: (flowset, session, input, now) -> (new session, events).

Pure functions. The session is a `Session` (bot/engine/session.py, stored as JSON; see
docs/FLOWS.md, "The session"); it is copied, never changed in place. A session rests on
one open question (`step` + `ask` number), or in `menu` / `language` mode. Privacy rule:
SaveAnswer and Forward are only emitted while `consent` is true and `under13` false;
without them answers live only in the session, for routing and placeholders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.i18n import texts
from bot.engine import events as ev
from bot.engine import model as m
from bot.engine.conditions import route
from bot.engine.flowset import FlowSet
from bot.engine.inputs import Button, Command, Text, Tick, done_index, menu_index, skip_index
from bot.engine.session import Frame, Position, Session
from bot.engine.texts_of import choice_context, placeholders, reminder_context, step_context, title_context

MAX_TRIES = 3  # wrong answers before Skip / Menu are offered
MAX_AUTO_STEPS = 200  # guards against a loop of message steps that never asks anything
MAX_HISTORY = 50

Events = list[ev.Event]


class _Run:
    """One call's working state: a private copy of the session plus the events so far."""

    def __init__(self, flowset: FlowSet, session: Session, now: datetime) -> None:
        self.fs = flowset
        self.s = session
        self.now = now
        self.events: Events = []

    # -- helpers ---------------------------------------------------------------
    def emit(self, *events: ev.Event) -> None:
        self.events.extend(events)

    def flow(self) -> m.Flow | None:
        return _resolve(self.fs, self.s.flow, self.s.version)

    def storing(self) -> bool:
        return self.s.consent and not self.s.under13

    def onboarding(self) -> bool:
        """Mid-onboarding: nothing else may start until its questions are answered."""
        first = self.fs.onboarding_id
        return first is not None and self.s.status == "active" and first in (self.s.run, self.s.flow)

    def finish_onboarding_first(self) -> None:
        self.emit(ev.Say(texts.FINISH_ONBOARDING_FIRST))
        self.reask_current()

    def params(self, lines: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for line in lines:
            for name in placeholders(line)[0]:
                if name in self.s.skipped:
                    out[name] = {"msgid": texts.ANSWER_SKIPPED, "context": None}
                elif name in self.s.labels:
                    refs = [{"msgid": msgid, "context": ctx} for msgid, ctx in self.s.labels[name]]
                    out[name] = refs if isinstance(self.s.answers.get(name), list) else refs[0]
                elif isinstance(self.s.answers.get(name), bool):
                    out[name] = {"msgid": texts.YES if self.s.answers[name] else texts.NO, "context": None}
                elif name in self.s.answers:
                    out[name] = self.s.answers[name]
        return out

    def position(self) -> Position | None:
        if self.s.flow is None or self.s.step is None:
            return None
        stack = [Frame(f.flow, f.version, f.step) for f in self.s.stack]
        return Position(self.s.flow, self.s.version, self.s.step, stack)

    def clear_run(self) -> None:
        """The run's answers and return points leave the session."""
        s = self.s
        s.forward, s.history, s.stack, s.answers, s.labels, s.skipped = [], [], [], {}, {}, []

    # -- moving through a flow ------------------------------------------------------
    def begin(self, flow: m.Flow, *, source: str | None = None) -> None:
        """Start a new top-level run of `flow`."""
        s = self.s
        s.flow, s.version, s.step = flow.id, flow.version, None
        self.clear_run()
        s.status, s.mode, s.tries, s.selected = "active", None, 0, []
        s.run, s.reminded, s.started_at = flow.id, False, self.now
        if source is not None:
            self.s.source = source
        self.enter(flow, flow.start)

    def enter(self, flow: m.Flow, step_id: str | None) -> None:
        """Run steps from `step_id` until a question is asked or the run ends."""
        for _ in range(MAX_AUTO_STEPS):
            step = flow.steps.get(step_id) if step_id else None
            if step is None:
                self.emit(ev.Say(texts.FLOW_CHANGED))
                self.show_menu()
                return
            self.s.flow, self.s.version = flow.id, flow.version
            ctx = step_context(flow.id, step.id)
            if isinstance(step, m.MessageStep):
                lines = step.lines()
                params = self.params(lines)
                self.emit(*(ev.Say(line, ctx, params) for line in lines))
                step_id = route(step.routes(), self.s.answers, set(self.s.skipped))
            elif isinstance(step, m.FlowStep):
                sub = self.fs.get(step.flow)
                if sub is None:
                    step_id = route(step.routes(), self.s.answers, set(self.s.skipped))
                    continue
                self.s.stack.append(Frame(flow.id, flow.version, step.id))
                flow, step_id = sub, sub.start
            elif isinstance(step, m.EndStep):
                returned = self.end_flow(flow, step)
                if returned is None:
                    return
                flow, step_id = returned
            elif isinstance(step, m.MenuStep):
                lines = step.lines()
                self.emit(*(ev.Say(line, ctx, {}) for line in lines[:-1]))
                self.finish_run()
                self.show_menu(lines[-1] if lines else texts.MENU_PROMPT, ctx if lines else None)
                return
            else:
                self.ask(flow, step)
                return
        self.emit(ev.Say(texts.FLOW_CHANGED))
        self.show_menu()

    def end_flow(self, flow: m.Flow, step: m.EndStep) -> tuple[m.Flow, str | None] | None:
        """Say the closing text; return to the calling flow, or finish the run (None)."""
        lines = step.lines()
        ctx = step_context(flow.id, step.id)
        params = self.params(lines)
        self.emit(*(ev.Say(line, ctx, params) for line in lines[:-1]))
        if not self.s.stack and self.unsent():
            # the flow's closing words may promise the team will read it: not true here
            self.emit(ev.End(flow.id, texts.NOT_SENT, None, {}))
        else:
            self.emit(ev.End(flow.id, lines[-1] if lines else None, ctx if lines else None, params if lines else {}))
        while self.s.stack:
            frame = self.s.stack.pop()
            parent = _resolve(self.fs, frame.flow, frame.version)
            call = parent.steps.get(frame.step) if parent else None
            if parent is None or call is None:
                self.emit(ev.Say(texts.FLOW_CHANGED))
                if parent is not None:
                    return parent, parent.start
                continue
            return parent, route(call.routes(), self.s.answers, set(self.s.skipped))
        self.finish_run()
        self.show_menu()
        return None

    def forwarded_names(self) -> list[str]:
        return [n for n in self.s.forward if n in self.s.answers and n not in self.s.skipped]

    def unsent(self) -> bool:
        """This run has answers meant for the team that will not reach them (no consent)."""
        return bool(self.forwarded_names()) and not self.storing()

    def finish_run(self) -> None:
        names = self.forwarded_names()
        if names and self.storing():
            answers = {n: self.s.answers[n] for n in names}
            self.emit(ev.Forward(self.s.run or self.s.flow or "", self.s.source, answers))
        # The run is over: its raw answers leave the session (they live on, if at all, in
        # the answers table, where consent and the retention purge govern them).
        self.clear_run()

    def next_ask(self) -> int:
        ask = self.s.ask + 1
        self.s.ask = ask
        return ask

    def ask(self, flow: m.Flow, step: Any, *, again: bool = False) -> None:
        """Ask the question of `step`; remembers the previous question for /back."""
        if not again and self.s.status == "active" and self.s.step and self.s.mode is None:
            here = self.position()
            if here is not None and (here.step != step.id or here.flow != flow.id):
                self.s.history = (self.s.history + [here])[-MAX_HISTORY:]
        s = self.s
        s.flow, s.version, s.step = flow.id, flow.version, step.id
        s.status, s.mode, s.tries, s.selected = "active", None, 0, []
        self.emit(self.ask_event(flow, step, self.next_ask()))

    def ask_event(self, flow: m.Flow, step: Any, ask: int, *, update: bool = False) -> ev.Ask:
        lines = step.lines()
        ctx = step_context(flow.id, step.id)
        params = self.params(lines)
        # all lines but the last are said first; the last one carries the buttons
        for line in lines[:-1] if not update else []:
            self.emit(ev.Say(line, ctx, params))
        kind, choices = _kind_and_choices(flow, step, self.fs)
        return ev.Ask(
            ask=ask,
            step=step.id,
            kind=kind,
            msgid=lines[-1] if lines else texts.LANGUAGE_PROMPT,
            context=ctx if lines else None,
            params=params,
            choices=choices,
            optional=bool(getattr(step, "optional", False)),
            selected=tuple(self.s.selected),
            update=update,
        )

    def show_menu(self, msgid: str = texts.MENU_PROMPT, context: str | None = None) -> None:
        s = self.s
        s.status, s.mode, s.step, s.stack, s.tries, s.selected = "menu", None, None, [], 0, []
        s.menu = (msgid, context)
        flows = self.fs.menu()
        choices = tuple((f.id, f.title, title_context(f.id)) for f in flows)
        icons = tuple((f.spec.menu.emoji or "") if f.spec.menu else "" for f in flows)
        self.emit(
            ev.Ask(
                ask=self.next_ask(), step="", kind="menu", msgid=msgid, context=context, choices=choices, icons=icons
            )
        )

    def ask_language(self) -> None:
        self.s.mode = "language"
        self.s.tries = 0
        choices = tuple((code, code, None) for code in self.fs.languages)
        self.emit(ev.ChooseLanguage())
        self.emit(ev.Ask(ask=self.next_ask(), step="", kind="language", msgid=texts.LANGUAGE_PROMPT, choices=choices))

    def reask_current(self) -> None:
        """Show the open question (or the menu) again, with a new ask number."""
        flow = self.flow()
        step = flow.steps.get(self.s.step or "") if flow else None
        if self.s.status == "active" and flow is not None and step is not None:
            self.ask(flow, step, again=True)
        else:
            saved = self.s.menu
            if saved is not None:
                self.show_menu(*saved)
            else:
                self.show_menu(texts.MENU_PROMPT, None)

    # -- answers -----------------------------------------------------------------------
    def answer(
        self,
        flow: m.Flow,
        step: Any,
        value: Any,
        *,
        skipped: bool = False,
        labels: list[tuple[str, str | None]] | None = None,
    ) -> None:
        name = getattr(step, "save", None)
        profile = getattr(step, "profile", None)
        if profile == "age_band" and not skipped:
            self.s.under13 = any(c.under13 and c.id == value for c in step.choices)
            self.emit(ev.SetProfile("age_band", value))
        if profile == "consent" and not skipped:
            self.s.consent = bool(value)
            self.emit(ev.SetProfile("consent", bool(value)))
        if profile == "contact" and not skipped and self.storing():
            self.emit(ev.SetProfile("contact", bool(value)))
        if isinstance(step, m.LanguageStep):
            if isinstance(value, str):  # skipped: the language it started in stays
                self.s.lang = value
            self.emit(ev.SetProfile("language", value))
        if name:
            self.s.answers[name] = value
            skipped_set = [n for n in self.s.skipped if n != name]
            self.s.skipped = skipped_set + ([name] if skipped else [])
            if labels:
                self.s.labels[name] = list(labels)
            else:
                self.s.labels.pop(name, None)
            if step.forward and name not in self.s.forward:
                self.s.forward.append(name)
            if self.storing():
                self.emit(
                    ev.SaveAnswer(
                        flow.id,
                        step.id,
                        name,
                        value,
                        bool(step.forward),
                        skipped,
                        bool(getattr(step, "asks_name", False)),
                    )
                )
        self.enter(flow, route(step.routes(), self.s.answers, set(self.s.skipped)))

    def wrong(self, reason: str, n_choices: int, **params: Any) -> None:
        self.s.tries += 1
        offer = (
            self.s.tries >= MAX_TRIES and self.s.mode is None and self.s.status == "active" and not self.onboarding()
        )  # its "Menu" button would leave onboarding unfinished
        self.emit(ev.Reask(reason, params, offer, self.s.ask, n_choices))

    def skip(self, flow: m.Flow, step: Any) -> None:
        if getattr(step, "optional", False) or self.s.tries >= MAX_TRIES:
            self.answer(flow, step, None, skipped=True)
        else:
            self.emit(ev.Say(texts.CANNOT_SKIP))

    # -- inputs ---------------------------------------------------------------------------
    def command(self, name: str) -> None:
        if name == "language":
            self.ask_language()
        elif name == "menu" and self.onboarding():
            self.finish_onboarding_first()
        elif name == "menu":
            self.finish_run()
            self.show_menu()
        elif name == "restart":
            flow = _resolve(self.fs, self.s.run, None) or self.flow()
            if flow is not None and self.s.status != "menu":
                self.finish_run()
                self.begin(flow)
            else:
                self.show_menu()
        elif name == "back":
            if self.s.mode is None and self.s.status == "active" and self.s.history:
                here = self.s.history.pop()
                flow = _resolve(self.fs, here.flow, here.version)
                if flow is not None and here.step in flow.steps:
                    self.s.stack = here.stack
                    self.ask(flow, flow.steps[here.step], again=True)
                    return
            self.emit(ev.Say(texts.NOTHING_TO_GO_BACK_TO))
            self.reask_current()
        elif name == "skip":
            flow, step = self.current()
            if flow is not None and step is not None and self.s.mode is None:
                self.skip(flow, step)
            else:
                self.emit(ev.Say(texts.CANNOT_SKIP))
        else:
            self.emit(ev.Say(texts.UNKNOWN_COMMAND))

    def current(self) -> tuple[m.Flow | None, Any]:
        if self.s.status != "active":
            return None, None
        flow = self.flow()
        return flow, (flow.steps.get(self.s.step or "") if flow else None)

    def button(self, press: Button) -> None:
        if press.ask != self.s.ask or press.choice < 0:
            self.emit(ev.Stale(press.ask))
            return
        if self.s.mode == "language":
            langs = self.fs.languages
            if press.choice < len(langs):
                self.s.lang = langs[press.choice]
                self.s.mode = None
                self.emit(ev.SetProfile("language", langs[press.choice]), ev.Say(texts.LANGUAGE_CHANGED))
                self.reask_current()
            else:
                self.emit(ev.Stale(press.ask))
            return
        if self.s.status == "menu":
            menu = self.fs.menu()
            if press.choice < len(menu):
                self.begin(menu[press.choice])
            else:
                self.emit(ev.Stale(press.ask))
            return
        flow, step = self.current()
        if flow is None or step is None:
            self.emit(ev.Stale(press.ask))
            return
        kind, choices = _kind_and_choices(flow, step, self.fs)
        n = len(choices)
        if press.choice == menu_index(n) and self.onboarding():
            self.finish_onboarding_first()
        elif press.choice == menu_index(n):
            self.finish_run()
            self.show_menu()
        elif press.choice == skip_index(n):
            self.skip(flow, step)
        elif press.choice < n:
            cid, label, lctx = choices[press.choice]
            if kind == "multi":
                sel = list(self.s.selected)
                self.s.selected = [c for c in sel if c != cid] if cid in sel else sel + [cid]
                self.emit(self.ask_event(flow, step, self.s.ask, update=True))
            elif kind == "yesno":
                self.answer(flow, step, cid == "yes")
            elif kind == "language":
                self.answer(flow, step, cid)
            else:
                self.answer(flow, step, cid, labels=[(label, lctx)])
        elif press.choice == done_index(n) and kind == "multi":
            order = [c[0] for c in choices]
            chosen = [c for c in order if c in self.s.selected]
            if not chosen:
                if step.optional:
                    self.answer(flow, step, None, skipped=True)
                else:
                    self.wrong("need_one", n)
                return
            labels = [(c[1], c[2]) for c in choices if c[0] in chosen]
            self.answer(flow, step, chosen, labels=labels)
        else:
            self.emit(ev.Stale(press.ask))

    def text(self, text: str) -> None:
        if self.s.mode == "language":
            self.wrong("use_buttons", len(self.fs.languages))
            return
        flow, step = self.current()
        if flow is None or step is None:
            if self.s.status == "menu":
                self.wrong("use_buttons", len(self.fs.menu()))
            else:
                self.show_menu()
            return
        kind, choices = _kind_and_choices(flow, step, self.fs)
        value = text.strip()
        if isinstance(step, m.TextStep):
            if not value and step.min_length > 0:
                self.wrong("empty", 0)
            elif len(value) < step.min_length:
                self.wrong("too_short", 0, min=step.min_length)
            elif len(value) > step.max_length:
                self.wrong("too_long", 0, max=step.max_length)
            else:
                self.answer(flow, step, value)
        elif isinstance(step, m.NumberStep):
            number = _parse_number(value)
            if number is None:
                self.wrong("not_a_number", 0)
            elif step.whole and number != int(number):
                self.wrong("not_whole", 0)
            elif (step.min is not None and number < step.min) or (step.max is not None and number > step.max):
                if step.min is not None and step.max is not None:
                    self.wrong("out_of_range", 0, min=_num(step.min), max=_num(step.max))
                elif step.min is not None:
                    self.wrong("too_small", 0, min=_num(step.min))
                else:
                    self.wrong("too_big", 0, max=_num(step.max))
            else:
                self.answer(flow, step, _num(number))
        else:
            self.wrong("use_buttons", len(choices))


def _num(x: float | None) -> int | float | None:
    return int(x) if x is not None and float(x).is_integer() else x


def _parse_number(text: str) -> float | None:
    """Digits of any script (int() accepts Arabic-Indic and Persian digits); comma or point."""
    cleaned = text.replace(" ", "").replace("\u066b", ".").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _kind_and_choices(flow: m.Flow, step: Any, fs: FlowSet) -> tuple[str, tuple[ev.ChoiceRef, ...]]:
    if isinstance(step, (m.ChoiceStep, m.MultiStep)):
        kind = "choice" if isinstance(step, m.ChoiceStep) else "multi"
        return kind, tuple((c.id, c.label, choice_context(flow.id, step.id, c.id)) for c in step.choices)
    if isinstance(step, m.YesNoStep):
        return "yesno", (("yes", texts.YES, None), ("no", texts.NO, None))
    if isinstance(step, m.LanguageStep):
        return "language", tuple((code, code, None) for code in step.languages)
    return ("number" if isinstance(step, m.NumberStep) else "text"), ()


def _resolve(fs: FlowSet, flow_id: str | None, version: str | None) -> m.Flow | None:
    """The flow a session runs on: its own version if still known, else the current one."""
    if not isinstance(flow_id, str):
        return None
    if isinstance(version, str):
        found = fs.get(flow_id, version)
        if found is not None:
            return found
    return fs.get(flow_id)


def _settle(fs: FlowSet, r: _Run) -> None:
    """Move a session whose flow or step no longer exists to safe ground."""
    if r.s.status != "active":
        return
    flow = r.flow()
    if flow is None:
        r.emit(ev.Say(texts.FLOW_CHANGED))
        r.show_menu()
        return
    if r.s.version != flow.version:
        r.s.version = flow.version  # moved to the new version of its flow
    step = flow.steps.get(r.s.step or "")
    if step is None or not isinstance(step, m.ASKING) or isinstance(step, m.MenuStep):
        r.emit(ev.Say(texts.FLOW_CHANGED))
        r.s.history = []
        r.enter(flow, flow.start)
    elif _kind_and_choices(flow, step, fs)[0] != "multi":
        r.s.selected = []


def start(
    flowset: FlowSet,
    flow_id: str,
    *,
    now: datetime,
    lang: str,
    source: str | None = None,
    session: Session | None = None,
) -> tuple[Session, Events]:
    """Start `flow_id` (profile flags of an earlier `session` are kept)."""
    s = Session(lang=lang, last_input_at=now)
    if session is not None:
        s.consent, s.under13, s.ask, s.source = session.consent, session.under13, session.ask, session.source
    r = _Run(flowset, s, now)
    flow = flowset.get(flow_id)
    if flow is None:
        r.show_menu()
    else:
        r.begin(flow, source=source)
    return r.s, r.events


def resume(flowset: FlowSet, session: Session, inp: Any, *, now: datetime) -> tuple[Session, Events]:
    """Apply one input (Text, Button, Command or Tick) to the session."""
    if isinstance(inp, Tick):
        return tick(flowset, session, now=now)
    r = _Run(flowset, session.copy(), now)
    if r.s.status == "expired" and not isinstance(inp, Command):
        r.show_menu() if not isinstance(inp, Button) else r.emit(ev.Stale(inp.ask))
    else:
        _settle(flowset, r)
        if not r.events:
            if isinstance(inp, Text):
                r.text(inp.text if isinstance(inp.text, str) else "")
            elif isinstance(inp, Button):
                r.button(inp)
            elif isinstance(inp, Command):
                r.command(inp.name)
    r.s.last_input_at = now
    r.s.reminded = False
    return r.s, r.events


def repeat(flowset: FlowSet, session: Session, *, now: datetime) -> tuple[Session, Events]:
    """Ask the open question (or show the menu) again: "continue where you left off"."""
    r = _Run(flowset, session.copy(), now)
    _settle(flowset, r)
    if not r.events:
        r.reask_current()
    return r.s, r.events


def _timing(flowset: FlowSet, s: Session) -> tuple[m.Flow | None, datetime | None, timedelta | None, timedelta]:
    flow = _resolve(flowset, s.flow, s.version)
    run = _resolve(flowset, s.run, None) or flow
    remind = run.remind_after if run else None
    expires = run.expires_after if run else timedelta(days=3)
    return run, s.last_input_at, remind, expires


def next_tick_at(flowset: FlowSet, session: Session) -> datetime | None:
    """When `tick` will next have something to do for this session (None: never)."""
    s = session
    if s.status != "active":
        return None
    _, last, remind, expires = _timing(flowset, s)
    if last is None:
        return None
    if remind is not None and not s.reminded:
        return last + remind
    return last + expires


def tick(
    flowset: FlowSet, session: Session, *, now: datetime, forward_abandoned: bool = False
) -> tuple[Session, Events]:
    """The clock: a reminder once after `remind_after`, expiry after `expires_after`.

    With `forward_abandoned`, an expiring flow run still forwards what was answered."""
    s = session.copy()
    if s.status != "active":
        return s, []
    run, last, remind, expires = _timing(flowset, s)
    if last is None:
        return s, []
    flow_id = run.id if run else str(s.flow)
    if now - last >= expires:
        r = _Run(flowset, s, now)
        if forward_abandoned:
            r.finish_run()
        r.clear_run()
        s.status, s.mode, s.step, s.selected = "expired", None, None, []
        return s, [*r.events, ev.Expired(flow_id)]
    if run is not None and remind is not None and not s.reminded and now - last >= remind and run.spec.reminder:
        s.reminded = True
        return s, [ev.ReminderDue(flow_id, run.spec.reminder, reminder_context(run.id))]
    return s, []
