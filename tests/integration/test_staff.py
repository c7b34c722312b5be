"""The staff side in Telegram: admins replace flows by sending a `.yaml` file to the staff
group, `/flows` lists them; plus the pieces (cards, flow versions, problem lists)."""

from __future__ import annotations

import hashlib
import re
import shutil
from types import SimpleNamespace

from sqlalchemy import select

from bot.forwarding.cards import CARD_MAX, card_text, shorten
from bot.base.problems import Problem
from bot.app.services import build_services
from bot.telegram import flow_upload
from bot.telegram.staff import _command
from storage import flow_versions
from storage.models import FlowVersion
from tests.botfixtures import ROOT, bot_settings, running_bot
from tests.youth import Youth, onboard, settle

OLD_INTRO = "Great, we love new ideas! 💡"
NEW_INTRO = "Wonderful, an idea! Tell us everything. 💡"
PROBLEM_LINE = re.compile(r"^share_idea\.yaml:\d+:\d+: .+")


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


async def first_words_of_share_idea(fake, services, name: str) -> str:
    y = Youth.new(fake, services, first_name=name, language_code="en")
    await onboard(y)
    replies = await y.press("Share an idea")
    return replies[0].text.splitlines()[0]


async def test_admin_replaces_a_flow_from_telegram(fake_bot_api, tmp_path):
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    original = (flows / "share_idea.yaml").read_bytes()
    good = original.replace(OLD_INTRO.encode(), NEW_INTRO.encode())
    broken = good.replace(b"next: idea", b"next: ideas")
    alva = fake_bot_api.new_user(first_name="Alva", language_code="en")
    stina = fake_bot_api.new_user(first_name="Stina", language_code="en")
    group = fake_bot_api.new_group("Sammanhacket team", members=[stina], admins=[alva])
    settings = bot_settings(
        fake_bot_api,
        f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        tmp_path,
        staff_chat_id=group.chat.id,
        flows_dir=flows,
        rate_group_per_min=600.0,
    )

    async def upload(who, name: str, data: bytes) -> str:
        await who.send_document(name, data, mime_type="application/yaml", chat=group)
        await settle(services)
        return group.messages[-1].text

    async with running_bot(settings) as services:
        old_version = services.flowset.get("share_idea").version
        assert await first_words_of_share_idea(fake_bot_api, services, "Amina") == OLD_INTRO

        # a member who is not an admin is refused, nothing changes
        answer = await upload(stina, "share_idea.yaml", good)
        assert answer == "Sorry, only administrators of this group can change the flows."
        assert (flows / "share_idea.yaml").read_bytes() == original

        # an admin's valid file goes live, is saved and its version recorded
        answer = await upload(alva, "share_idea.yaml", good)
        assert answer.startswith("✅ share_idea.yaml applied: flow share_idea")
        assert f"version {version_of(good)} (was {old_version})" in answer
        assert (flows / "share_idea.yaml").read_bytes() == good
        assert [p.name for p in flows.iterdir() if p.name.startswith(".")] == []
        assert await first_words_of_share_idea(fake_bot_api, services, "Bilal") == NEW_INTRO
        async with services.sessionmaker() as s:
            stored = (await s.scalars(select(FlowVersion))).all()
        assert [(v.flow_id, v.version, v.source) for v in stored] == [("share_idea", version_of(good), good.decode())]

        # a broken file: errors as file:line:col, the applied flow stays live
        answer = await upload(alva, "share_idea.yaml", broken)
        lines = answer.splitlines()
        assert lines[0] == "❌ share_idea.yaml was not applied; the flows in use did not change."
        assert lines[1:] and all(PROBLEM_LINE.match(line) for line in lines[1:]), lines
        assert "ideas" in answer
        answer = await upload(alva, "share_idea.yaml", b"id: share_idea\nsteps: [\n")
        assert PROBLEM_LINE.match(answer.splitlines()[1]) and "YAML" in answer
        assert (flows / "share_idea.yaml").read_bytes() == good
        assert services.flowset.get("share_idea").version == version_of(good)
        assert await first_words_of_share_idea(fake_bot_api, services, "Cira") == NEW_INTRO

        # one id in two files would not load again after a restart; the crisis list is not a flow
        answer = await upload(alva, "ideas.yaml", good)
        assert "flow 'share_idea' is defined in share_idea.yaml" in answer
        assert not (flows / "ideas.yaml").exists()
        answer = await upload(alva, "safeguarding.yaml", (flows / "safeguarding.yaml").read_bytes())
        assert answer.startswith("safeguarding.yaml is the crisis word list")
        answer = await upload(alva, "../share_idea.yaml", good)
        assert answer.startswith("Please name the file like share_idea.yaml")
        answer = await upload(alva, "big.yaml", b"#" * (flow_upload.MAX_BYTES + 1))
        assert "too big" in answer

        await stina.send_command("/flows", chat=group)
        await settle(services)
        listed = group.messages[-1].text.splitlines()
        assert f"share_idea — Share an idea — version {version_of(good)}" in listed
        assert len(listed) == len(list(services.flowset))
        assert fake_bot_api.rejected == []

    # a restart keeps the applied flow, with the same version
    again = build_services(settings)
    try:
        assert again.flowset.get("share_idea").version == version_of(good)
    finally:
        await again.db.dispose()


async def test_flow_versions_are_recorded_once(db):
    from datetime import UTC, datetime

    now = datetime(2025, 3, 1, tzinfo=UTC)
    async with db.sessionmaker() as s, s.begin():
        assert await flow_versions.record(s, flow_id="need", version="aaa", source="id: need", now=now)
        assert not await flow_versions.record(s, flow_id="need", version="aaa", source="id: need", now=now)
        assert await flow_versions.record(s, flow_id="need", version="bbb", source="id: need\n", now=now.replace(day=2))
    async with db.sessionmaker() as s:
        assert [v.version for v in await flow_versions.history(s, "need")] == ["bbb", "aaa"]
        assert await flow_versions.history(s, "other") == []


def test_a_long_card_stays_one_message_ending_with_its_id():
    sub = SimpleNamespace(
        urgent=False,
        category=None,
        participant_pseudonym="Blue-Fox-12",
        language="en",
        detected_language=None,
        source=None,
        status="new",
        status_by=None,
        id=42,
        answers={"topic": "school", "idea": "homework " * 900, "helps": ["friends"]},
    )
    text = card_text(sub, "Share an idea")
    assert len(text) <= CARD_MAX and text.endswith("\n#42")
    assert "topic: school" in text and "helps: friends" in text and "homework…" in text
    assert shorten("short", 10) == "short"
    assert shorten("one two three four", 12) == "one two…"


def test_problem_lists_are_short_and_name_the_file(tmp_path):
    problems = [Problem(str(tmp_path / "need.yaml"), i, 3, f"problem {i}") for i in range(1, 31)]
    problems.append(Problem("/elsewhere/other.yaml", 1, 1, "elsewhere"))
    problems.insert(0, Problem(str(tmp_path / "menu.yaml"), 1, 1, "links to a missing flow"))
    lines = flow_upload._rejected("need.yaml", problems, tmp_path / "need.yaml").splitlines()
    assert lines[1] == "need.yaml:1:3: problem 1"
    assert "menu.yaml:1:1: links to a missing flow" not in lines  # the uploaded file's come first
    assert len(lines) == 1 + flow_upload.MAX_PROBLEMS_SHOWN + 1 and lines[-1] == "… and 7 more."


def test_commands_are_read_with_or_without_the_bot_name():
    assert _command("/flows") == _command("/flows@SammanBot all") == _command("/FLOWS") == "flows"
    assert _command("flows") is None and _command("/") is None and _command("/ flows") is None
