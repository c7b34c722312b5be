"""Flow files sent to the staff group, on the running bot against the fake Bot API: the
slow part runs after the update's transaction (a youth is answered meanwhile), hostile
files are refused within seconds while a youth talks, a failed save leaves the old flow
live and is told in plain words, and with FLOWS_SEED_DIR the admins' flows live on a
writable folder filled from the shipped ones."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from sqlalchemy import select, text

from bot.app.services import build_services
from bot.telegram import flow_upload
from storage.models import FlowVersion, Inbox, Submission
from tests.botfixtures import ROOT, bot_settings, running_bot, sqlite_url
from tests.hostile import ALIAS_BOMB, DEEP_NESTING, expected, long_flow
from tests.youth import Youth, onboard, settle
from tests.integration.test_staff import NEW_INTRO, OLD_INTRO, version_of

IDEA = "A homework club in the library after school, with volunteers who speak many languages."
NEW_FLOW = b"""\
id: new_flow
title: New flow
start: bye
expires_after: 3d
steps:
  - id: bye
    type: end
    text: "Thank you!"
"""


@contextlib.asynccontextmanager
async def staff_bot(fake: Any, tmp_path: Path, flows: Path | None = None, **overrides: Any) -> AsyncIterator[Any]:
    """The running bot on SQLite, its flows in a folder of their own, and a staff group
    whose administrator is Alva (an invented person)."""
    if flows is None:
        flows = tmp_path / "flows"
        shutil.copytree(ROOT / "flows", flows)
    alva = fake.new_user(first_name="Alva", language_code="en")
    group = fake.new_group("Sammanhacket team", admins=[alva])
    settings = bot_settings(
        fake,
        sqlite_url(tmp_path),
        tmp_path,
        staff_chat_id=group.chat.id,
        flows_dir=overrides.pop("flows_dir", flows),
        rate_group_per_min=600.0,
        **overrides,
    )
    async with running_bot(settings) as services:
        yield SimpleNamespace(
            services=services, group=group, admin=alva, flows=Path(settings.flows_dir), settings=settings, fake=fake
        )


async def upload(bot: Any, name: str, data: bytes) -> str:
    """Send a file as the admin; the bot's final answer about it, once everything settled."""
    seen = len(bot.group.messages)
    await bot.admin.send_document(name, data, mime_type="application/yaml", chat=bot.group)
    await settle(bot.services)
    return answer_about(bot, name, seen)


def answer_about(bot: Any, name: str, seen: int) -> str:
    """The newest message since `seen` about the file `name` but "checking it" (the group
    also gets submission cards)."""
    answers = [m.text for m in bot.group.messages[seen:] if name in m.text and "checking it…" not in m.text]
    return answers[-1] if answers else ""


async def versions(services: Any) -> list[tuple[str, str]]:
    async with services.sessionmaker() as s:
        return [(v.flow_id, v.version) for v in (await s.scalars(select(FlowVersion))).all()]


async def wait_until(condition: Any, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.02)


def edited_share_idea(flows: Path) -> tuple[bytes, bytes]:
    original = (flows / "share_idea.yaml").read_bytes()
    return original, original.replace(OLD_INTRO.encode(), NEW_INTRO.encode())


async def test_a_youth_is_answered_while_an_upload_waits_for_telegram(fake_bot_api, tmp_path):
    """getFile takes seconds: that happens after the update's transaction, so on SQLite
    (one writer) the youth's next answer does not wait for it (#22.12)."""
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        services = bot.services
        original, good = edited_share_idea(bot.flows)
        old_version = services.flowset.get("share_idea").version
        amina = Youth.new(fake_bot_api, services, first_name="Amina", language_code="en")
        await onboard(amina)

        fake_bot_api.faults.timeout_next(1, seconds=6, method="getFile", deliver=True)
        await bot.admin.send_document("share_idea.yaml", good, mime_type="application/yaml", chat=bot.group)
        await wait_until(lambda: "getFile" in fake_bot_api.calls_per_method())
        seen = len(amina.user.messages)
        await amina.step(amina.user.press("Share an idea"))
        # Answered while the download still hung: nothing of the upload has happened yet.
        assert amina.user.messages[seen].text.splitlines()[0] == OLD_INTRO
        assert services.flowset.get("share_idea").version == old_version
        assert (bot.flows / "share_idea.yaml").read_bytes() == original
        assert bot.group.messages[-1].text == "📥 share_idea.yaml: checking it…"

        await settle(services)
        assert bot.group.messages[-1].text.startswith("✅ share_idea.yaml applied")
        assert (bot.flows / "share_idea.yaml").read_bytes() == good
        assert services.flowset.get("share_idea").version == version_of(good)
        assert await versions(services) == [("share_idea", version_of(good))]


HOSTILE = [
    ("alias_bomb.yaml", ALIAS_BOMB.read_bytes(), f"alias_bomb.yaml:{expected(ALIAS_BOMB)}"),
    ("deep_nesting.yaml", DEEP_NESTING.read_bytes(), f"deep_nesting.yaml:{expected(DEEP_NESTING)}"),
    (
        "long.yaml",
        long_flow(1200).encode(),
        "long.yaml:5:1: the flow has 1200 steps; a flow may have at most 1000 "
        "(split it into sub-flows with `type: flow`)",
    ),
]


async def test_hostile_uploads_are_refused_while_a_youth_shares_an_idea(fake_bot_api, tmp_path):
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        services = bot.services
        bilal = Youth.new(fake_bot_api, services, first_name="Bilal", language_code="en")
        await onboard(bilal)
        before = {f.id: f.version for f in services.flowset}

        async def share_an_idea() -> None:
            for action in ("Share an idea", "School", IDEA, "My friends", "Done", "Yes"):
                act = bilal.user.send_text(action) if action == IDEA else bilal.user.press(action)
                await bilal.step(act, timeout=30)

        async def send_hostile_files() -> list[str]:
            answers = []
            for name, data, _ in HOSTILE:
                seen = len(bot.group.messages)
                await bot.admin.send_document(name, data, mime_type="application/yaml", chat=bot.group)
                await wait_until(partial(answer_about, bot, name, seen))
                answers.append(answer_about(bot, name, seen))
            answers.append(await upload(bot, "huge.yaml", long_flow(5000).encode()))
            return answers

        _, answers = await asyncio.gather(share_an_idea(), send_hostile_files())
        for answer, (name, _, problem) in zip(answers, HOSTILE, strict=False):  # answers[-1]: huge.yaml
            assert answer.splitlines() == [f"❌ {name} was not applied; the flows in use did not change.", problem]
        assert answers[-1] == f"huge.yaml is too big: a flow file may be at most {flow_upload.MAX_BYTES // 1024} KiB."
        await settle(services)
        assert "Thank you for sharing your idea! 🌟" in "\n".join(bilal.texts())  # as on any other day
        async with services.sessionmaker() as s:
            assert (await s.scalars(select(Submission.answers))).one()["idea"] == IDEA
        assert {f.id: f.version for f in services.flowset} == before
        assert sorted(p.name for p in bot.flows.iterdir()) == sorted(p.name for p in (ROOT / "flows").iterdir())
        async with services.sessionmaker() as s:
            assert (await s.scalars(select(Inbox.status).where(Inbox.status != "done"))).all() == []


async def test_a_check_past_its_time_limit_changes_nothing(fake_bot_api, tmp_path, monkeypatch):
    monkeypatch.setattr(flow_upload, "CHECK_TIMEOUT", 0.0)
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        original, good = edited_share_idea(bot.flows)
        answer = await upload(bot, "share_idea.yaml", good)
        assert answer == (
            "❌ share_idea.yaml took more than 0 seconds to check, so it was not applied. "
            "The flows in use did not change."
        )
        assert (bot.flows / "share_idea.yaml").read_bytes() == original
        assert await versions(bot.services) == []


async def test_an_upload_waits_for_a_check_still_running_past_its_time_limit(fake_bot_api, tmp_path, monkeypatch):
    import threading

    slow, real = threading.Event(), flow_upload.check_upload

    def slow_check(*args: Any) -> Any:  # a check that takes long, as a hostile file might
        slow.wait(30)
        return real(*args)

    monkeypatch.setattr(flow_upload, "CHECK_TIMEOUT", 0.2)
    monkeypatch.setattr(flow_upload, "check_upload", slow_check)
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        original, good = edited_share_idea(bot.flows)
        assert "took more than" in await upload(bot, "share_idea.yaml", good)
        assert await upload(bot, "share_idea.yaml", good) == (
            "❌ share_idea.yaml was not applied: an earlier upload is still being checked. "
            "Try again in a minute. The flows in use did not change."
        )
        slow.set()
        await asyncio.sleep(0.5)  # the first check's thread ends
        monkeypatch.setattr(flow_upload, "CHECK_TIMEOUT", 20.0)
        assert "share_idea" in await upload(bot, "share_idea.yaml", good)
        assert (bot.flows / "share_idea.yaml").read_bytes() == good


# -- a save that fails ---------------------------------------------------------------------
def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} is not possible here: {done.stderr.strip()}")


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """The folder read-only, as compose.yaml's `./flows:/app/flows:ro` was: a read-only
    bind mount as root (root writes through any mode bits), the mode bits otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "the bot may not write in the flows folder"
        finally:
            folder.chmod(0o755)
        return
    _mount("--bind", str(folder), str(folder))
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        yield "the flows folder is read-only"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@contextlib.contextmanager
def full_disk(folder: Path) -> Iterator[str]:
    """The flows on a small file system with no room left."""
    if os.geteuid() != 0:
        pytest.skip("a full file system needs a tmpfs mount, which needs root")
    shipped = [(p.name, p.read_bytes()) for p in folder.iterdir()]
    _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder))
    try:
        for name, data in shipped:
            (folder / name).write_bytes(data)
        with contextlib.suppress(OSError), open(folder / ".filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
                os.fsync(filler.fileno())
        yield "the disk is full"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("failure", [read_only, full_disk], ids=["read-only", "disk full"])
async def test_a_flow_that_cannot_be_saved_is_told_in_plain_words(fake_bot_api, tmp_path, failure):
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    original, good = edited_share_idea(flows)
    with failure(flows) as reason:
        async with staff_bot(fake_bot_api, tmp_path, flows=flows) as bot:
            old_version = bot.services.flowset.get("share_idea").version
            answer = await upload(bot, "share_idea.yaml", good)
            assert answer == (
                f"❌ share_idea.yaml was not applied: I could not save it, because {reason}. "
                "The flows in use did not change. Please tell whoever runs the bot "
                "(FLOWS_DIR must be a folder the bot can write)."
            )
            assert bot.services.flowset.get("share_idea").version == old_version
            assert (flows / "share_idea.yaml").read_bytes() == original
            assert await versions(bot.services) == []
            assert not [p for p in flows.iterdir() if p.name.endswith(".tmp")]


async def test_a_rename_that_fails_after_the_commit_takes_the_version_back(fake_bot_api, tmp_path):
    """The version is committed before the file is renamed into place; when the rename
    fails (here a folder of that name is in the way) the flow does not go live and the
    recorded version is removed again."""
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        (bot.flows / "new_flow.yaml").mkdir()  # not a flow file: the loader skips it
        answer = await upload(bot, "new_flow.yaml", NEW_FLOW)
        assert answer.startswith(
            "❌ new_flow.yaml was not applied: I could not save it, because a folder of that name is in the way."
        )
        assert bot.services.flowset.get("new_flow") is None
        assert await versions(bot.services) == []
        (bot.flows / "new_flow.yaml").rmdir()
        answer = await upload(bot, "new_flow.yaml", NEW_FLOW)
        assert answer.startswith("✅ new_flow.yaml applied: flow new_flow")
        assert bot.services.flowset.get("new_flow").version == version_of(NEW_FLOW)
        assert await versions(bot.services) == [("new_flow", version_of(NEW_FLOW))]


async def test_a_version_the_database_cannot_record_leaves_the_old_file(fake_bot_api, tmp_path):
    """The file is renamed into place only after the version is committed: a database
    that fails leaves the old file and the old flow (before, a rollback left the new file)."""
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        original, good = edited_share_idea(bot.flows)
        old_version = bot.services.flowset.get("share_idea").version
        async with bot.services.sessionmaker() as s, s.begin():
            await s.execute(text("DROP TABLE flow_versions"))  # a database that cannot take the record
        answer = await upload(bot, "share_idea.yaml", good)
        assert answer == (
            "❌ share_idea.yaml was not applied: the database could not record it. "
            "The flows in use did not change. Please try again."
        )
        assert (bot.flows / "share_idea.yaml").read_bytes() == original
        assert bot.services.flowset.get("share_idea").version == old_version
        assert sorted(p.name for p in bot.flows.iterdir()) == sorted(p.name for p in (ROOT / "flows").iterdir())


def test_why_names_the_common_failures_in_plain_words():
    from bot.base.flows_dir import why

    assert why(OSError(errno.EROFS, "Read-only file system")) == "the flows folder is read-only"
    assert why(OSError(errno.ENOSPC, "No space left on device")) == "the disk is full"
    assert why(OSError(errno.EIO, "Input/output error")) == "input/output error"


# -- admins' flows on a writable volume (#22.13) --------------------------------------------
async def test_uploads_go_to_a_writable_folder_seeded_from_the_shipped_flows(fake_bot_api, tmp_path):
    shipped = tmp_path / "image-flows"  # the image's flows, read-only in the container
    shutil.copytree(ROOT / "flows", shipped)
    volume = tmp_path / "var" / "flows"
    original, good = edited_share_idea(shipped)
    with read_only(shipped):
        async with staff_bot(fake_bot_api, tmp_path, flows=shipped, flows_dir=volume, flows_seed_dir=shipped) as bot:
            assert sorted(p.name for p in volume.iterdir()) == sorted(p.name for p in shipped.iterdir())
            answer = await upload(bot, "share_idea.yaml", good)
            assert answer.startswith("✅ share_idea.yaml applied")
            assert (volume / "share_idea.yaml").read_bytes() == good
            assert (shipped / "share_idea.yaml").read_bytes() == original
            settings = bot.settings
        # Whoever edits the volume's crisis word list by hand: the reviewed, shipped one wins.
        (volume / "safeguarding.yaml").write_text("help: {}\nphrases: {}\n", encoding="utf-8")
        # A process that died between writing and renaming left its temporary file behind.
        stale, fresh = volume / ".share_idea.yaml.4242.0badc0de.tmp", volume / ".share_idea.yaml.4243.c0ffee00.tmp"
        for left in (stale, fresh):
            left.write_bytes(good)
        os.utime(stale, (0, 0))
        again = build_services(settings)  # a restart, with a newer image even
        try:
            assert again.flowset.get("share_idea").version == version_of(good)  # the admin's flow stays
            assert (volume / "safeguarding.yaml").read_bytes() == (shipped / "safeguarding.yaml").read_bytes()
            assert not stale.exists() and fresh.exists()  # one being written right now stays
        finally:
            await again.db.dispose()


def test_compose_keeps_the_flows_on_the_writable_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        if not name.startswith("bot-"):
            continue
        env = service["environment"]
        mounts = {
            target: (source, mode) for source, target, *mode in (volume.split(":") for volume in service["volumes"])
        }
        volume_at = next(target for target, (source, _) in mounts.items() if source in compose["volumes"])
        assert env["FLOWS_DIR"].startswith(volume_at + "/"), "admins' flows must be on the named volume"
        assert mounts[env["FLOWS_SEED_DIR"]] == ("./flows", ["ro"]), "the shipped flows seed it"
