"""The engine's behaviour: flows, conditions, sub-flows, wrong answers, versions, ticks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import (
    Ask,
    Button,
    Command,
    End,
    Expired,
    Forward,
    ReminderDue,
    Reask,
    SaveAnswer,
    Say,
    SetProfile,
    Stale,
    Text,
    load_flows,
    next_tick_at,
    replace_flow,
    resume,
    skip_index,
    start,
    tick,
)
from bot.engine.events import event_from_dict
from bot.engine.load import build_flowset, flow_files
from bot.engine.session import Session

FLOWS = Path(__file__).resolve().parent / "flows"  # fixture flows, not the shipped ones
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def fs():
    flowset, problems = load_flows(FLOWS)
    assert problems == []
    return flowset


def last_ask(events):
    return [e for e in events if isinstance(e, Ask)][-1]


def press(fs, s, choice_id):
    ask = last_ask(s["_events"])
    index = [c[0] for c in ask.choices].index(choice_id)
    return step(fs, s, Button(ask.ask, index))


def step(fs, s, inp, now=NOW):
    clean = {k: v for k, v in s.items() if k != "_events"}
    session, events = resume(fs, Session.from_json(json.loads(json.dumps(clean))), inp, now=now)
    new = session.to_json()
    new["_events"] = events
    return new


def begin(fs, flow_id, **kw):
    if "session" in kw:
        kw["session"] = Session.from_json(kw["session"])
    session, events = start(fs, flow_id, now=NOW, lang="en", **kw)
    s = session.to_json()
    s["_events"] = events
    return s


def consented(fs):
    s = begin(fs, "onboarding")
    s = press(fs, s, "en")
    s = press(fs, s, "age_16_17")
    s = press(fs, s, "yes")
    return s


def test_onboarding_collects_language_age_and_consent(fs):
    s = begin(fs, "onboarding")
    s = press(fs, s, "ar")
    assert SetProfile("language", "ar") in s["_events"] and s["lang"] == "ar"
    s = press(fs, s, "age_16_17")
    assert SetProfile("age_band", "age_16_17") in s["_events"]
    assert not any(isinstance(e, SaveAnswer) for e in s["_events"])  # no consent yet
    s = press(fs, s, "yes")
    assert s["consent"] is True and last_ask(s["_events"]).kind == "menu"


def test_under_13_is_told_kindly_and_nothing_is_saved(fs):
    s = begin(fs, "onboarding")
    s = press(fs, s, "sv")
    s = press(fs, s, "under_13")
    texts = " ".join(e.msgid for e in s["_events"] if isinstance(e, (Say, End)) and e.msgid)
    assert "116 111" in texts and s["under13"] is True
    s = press(fs, s, "share_idea")
    s = press(fs, s, "school")
    s = step(fs, s, Text("A homework club on Saturdays"))
    assert not any(isinstance(e, (SaveAnswer, Forward)) for e in s["_events"])


def test_share_idea_with_subflow_forwards_answers_and_placeholder_label(fs):
    s = consented(fs)
    s = press(fs, s, "share_idea")
    s = press(fs, s, "housing")
    say = next(e for e in s["_events"] if isinstance(e, Say) and "{topic}" in e.msgid)
    assert say.params["topic"] == {"msgid": "Housing 🏠", "context": "share_idea/area/housing"}
    s = step(fs, s, Text("  Cheaper rooms for students  "))
    assert SaveAnswer("share_idea", "idea", "idea", "Cheaper rooms for students", True) in s["_events"]
    s = press(fs, s, "me")
    s = press(fs, s, "families")
    assert last_ask(s["_events"]).selected == ("me", "families")
    s = press(fs, s, "me")  # toggles off
    ask = last_ask(s["_events"])
    s = step(fs, s, Button(ask.ask, len(ask.choices)))  # Done
    assert last_ask(s["_events"]).step == "ask" and s["flow"] == "contact_permission"
    s = press(fs, s, "yes")
    ends = [e.flow for e in s["_events"] if isinstance(e, End)]
    assert ends == ["contact_permission", "share_idea"]
    forward = next(e for e in s["_events"] if isinstance(e, Forward))
    assert forward.answers == {
        "topic": "housing",
        "idea": "Cheaper rooms for students",
        "helps": ["families"],
        "followup_ok": True,
    }


def test_trigger_source_travels_with_the_forward(fs):
    flow_id, source = fs.trigger("workshop-malmo")
    s = begin(fs, flow_id, source=source, session={"consent": True})
    s = press(fs, s, "bad")
    s = step(fs, s, Command("skip"))  # optional number
    s = step(fs, s, Text("Too long"))
    assert any(isinstance(e, End) and "better" in (e.msgid or "") for e in s["_events"])  # any/equals condition
    forward = next(e for e in s["_events"] if isinstance(e, Forward))
    assert forward.source == "workshop-malmo" and forward.answers == {"rating": "bad", "comment": "Too long"}


def test_conditions_route_by_one_of(fs):
    s = begin(fs, "need", session={"consent": True})
    s = press(fs, s, "lonely")
    s = step(fs, s, Command("skip"))
    s = step(fs, s, Text("Someone to talk to"))
    assert any(isinstance(e, Say) and e.context == "need/support" for e in s["_events"])
    s = begin(fs, "need", session={"consent": True})
    s = press(fs, s, "money")
    s = step(fs, s, Command("skip"))
    s = step(fs, s, Text("A summer job"))
    assert not any(isinstance(e, Say) and e.context == "need/support" for e in s["_events"])


def test_wrong_answers_reask_with_reason_then_offer_skip_or_menu(fs):
    s = begin(fs, "share_idea", session={"consent": True})
    s = step(fs, s, Text("school please"))
    assert s["_events"] == [Reask("use_buttons", {}, False, s["ask"], 7)]
    s = step(fs, s, Button(s["ask"], 0))
    s = step(fs, s, Text("short"))
    assert s["_events"][0].reason == "too_short" and s["_events"][0].params == {"min": 10}
    s = step(fs, s, Text("x" * 2001))
    assert s["_events"][0].reason == "too_long"
    s = step(fs, s, Text("tiny"))
    reask = s["_events"][0]
    assert reask.offer_skip_or_menu is True
    s = step(fs, s, Button(reask.ask, skip_index(reask.n_choices)))
    saved = next(e for e in s["_events"] if isinstance(e, SaveAnswer))
    assert saved.name == "idea" and saved.skipped is True


def test_number_answers_accept_other_digits_and_check_range(fs):
    s = begin(fs, "workshop_feedback")
    s = press(fs, s, "good")
    s = step(fs, s, Text("many"))
    assert s["_events"][0].reason == "not_a_number"
    s = step(fs, s, Text("99"))
    assert s["_events"][0].reason == "out_of_range" and s["_events"][0].params == {"min": 1, "max": 50}
    s = step(fs, s, Text("2.5"))
    assert s["_events"][0].reason == "not_whole"
    s = step(fs, s, Text("٣"))  # Arabic-Indic three
    assert s["answers"]["workshops"] == 3


def test_stale_button_and_commands(fs):
    s = begin(fs, "share_idea")
    old = s["ask"]
    s = step(fs, s, Button(old, 0))
    s = step(fs, s, Button(old, 1))
    assert s["_events"] == [Stale(old)]
    s = step(fs, s, Command("back"))
    assert last_ask(s["_events"]).step == "area"
    s = step(fs, s, Command("skip"))
    assert any(isinstance(e, Say) for e in s["_events"]) and s["step"] == "area"
    s = step(fs, s, Command("language"))
    lang_ask = last_ask(s["_events"])
    assert lang_ask.kind == "language"
    s = step(fs, s, Button(lang_ask.ask, list(fs.languages).index("uk")))
    assert s["lang"] == "uk" and last_ask(s["_events"]).step == "area"
    s = step(fs, s, Command("restart"))
    assert last_ask(s["_events"]).step == "area" and s["answers"] == {}
    s = step(fs, s, Command("menu"))
    assert last_ask(s["_events"]).kind == "menu" and s["status"] == "menu"


def _variant(text: str, name: str = "share_idea.yaml"):
    others = [(str(p), p.read_text()) for p in flow_files(FLOWS) if p.name != name]
    return build_flowset(others + [(name, text)])


def test_version_change_moves_session_to_same_step(fs):
    s = begin(fs, "share_idea")
    s = press(fs, s, "work")
    original = (FLOWS / "share_idea.yaml").read_text()
    new_fs, problems = _variant(original.replace("Great, we love new ideas!", "We love ideas!"))
    assert problems == [] and new_fs.get("share_idea").version != s["version"]
    s = step(new_fs, s, Text("Summer jobs for people who are new here"))
    assert s["version"] == new_fs.get("share_idea").version and last_ask(s["_events"]).step == "who"


def test_version_change_with_removed_step_falls_back_safely(fs):
    s = begin(fs, "share_idea")
    s = press(fs, s, "work")  # now at step "idea"
    original = (FLOWS / "share_idea.yaml").read_text()
    changed = original.replace("next: idea\n", "next: idea_text\n").replace("- id: idea\n", "- id: idea_text\n")
    new_fs, problems = _variant(changed)
    assert problems == []
    s = step(new_fs, s, Text("Summer jobs for people who are new here"))
    assert any(isinstance(e, Say) and "updated" in e.msgid for e in s["_events"])
    assert last_ask(s["_events"]).step == "area"


def test_old_version_kept_in_flowset_lets_session_finish_on_it(fs):
    s = begin(fs, "share_idea")
    original = (FLOWS / "share_idea.yaml").read_text()
    new_fs, problems = replace_flow(fs, original.replace("What is your idea about?", "Which area?"), "share_idea.yaml")
    assert problems == []
    assert new_fs.get("share_idea", s["version"]) is fs.get("share_idea")
    s = press(new_fs, s, "school")
    assert s["version"] == fs.get("share_idea").version


def test_reminder_once_then_expiry(fs):
    s = begin(fs, "share_idea")
    s.pop("_events")
    s = Session.from_json(s)
    assert next_tick_at(fs, s) == NOW + timedelta(days=1)
    s2, events = tick(fs, s, now=NOW + timedelta(hours=23))
    assert events == []
    s2, events = tick(fs, s2, now=NOW + timedelta(days=1, hours=1))
    assert [type(e) for e in events] == [ReminderDue] and events[0].context == "share_idea/reminder"
    assert tick(fs, s2, now=NOW + timedelta(days=2))[1] == []
    assert next_tick_at(fs, s2) == NOW + timedelta(days=3)
    s3, events = tick(fs, s2, now=NOW + timedelta(days=3))
    assert events == [Expired("share_idea")] and s3.status == "expired" and next_tick_at(fs, s3) is None
    s4, events = resume(fs, s3, Text("hello?"), now=NOW + timedelta(days=4))
    assert last_ask(events).kind == "menu"


def test_events_round_trip_through_dicts(fs):
    s = consented(fs)
    s = press(fs, s, "share_idea")
    for e in s["_events"]:
        assert event_from_dict(json.loads(json.dumps(e.to_dict()))) == e


def test_damaged_session_does_not_crash(fs):
    for broken in ({}, {"flow": "gone", "step": "x", "status": "active"}, {"ask": "x", "answers": []}, None):
        s, events = resume(fs, Session.from_json(broken), Text("hi"), now=NOW)
        json.dumps(s.to_json())
        assert events
