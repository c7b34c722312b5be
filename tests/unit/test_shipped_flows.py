"""The shipped flows/ folder as content: it checks clean and every flow can be reached.

The engine's own tests use fixture flows (tests/unit/engine/flows/). The other content tests
of what ships: every text translated (tests/integration/test_i18n_catalogs.py), the crisis
word list valid (tests/unit/safeguarding/test_safeguarding_lexicon.py), every flow played
through by a youth (tests/integration/test_app.py).
"""

from __future__ import annotations

from pathlib import Path

from bot.engine import load_flows
from bot.engine.load import check_command
from bot.engine.model import FlowStep

SHIPPED = Path(__file__).resolve().parents[2] / "flows"


def test_shipped_flows_check_clean(capsys):
    assert check_command([str(SHIPPED)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_every_shipped_flow_is_reachable_from_onboarding_or_the_menu():
    flowset, problems = load_flows(SHIPPED)
    assert problems == [] and flowset is not None and flowset.onboarding_id is not None
    reachable: set[str] = set()
    todo = [flowset.onboarding_id, *(f.id for f in flowset.menu())]
    while todo:
        flow_id = todo.pop()
        if flow_id in reachable:
            continue
        reachable.add(flow_id)
        flow = flowset.get(flow_id)
        assert flow is not None, flow_id
        todo += [step.flow for step in flow.steps.values() if isinstance(step, FlowStep)]
    assert reachable == set(flowset.flows)
