"""Property tests: random valid and invalid inputs on every fixture flow never break a session."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Button, Command, Session, Text, load_flows, resume, start, tick

FLOWS = Path(__file__).resolve().parent / "flows"  # fixture flows, not the shipped ones
FLOWSET, _ = load_flows(FLOWS)
NOW = datetime(2025, 3, 1, tzinfo=UTC)

inputs = st.one_of(
    st.tuples(st.just("press"), st.integers(min_value=-1, max_value=12)),
    st.tuples(st.just("stale"), st.integers(min_value=0, max_value=3)),
    st.tuples(
        st.just("text"), st.sampled_from(["", "3", "٢٠", "hello", "x" * 2100, "{topic}", "A good idea for all of us"])
    ),
    st.tuples(st.just("text"), st.text(max_size=20)),
    st.tuples(st.just("command"), st.sampled_from(["restart", "back", "menu", "language", "skip", "nonsense"])),
    st.tuples(st.just("tick"), st.integers(min_value=0, max_value=5 * 24)),
)


@pytest.mark.parametrize("flow_id", sorted(FLOWSET.flows))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(inputs, max_size=25))
def test_random_inputs_never_break_a_session(flow_id, actions):
    session, events = start(FLOWSET, flow_id, now=NOW, lang="en")
    now = NOW
    for kind, value in actions:
        if kind == "tick":
            now += timedelta(hours=value)
            session, events = tick(FLOWSET, session, now=now)
            continue
        if kind == "press":
            inp = Button(session.ask, value)
        elif kind == "stale":
            inp = Button(max(0, session.ask - 1 - value), 0)
        elif kind == "text":
            inp = Text(value)
        else:
            inp = Command(value)
        session, events = resume(FLOWSET, session, inp, now=now)
        assert events, "every input gets an answer"
        assert Session.from_json(json.loads(json.dumps(session.to_json()))) == session
        for e in events:
            json.dumps(e.to_dict())
        # at rest: waiting on a question, in the menu, or expired
        if session.status == "active":
            flow = FLOWSET.get(session.flow, session.version)
            assert flow is not None and session.step in flow.steps
        else:
            assert session.status in ("menu", "expired")
