"""Sessions stored before the typed session state still load and resume to the end.

The fixtures (tests/stored_sessions/) are `sessions.state` rows written by the code of
before: invented youth partway through flows. Each is given to the simulated youth (the
conversation code Telegram runs), answered question by question until the run ends at
the menu; later turns load it back from the sessions table. All people are invented."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app.services import build_services
from bot.base.settings import Settings
from bot.dialogue import simulation, state, youth
from bot.engine import events as ev
from storage.migrate import ensure_schema

ROOT = Path(__file__).resolve().parents[2]
STORED = json.loads((ROOT / "tests/stored_sessions/before_typed_state.json").read_text())["youth"]
BY_NAME = {y["name"]: y for y in STORED}
NOW = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)  # half an hour after they were stored


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_stored_form_reads_and_writes_back_the_same(name):
    raw = BY_NAME[name]["session"]
    assert state.dump(*_loaded(raw)) == raw


def _loaded(raw: dict[str, Any]) -> tuple[Any, Any]:
    session, front = state.load(raw)
    assert session is not None
    return session, front


class Youth:
    """The simulated youth on a database of its own, resting on a stored session."""

    def __init__(self, services: Any, stored: dict[str, Any]) -> None:
        self.services, self.saved, self.now = services, stored, NOW
        self.events: list[ev.Event] = []
        self.calls: list[Any] = []

    async def turn(self, act: Any) -> None:
        async with self.services.sessionmaker.begin() as s:
            conv = await simulation.open_youth(self.services, s, self.now, None, self.saved)
            self.saved = None  # from now on: the row the last turn saved
            await act(conv)
            await conv.close()
        self.events += conv.events
        self.calls += conv.record or []
        self.now += timedelta(minutes=1)

    async def answer_until_menu(self, limit: int = 20) -> None:
        """Answer each question asked (16-17 for the age, else the first choice, or Done
        once something is chosen)."""
        for _ in range(limit):
            ask = [e for e in self.events if isinstance(e, ev.Ask)][-1]
            if ask.kind == "menu":
                return
            await self.turn(lambda conv, ask=ask: _answer(conv, ask))
        raise AssertionError("the run did not end")

    def forwards(self) -> list[ev.Forward]:
        return [e for e in self.events if isinstance(e, ev.Forward)]

    def ended(self) -> list[str]:
        return [e.flow for e in self.events if isinstance(e, ev.End)]


async def _answer(conv: Any, ask: ev.Ask) -> None:
    n = len(ask.choices)
    if ask.kind in ("text", "number"):
        await simulation.write(conv, "3" if ask.kind == "number" else "A good idea for all of us")
    elif ask.kind == "multi" and ask.selected:
        await youth.press(conv, f"{ask.ask}:{n}")  # Done
    else:
        ids = [c[0] for c in ask.choices]
        await youth.press(conv, f"{ask.ask}:{ids.index('age_16_17') if 'age_16_17' in ids else 0}")


@pytest.fixture
async def services(tmp_path):
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/stored.db",
        var_dir=tmp_path / "var",
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
    )
    services = build_services(simulation.simulation_settings(settings))
    await ensure_schema(services.db)
    yield services
    await services.db.dispose()


async def resumed(services: Any, name: str) -> Youth:
    young = Youth(services, {"profile": BY_NAME[name]["profile"], "session": BY_NAME[name]["session"]})
    await young.turn(lambda conv: conv.repeat())  # "continue where you left off"
    await young.answer_until_menu()
    return young


async def test_onboarding_resumes_at_its_question(services):
    young = await resumed(services, "onboarding_at_age")  # onboarding ends at the menu: no End
    assert ev.SetProfile("age_band", "age_16_17") in young.events and ev.SetProfile("consent", True) in young.events


async def test_a_deep_link_waiting_for_onboarding_starts_after_it(services):
    young = await resumed(services, "deep_link_waits_for_onboarding")
    assert young.ended() == ["workshop_feedback"]
    [forward] = young.forwards()
    assert forward.flow == "workshop_feedback" and forward.source == "workshop-malmo"


async def test_a_half_made_choice_and_earlier_answers_are_kept(services):
    young = await resumed(services, "share_idea_multi_half_chosen")
    assert young.ended() == ["contact_permission", "share_idea"]
    [forward] = young.forwards()
    assert forward.answers["topic"] == "housing" and forward.answers["idea"] == "Cheaper rooms for students"
    assert forward.answers["helps"] == ["me"]


async def test_a_sub_flow_returns_to_its_caller(services):
    young = await resumed(services, "share_idea_in_subflow")
    assert young.ended() == ["contact_permission", "share_idea"]
    [forward] = young.forwards()
    assert forward.answers["idea"] == "A homework club on Saturdays" and forward.answers["helps"] == ["families"]


@pytest.mark.parametrize("name", ["need_after_skip", "workshop_feedback_wrong_answer"])
async def test_other_flows_finish(services, name):
    young = await resumed(services, name)
    flow = BY_NAME[name]["session"]["flow"]
    assert young.ended()[-1] == flow and [f.flow for f in young.forwards()] == [flow]


async def test_the_menu_goes_on(services):
    young = await resumed(services, "at_the_menu")
    assert young.ended() == []
    await young.turn(lambda conv: youth.press(conv, f"{young.events[-1].ask}:0"))
    await young.answer_until_menu()
    assert len(young.forwards()) == 1


async def test_a_waiting_team_question_gets_its_answer(services):
    young = Youth(services, {k: BY_NAME["team_question_waiting"][k] for k in ("profile", "session")})
    await young.turn(lambda conv: simulation.write(conv, "We meet on Tuesdays"))
    [reply] = [c for c in young.calls if c.chat_id == -100123]
    assert reply.payload["reply_parameters"]["message_id"] == 42 and reply.payload["text"].endswith("#7")
    await young.turn(lambda conv: simulation.write(conv, "And Thursdays"))
    assert len([c for c in young.calls if c.chat_id == -100123]) == 1  # asked once, answered once
