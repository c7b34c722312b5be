"""The flow validator: the fixture flows pass; each broken fixture gives its exact problem.

The shipped flows are checked in tests/unit/test_shipped_flows.py, `python -m bot flows check`
in tests/integration/test_flows_check_cli.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.load import check_command, check_paths
from bot.engine.load import build_flowset, load_flow_text

from tests.brokenflows import BROKEN, expectation

FLOWS = Path(__file__).resolve().parent / "flows"
VALID = """\
id: demo
title: Demo
start: ask
expires_after: 3d
steps:
  - id: ask
    type: text
    text: Your idea?
    save: idea
    next: bye
  - id: bye
    type: end
    text: "Thanks for {idea}"
"""


def test_there_are_at_least_twenty_broken_fixtures():
    assert len(BROKEN) >= 20


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_flow_reports_its_problem_at_the_right_place(path):
    position, message = expectation(path)
    _, problems = build_flowset([(path.name, path.read_text(encoding="utf-8"))])
    rendered = [str(p) for p in problems]
    assert any(r.startswith(f"{path.name}:{position}: ") and message in r for r in rendered), rendered


def test_fixture_flows_check_clean(capsys):
    assert check_command([str(FLOWS)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_every_problem_is_reported_not_just_the_first():
    text = VALID.replace("next: bye", "next: by").replace("expires_after: 3d", "expires_after: soon")
    _, problems = load_flow_text(text, "demo.yaml")
    messages = " | ".join(p.message for p in problems)
    assert "unknown step 'by'" in messages and "bad duration 'soon'" in messages


def test_duplicate_flow_ids_across_files():
    _, problems = build_flowset([("a.yaml", VALID), ("b.yaml", VALID)])
    assert [str(p) for p in problems] == ["b.yaml:1:5: duplicate flow id 'demo' (also in a.yaml)"]


def test_subflow_cycle_is_reported():
    a = (
        VALID.replace("id: demo", "id: one")
        .replace("type: text\n    text: Your idea?\n    save: idea", "type: flow\n    flow: two")
        .replace("{idea}", "you")
    )
    b = a.replace("id: one", "id: two").replace("flow: two", "flow: one")
    _, problems = build_flowset([("one.yaml", a), ("two.yaml", b)])
    assert any("leads back into 'one'" in p.message for p in problems)


def test_missing_path_is_a_problem_not_a_crash():
    _, problems = check_paths(["/nonexistent/flows"])
    assert problems and "no such file" in problems[0].message


@pytest.mark.parametrize("levels", [100, 5000])
def test_deeply_nested_yaml_is_a_problem_not_a_crash(tmp_path, levels):
    path = tmp_path / "deep.yaml"
    path.write_text("id: deep\nsteps: " + "[" * levels + "]" * levels + "\n", encoding="utf-8")
    _, problems = check_paths([str(path)])
    assert problems and "nested more than" in problems[0].message
    assert str(problems[0]).startswith(f"{path}:")


yaml_fragments = st.sampled_from(
    [
        "id: demo\n",
        "title: Demo\n",
        "start: ask\n",
        "expires_after: 3d\n",
        "steps:\n",
        "  - id: ask\n",
        "    type: text\n",
        "    type: choice\n",
        "    choices:\n",
        "      - id: a\n",
        "        label: A\n",
        "    text: [a, b]\n",
        "    next: bye\n",
        "    next:\n      - when: {answer: x, gt: 1}\n        to: ask\n",
        "  - id: bye\n    type: end\n",
        "    text: '{x'\n",
        "  - 3\n",
        "menu: {order: x}\n",
        ": :\n",
        "&a [*a]\n",
        "!!python/object:os.system x\n",
        "triggers: [{payload: 'a b'}]\n",
        "\t\n",
        "{\n",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_fragments, max_size=14), st.text(max_size=30))
def test_fuzzed_flow_files_never_raise(fragments, noise):
    text = "".join(fragments) + noise
    flowset, problems = build_flowset([("fuzz.yaml", text)])
    assert (flowset is None) == bool(problems)
    for p in problems:
        assert p.line >= 1 and p.col >= 1 and p.message


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.text(max_size=5))
def test_mutated_valid_flow_never_raises(cut, insert):
    build_flowset([("mut.yaml", VALID[:cut] + insert + VALID[cut:])])


def test_a_mistyped_next_is_the_only_problem_said_not_the_loops_it_causes():
    files = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(FLOWS.glob("*.yaml"))]
    text = dict(files)["share_idea.yaml"]
    assert "next: who\n" in text
    files = [(n, t.replace("next: who\n", "next: whoo\n", 1) if n == "share_idea.yaml" else t) for n, t in files]
    _, problems = build_flowset(files)
    assert [p.message for p in problems] == ["unknown step 'whoo' (did you mean 'who'?)"]
