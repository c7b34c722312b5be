"""Small dashboard parts on their own: login limiter, redirect targets, flow diagram."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.engine import load_flows
from bot.web.auth import safe_next
from bot.web.diagram import layout
from bot.web.ratelimit import LoginLimiter
from tests.webfixtures import T0, FakeClock, write_test_flows


def test_limiter_counts_failures_per_name_and_per_address_in_a_sliding_window():
    clock = FakeClock()
    limiter = LoginLimiter(clock, max_failures=3, window=timedelta(minutes=15))
    for i in range(3):
        assert not limiter.blocked("Ada", f"10.0.0.{i}")
        limiter.failed("Ada", f"10.0.0.{i}")
    assert limiter.blocked("ada ", "10.0.0.9")  # the name, from anywhere
    assert not limiter.blocked("bo", "10.0.0.9")
    for _ in range(3):
        limiter.failed(f"guess{_}", "10.0.0.8")
    assert limiter.blocked("bo", "10.0.0.8")  # the address, for any name
    clock.now = T0 + timedelta(minutes=15, seconds=1)
    assert not limiter.blocked("ada", "10.0.0.8")


def test_success_clears_the_name_but_not_the_address():
    limiter = LoginLimiter(FakeClock(), max_failures=2)
    limiter.failed("ada", "10.0.0.1")
    limiter.failed("ada", "10.0.0.1")
    limiter.succeeded("ada")
    assert not limiter.blocked("ada", "10.0.0.2")
    assert limiter.blocked("ada", "10.0.0.1")


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
