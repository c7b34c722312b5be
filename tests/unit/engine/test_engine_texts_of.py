"""text_contexts: every user-facing text of a flow with the context events use."""

from __future__ import annotations

from pathlib import Path

from bot.engine import load_flows, start, text_contexts
from bot.engine.events import Ask, Say

FLOWS = Path(__file__).resolve().parent / "flows"  # fixture flows, not the shipped ones


def test_contexts_and_lines_match_the_yaml():
    fs, _ = load_flows(FLOWS)
    flow = fs.get("share_idea")
    entries = list(text_contexts(flow))
    lines = (FLOWS / "share_idea.yaml").read_text(encoding="utf-8").splitlines()
    for context, msgid, line in entries:
        assert msgid in lines[line - 1], (context, msgid, line)
    contexts = {c for c, _, _ in entries}
    assert {"share_idea/title", "share_idea/reminder", "share_idea/area", "share_idea/area/school"} <= contexts


def test_every_text_an_event_carries_is_extracted():
    fs, _ = load_flows(FLOWS)
    known = {(c, m) for f in fs.flows.values() for c, m, _ in text_contexts(f)}
    _, events = start(fs, "share_idea", now=__import__("datetime").datetime(2025, 1, 1), lang="en")
    for e in events:
        if isinstance(e, (Say, Ask)) and e.context:
            assert (e.context, e.msgid) in known
        if isinstance(e, Ask):
            for _, label, ctx in e.choices:
                assert ctx is None or (ctx, label) in known
