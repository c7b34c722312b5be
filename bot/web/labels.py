"""Readable names for what the database keeps as ids: flows, questions, answer choices,
languages, sources, statuses and safeguarding categories, in the dashboard's language.

The dashboard speaks English, the flows' source language, so flow titles, questions
and choice labels come straight from the YAML; language names come from CLDR (Babel).
Anything unknown (a flow since removed, a free-form source tag) is shown as readable
words made from its id, never as a bare `snake_case` id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from babel import Locale, UnknownLocaleError

from bot.engine import model as m

UI_LANGUAGE = "en"

# flows/safeguarding.yaml's categories, most severe first, and the urgent card's button.
CATEGORIES = {
    "self_harm": "self-harm or suicide",
    "abuse": "abuse or violence",
    "trafficking": "trafficking or exploitation",
    "unsafe_home": "not safe at home",
    "hunger_homeless": "hunger or homelessness",
    "asked for a person": "asked to talk to a person",
}
SOURCES = {"demo": "Demo data"}
FLOWS = {"safeguarding": "Safeguarding"}  # urgent cards raised outside any flow
ANSWERS = {"alert": "Raised by"}  # the answer of an urgent card
ALERTS = {"crisis words": "crisis words in a message", "button": "the “talk to a person” button"}
ASKING = (m.ChoiceStep, m.MultiStep, m.TextStep, m.NumberStep, m.YesNoStep, m.LanguageStep)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def answer_text(value: Any) -> str:
    """An anonymised answer as one line of text (choice lists joined, missing as '–')."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(answer_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {answer_text(v)}" for k, v in value.items())
    return str(value)


def words(ident: str) -> str:
    """`free_time` -> "Free time", `workshop-malmo` -> "Workshop malmo"."""
    text = " ".join(re.split(r"[_\-\s]+", str(ident))).strip()
    return text[:1].upper() + text[1:] if text else "–"


def language_name(code: str, ui: str = UI_LANGUAGE) -> str:
    """The language's name in the dashboard's language (CLDR): `ar` -> "Arabic", `fa_AF` -> "Dari"."""
    if not code:
        return "–"
    try:
        locale = Locale.parse(ui)
        name = locale.languages.get(code) or Locale.parse(code).get_display_name(ui)
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


def question_of(step: Any) -> str:
    """The question a step asks, in a few words: the first sentence of its asking line
    that ends in '?', else that line's first sentence."""
    lines = step.lines() if hasattr(step, "lines") else []
    if not lines:
        return words(step.id)
    sentences = _SENTENCE_END.split(" ".join(lines[-1].split()))
    return next((s for s in sentences if s.endswith("?")), sentences[0])


class Labels:
    """Labels for one set of flows (build one per request: flows are reloaded live)."""

    def __init__(self, flows: Iterable[m.Flow], ui: str = UI_LANGUAGE) -> None:
        self.ui = ui
        self.flows = {f.id: f for f in flows}
        # answer name -> the step that saves it, per flow, plus the first found anywhere
        # (a sub-flow's answer, such as followup_ok, travels with the calling flow)
        self._saved: dict[tuple[str | None, str], Any] = {}
        for flow in self.flows.values():
            for step in flow.steps.values():
                name = getattr(step, "save", None)
                if name:
                    self._saved.setdefault((flow.id, name), step)
                    self._saved.setdefault((None, name), step)

    def flow(self, flow_id: str | None) -> str:
        if not flow_id:
            return "–"
        flow = self.flows.get(flow_id)
        return flow.title if flow is not None else FLOWS.get(flow_id, words(flow_id))

    def language(self, code: str | None) -> str:
        return language_name(code or "", self.ui)

    def source(self, tag: str | None) -> str:
        return SOURCES.get(tag, words(tag)) if tag else "–"

    def category(self, category: str | None) -> str:
        return CATEGORIES.get(category, words(category).lower()) if category else "safeguarding"

    @staticmethod
    def status(status: str) -> str:
        return words(status)

    def _step(self, flow_id: str | None, name: str) -> Any:
        return self._saved.get((flow_id, name)) or self._saved.get((None, name))

    def question(self, flow_id: str | None, name: str, answers: Mapping[str, Any] | None = None) -> str:
        """What the youth was asked for answer `name`, placeholders filled from `answers`."""
        step = self._step(flow_id, name)
        if step is None:
            return ANSWERS.get(name, words(name))
        return self._filled(flow_id, question_of(step), answers or {})

    def _filled(self, flow_id: str | None, text: str, answers: Mapping[str, Any]) -> str:
        """`{name}` placeholders as the youth read them (the answer in words), else '…';
        a doubled brace (`{{`, how a step writes one) as the one brace it shows."""

        def fill(found: re.Match[str]) -> str:
            if found.group(1) is None:
                return found.group(0)[0]
            given = answers.get(found.group(1))
            return self.value(flow_id, found.group(1), given) if given is not None else "…"

        return re.sub(r"\{\{|\}\}|\{(\w+)\}", fill, text)

    def value(self, flow_id: str | None, name: str, value: Any) -> str:
        """An answer as staff read it: choice labels for choice ids, Yes/No, '–' when skipped."""
        step = self._step(flow_id, name)
        if value is None or value == []:
            return "–"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if name == "alert" and step is None:
            return ALERTS.get(str(value), str(value))
        if isinstance(step, m.LanguageStep):
            return self.language(str(value))
        choices = {c.id: c.label for c in getattr(step, "choices", None) or []}
        if choices and isinstance(value, list):
            return ", ".join(choices.get(str(v), str(v)) for v in value)
        if choices:
            return choices.get(str(value), str(value))
        return answer_text(value)

    def topic(self, value: Any) -> str:
        """A `topic` answer from any flow (the statistics' topic counts mix flows)."""
        return self.value(None, "topic", value) if value not in (None, "") else "(no topic)"

    def step(self, flow_id: str, step_id: str) -> str:
        flow = self.flows.get(flow_id)
        step = flow.steps.get(step_id) if flow is not None else None
        return self._filled(flow_id, question_of(step), {}) if step is not None else words(step_id)

    def answers(self, flow_id: str | None, answers: Any) -> list[tuple[str, str]]:
        """(question, answer) pairs of a submission, in the order they were given."""
        if not isinstance(answers, Mapping):
            return [("Answer", self.value(None, "", answers))]
        return [
            (self.question(flow_id, name, answers), self.value(flow_id, name, value)) for name, value in answers.items()
        ]
