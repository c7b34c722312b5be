"""Hostile flow files and `flows check`: an alias bomb, 10,000-deep nesting and a 5,000-step
flow are each one clear `file:line:col` problem within seconds and well under 1 GiB; the
check is close to linear, and its results are cached by content (the dashboard's flows
page does not check again on every visit)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.engine import check
from bot.engine.load import check_paths
from bot.engine.model import MAX_STEPS
from bot.base.yamlsource import parse_yaml
from tests.botfixtures import ROOT
from tests.hostile import ALIAS_BOMB, DEEP_NESTING, expected, long_flow
from tests.webfixtures import login
from tests.webfixtures import TEST_FLOW, add_staff, make_site

MEMORY_LIMIT = 1024**3  # the check runs under this address-space limit
BOUND = 60.0  # seconds: generous, the machine is shared; a second or two is expected


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def flows_check(path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "flows", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=BOUND,
        preexec_fn=limited,
    )
    return proc, time.monotonic() - started


@pytest.mark.parametrize("fixture", [ALIAS_BOMB, DEEP_NESTING], ids=lambda p: p.stem)
def test_a_hostile_file_is_one_clear_problem_within_seconds_and_1_gib(fixture):
    proc, took = flows_check(fixture)
    print(f"flows check {fixture.name}: {took:.2f} s")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr and "MemoryError" not in proc.stderr
    assert proc.stdout.splitlines() == [f"{fixture}:{expected(fixture)}"]


def test_the_alias_bomb_is_refused_at_its_first_anchor():
    assert expected(ALIAS_BOMB) == "8:6: anchors and aliases are not allowed"
    for text, where in (
        ("a: &x 1\nb: *x\n", "1:4"),
        ("a: 1\nb: *x\n", "2:4"),
        ("a: !!str &x 1\n", "1:4"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "1:7"),
    ):
        doc, problems = parse_yaml(text, "t.yaml")
        assert doc is None and [str(p) for p in problems] == [f"t.yaml:{where}: anchors and aliases are not allowed"]


def test_a_5000_step_flow_is_refused_past_the_step_limit_within_seconds(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(long_flow(5000), encoding="utf-8")
    proc, took = flows_check(path)
    print(f"flows check of 5,000 steps, start-up included: {took:.2f} s")
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        f"{path}:5:1: the flow has 5000 steps; a flow may have at most {MAX_STEPS} "
        "(split it into sub-flows with `type: flow`)"
    ]


def test_the_check_is_close_to_linear(tmp_path):
    """Every rule still runs on a flow past the limit: 5,000 valid steps, the step
    limit their only problem, in well under the 62 s this took when it was quadratic."""
    path = tmp_path / "long.yaml"
    path.write_text(long_flow(5000), encoding="utf-8")
    started = time.perf_counter()
    _, problems = check_paths([str(path)])
    took = time.perf_counter() - started
    print(f"check of a 5,000-step flow: {took:.2f} s")
    assert [p.message.split(";")[0] for p in problems] == ["the flow has 5000 steps"]
    assert took < 10.0


def test_a_flow_at_the_step_limit_is_fine(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(long_flow(MAX_STEPS), encoding="utf-8")
    assert check_paths([str(path)]) == (1, [])


def test_answers_named_before_a_step_follow_every_way_in(tmp_path):
    """The linear rule for "an earlier step saves it" still sees loops and joins."""
    text = TEST_FLOW.replace(
        "    next: thanks\n",
        "    next:\n      - when: {answer: idea, equals: again}\n        to: topic\n      - to: thanks\n",
    ).replace("text: What is your idea about?", 'text: "About {idea}?"')
    path = tmp_path / "idea.yaml"
    path.write_text(text, encoding="utf-8")
    assert check_paths([str(path)]) == (1, [])  # {idea} is saved before `topic` on the way round
    path.write_text(text.replace("to: topic", "to: thanks"), encoding="utf-8")
    _, problems = check_paths([str(path)])
    assert [p.message for p in problems] == ["'{idea}' names an answer that no earlier step saves"]


async def test_the_flows_page_checks_a_file_again_only_when_it_changed(tmp_path, monkeypatch):
    checks = []
    check_flows = check.check_flows

    def counting(flows):
        checks.append([f.id for f in flows])
        return check_flows(flows)

    monkeypatch.setattr(check, "check_flows", counting)
    site, engine = await make_site(tmp_path)
    await add_staff(site.sessionmaker, "ada", "admin")
    flow_file = site.settings.flows_dir / "idea.yaml"
    flow_file.write_text(TEST_FLOW.replace("Share an idea", "Share a fresh idea"), encoding="utf-8")
    try:
        async with TestClient(TestServer(site.app)) as client:
            await login(client, "ada")
            assert "Share a fresh idea" in await (await client.get("/flows")).text()
            checked = len(checks)
            for _ in range(3):
                assert (await client.get("/flows")).status == 200
                assert (await client.get("/flows/idea")).status == 200
            assert len(checks) == checked  # the same content: nothing checked again
            flow_file.write_text(TEST_FLOW.replace("Share an idea", "Share a new idea"), encoding="utf-8")
            assert "Share a new idea" in await (await client.get("/flows")).text()
            assert len(checks) == checked + 1
    finally:
        await engine.dispose()
