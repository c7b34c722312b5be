"""Small dashboard parts on their own: redirect targets, flow diagram (the login limiter:
test_login_lockout.py)."""

from __future__ import annotations

from pathlib import Path

from bot.engine import load_flows
from bot.web.auth import safe_next
from bot.web.diagram import layout
from tests.webfixtures import write_test_flows


def test_only_local_paths_are_followed_after_login():
    assert safe_next("/submissions?flow=idea", "/") == "/submissions?flow=idea"
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(bad, "/home") == "/home"


def test_diagram_places_steps_by_distance_and_draws_every_route(tmp_path: Path):
    flowset, problems = load_flows(write_test_flows(tmp_path / "flows"))
    assert not problems
    nodes, edges, width, height = layout(flowset.get("idea"))
    ys = {n.id: n.y for n in nodes}
    assert ys["topic"] < ys["idea"] < ys["thanks"]
    assert len(edges) == 2 and not any(e.back for e in edges)
    assert all(0 <= n.x and n.x + 190 <= width and n.y + 54 <= height for n in nodes)


BRANCHING_FLOW = """\
id: branch
title: Branching
start: topic
expires_after: 1d
steps:
  - id: topic
    type: choice
    text: Pick one
    save: topic
    choices:
      - id: school
        label: School
      - id: other
        label: Other
    next:
      - when: {answer: topic, equals: school}
        to: more
      - when: {not: {answered: topic}}
        to: topic
      - to: done
  - id: more
    type: text
    text: Tell us more
    save: more
    next: done
  - id: done
    type: end
    text: Bye
"""


def test_diagram_labels_conditions_and_draws_loops_round_the_side(tmp_path: Path):
    (tmp_path / "branch.yaml").write_text(BRANCHING_FLOW, encoding="utf-8")
    flowset, problems = load_flows(tmp_path)
    assert not problems, [str(p) for p in problems]
    _nodes, edges, _w, _h = layout(flowset.get("branch"))
    assert sorted(e.label for e in edges) == ["", "not topic answered", "otherwise", "topic = school"]
    assert [e.label for e in edges if e.back] == ["not topic answered"]
