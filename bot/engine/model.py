"""Pydantic models of a flow file: the flow, its steps, choices, conditions, triggers.

The schema is strict (no string-to-number coercion, unknown keys rejected) so that an
admin's typo becomes a precise problem instead of a surprise at run time. Steps are
validated one by one against the class named by their `type`, which keeps error
locations equal to the YAML paths (see load.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, ClassVar, Literal

from bot.base.yamlsource import YamlDoc
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Telegram limits, and ours (docs/FLOWS.md explains them).
MAX_MESSAGE = 4096  # characters in one Telegram message
MAX_LABEL = 40  # characters on a button (Telegram allows more; phones cut them off)
MAX_CHOICES = 97  # 100 buttons per keyboard, minus Done, Skip and Menu
MAX_STEPS = 1000  # steps in one flow file; the largest shipped flow has a dozen

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DURATION_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> timedelta | None:
    """`3d`, `12h`, `1d12h`, `30m`, `2w` -> timedelta; None when malformed or zero."""
    m = DURATION_RE.match(text.strip()) if isinstance(text, str) else None
    if not m or not any(m.groups()):
        return None
    w, d, h, mins = (int(g or 0) for g in m.groups())
    delta = timedelta(weeks=w, days=d, hours=h, minutes=mins)
    return delta if delta > timedelta(0) else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


Scalar = str | int | float | bool


class Condition(_Strict):
    """One test on saved answers; exactly one form per mapping (see docs/FLOWS.md)."""

    answer: str | None = None
    equals: Scalar | None = None
    one_of: list[Scalar] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    answered: str | None = None
    skipped: str | None = None
    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")

    COMPARISONS: ClassVar[tuple[str, ...]] = ("equals", "one_of", "gt", "gte", "lt", "lte")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [n for n in ("answered", "skipped", "all_", "any_", "not_") if getattr(self, n) is not None]
        tests = [n for n in self.COMPARISONS if getattr(self, n) is not None]
        if self.answer is not None:
            forms.append("answer")
            if len(tests) != 1:
                raise ValueError("`answer:` needs exactly one of " + ", ".join(self.COMPARISONS))
        elif tests:
            raise ValueError(f"`{tests[0]}:` needs `answer:` naming the saved answer")
        if len(forms) != 1:
            raise ValueError("a condition needs exactly one of answer, answered, skipped, all, any, not")
        return self

    def names(self) -> set[str]:
        """Answer names this condition reads."""
        out = {n for n in (self.answer, self.answered, self.skipped) if n}
        for sub in (self.all_ or []) + (self.any_ or []) + ([self.not_] if self.not_ else []):
            out |= sub.names()
        return out


class Route(_Strict):
    when: Condition | None = None
    to: str


Next = str | list[Route]
TextValue = str | list[str]


class Choice(_Strict):
    id: str
    label: str
    under13: bool = False  # choosing it marks the youth as under 13 (age-band steps)


class _Step(_Strict):
    id: str
    text: TextValue | None = None

    def lines(self) -> list[str]:
        if self.text is None:
            return []
        return [self.text] if isinstance(self.text, str) else list(self.text)

    def routes(self) -> list[Route]:
        nxt = getattr(self, "next", None)
        if nxt is None:
            return []
        return [Route(to=nxt)] if isinstance(nxt, str) else list(nxt)


class _Saves(_Step):
    save: str | None = None
    forward: bool = False
    optional: bool = False


class MessageStep(_Step):
    type: Literal["message"]
    text: TextValue
    next: Next


class ChoiceStep(_Saves):
    type: Literal["choice"]
    text: TextValue
    choices: list[Choice] = Field(min_length=1)
    profile: Literal["age_band"] | None = None
    next: Next


class MultiStep(_Saves):
    type: Literal["multi"]
    text: TextValue
    choices: list[Choice] = Field(min_length=1)
    next: Next


class TextStep(_Saves):
    type: Literal["text"]
    text: TextValue
    min_length: int = Field(default=1, ge=0)
    max_length: int = Field(default=1000, ge=1)
    asks_name: bool = False  # the anonymiser treats the answer as a name
    next: Next


class NumberStep(_Saves):
    type: Literal["number"]
    text: TextValue
    min: float | None = None
    max: float | None = None
    whole: bool = True
    next: Next


class YesNoStep(_Saves):
    type: Literal["yesno"]
    text: TextValue
    profile: Literal["consent", "contact"] | None = None
    next: Next


class LanguageStep(_Step):
    type: Literal["language"]
    languages: list[str] = Field(min_length=1)
    next: Next


class MenuStep(_Step):
    type: Literal["menu"]


class FlowStep(_Step):
    type: Literal["flow"]
    flow: str
    next: Next


class EndStep(_Step):
    type: Literal["end"]


STEP_TYPES: dict[str, type[_Step]] = {
    "message": MessageStep,
    "choice": ChoiceStep,
    "multi": MultiStep,
    "text": TextStep,
    "number": NumberStep,
    "yesno": YesNoStep,
    "language": LanguageStep,
    "menu": MenuStep,
    "flow": FlowStep,
    "end": EndStep,
}
Step = Annotated[
    MessageStep
    | ChoiceStep
    | MultiStep
    | TextStep
    | NumberStep
    | YesNoStep
    | LanguageStep
    | MenuStep
    | FlowStep
    | EndStep,
    Field(discriminator="type"),
]
ASKING = (ChoiceStep, MultiStep, TextStep, NumberStep, YesNoStep, LanguageStep, MenuStep)


class MenuEntry(_Strict):
    order: int = 100
    emoji: str | None = None


class Trigger(_Strict):
    payload: str
    source: str

    @field_validator("payload")
    @classmethod
    def _payload(cls, v: str) -> str:
        if not PAYLOAD_RE.match(v):
            raise ValueError("a deep-link payload is 1-64 characters: letters, digits, _ and -")
        return v


class FlowSpec(_Strict):
    """The top level of a flow file. `steps` are checked one by one in load.py."""

    id: str
    title: str
    menu: MenuEntry | None = None
    start: str
    expires_after: str
    remind_after: str | None = None
    reminder: str | None = None
    triggers: list[Trigger] = Field(default_factory=list)
    steps: list[dict[str, Any]] = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class Flow:
    """A validated flow, as the engine runs it."""

    spec: FlowSpec
    steps: dict[str, Any]  # step id -> step model, in file order
    version: str
    file: str
    doc: YamlDoc | None = field(default=None, repr=False)  # for positions in problems

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def start(self) -> str:
        return self.spec.start

    @property
    def expires_after(self) -> timedelta:
        return parse_duration(self.spec.expires_after) or timedelta(days=3)

    @property
    def remind_after(self) -> timedelta | None:
        return parse_duration(self.spec.remind_after) if self.spec.remind_after else None

    def step_index(self, step_id: str) -> int:
        return list(self.steps).index(step_id)

    def line_of(self, path: tuple[Any, ...]) -> int:
        return self.doc.where(path)[0] if self.doc else 1

    def path_of(self, step_id: str) -> tuple[Any, ...]:
        """The YAML path of a step (its position in the `steps` list)."""
        return ("steps", self.step_index(step_id))
