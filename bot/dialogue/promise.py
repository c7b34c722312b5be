"""The honest promise (bot.i18n.promise) said to a youth: with the consent question, so
consent is informed whatever the onboarding flow's own texts say, and on /privacy."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine import events as ev
from bot.engine.flowset import FlowSet
from bot.i18n import promise


def promise_events() -> list[ev.Event]:
    return [ev.Say(msgid) for msgid in promise.LINES]


def asks_consent(flowset: FlowSet, e: ev.Event) -> bool:
    """An Ask of a step that sets the participant's consent (onboarding's consent)."""
    if not isinstance(e, ev.Ask) or not e.context or not e.context.endswith("/" + e.step):
        return False
    flow = flowset.get(e.context.removesuffix("/" + e.step))
    step = flow.steps.get(e.step) if flow is not None else None
    return getattr(step, "profile", None) == "consent"


def with_promise(flowset: FlowSet, events: Sequence[ev.Event]) -> list[ev.Event]:
    """The events, the promise put just before every consent question among them."""
    out: list[ev.Event] = []
    for e in events:
        if asks_consent(flowset, e):
            out += promise_events()
        out.append(e)
    return out
