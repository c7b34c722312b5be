"""The engine's typed session and its stored JSON form: round trips, and any old or
damaged shape read without an error."""

from __future__ import annotations

import json
from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from bot.dialogue.state import Followup, Front, dump, load
from bot.engine.session import Frame, Position, Session

names = st.text(min_size=1, max_size=8)
maybe = st.none() | names
when = st.none() | st.datetimes(timezones=st.just(UTC)) | st.datetimes()
frames = st.builds(Frame, names, maybe, names)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
sessions = st.builds(
    Session,
    flow=maybe,
    version=maybe,
    step=maybe,
    stack=st.lists(frames, max_size=3),
    answers=st.dictionaries(names, json_values, max_size=4),
    skipped=st.lists(names, max_size=3),
    labels=st.dictionaries(names, st.lists(st.tuples(names, maybe), max_size=2), max_size=3),
    forward=st.lists(names, max_size=3),
    history=st.lists(st.builds(Position, names, maybe, names, st.lists(frames, max_size=2)), max_size=3),
    ask=st.integers(min_value=0),
    tries=st.integers(min_value=0, max_value=9),
    selected=st.lists(names, max_size=3),
    mode=st.none() | st.just("language"),
    lang=names,
    source=maybe,
    consent=st.booleans(),
    under13=st.booleans(),
    status=st.sampled_from(["active", "menu", "expired"]),
    run=maybe,
    last_input_at=when,
    reminded=st.booleans(),
    started_at=when,
    menu=st.none() | st.tuples(names, maybe),
)
fronts = st.builds(
    Front,
    then=maybe,
    followup=st.none() | st.builds(Followup, st.integers(), st.integers(), st.integers()),
)


@given(sessions)
def test_session_round_trips_through_json(session):
    stored = json.loads(json.dumps(session.to_json()))
    assert Session.from_json(stored) == session
    assert Session.from_json(stored).to_json() == stored


@given(sessions, fronts)
def test_stored_state_keeps_both_sides(session, front):
    stored = json.loads(json.dumps(dump(session, front)))
    assert load(stored) == (session, front)
    assert {"then", "followup"}.isdisjoint(session.to_json())  # the engine's keys are its own


@given(st.dictionaries(st.sampled_from(sorted(Session().to_json()) + ["then", "followup", "x"]), json_values))
def test_any_shape_reads_without_an_error(raw):
    session, front = load(raw)
    assert session is not None
    json.dumps(dump(session, front))


def test_missing_keys_take_the_engine_defaults():
    assert Session.from_json({}) == Session() and Session.from_json(None) == Session()
    assert load(None) == (None, Front())
    old = {"flow": "need", "step": "what", "status": "active", "answers": {"what": "money"}, "ask": 3}
    session = Session.from_json(old)
    assert (session.flow, session.step, session.status, session.ask) == ("need", "what", "active", 3)
    assert session.answers == {"what": "money"} and session.stack == [] and session.lang == "en"


@given(sessions)
def test_a_copy_shares_nothing_mutable(session):
    before = session.to_json()
    twin = session.copy()
    assert twin == session
    twin.stack.append(Frame("x", None, "y"))
    twin.answers["new"] = 1
    twin.labels.setdefault("new", []).append(("a", None))
    for p in twin.history:
        p.stack.append(Frame("x", None, "y"))
    for name in ("skipped", "forward", "selected"):
        getattr(twin, name).append("new")
    assert session.to_json() == before
