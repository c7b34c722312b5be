"""Hot reload of flows and catalogs: on file change (in-process bot) and on SIGHUP
(`python -m bot run` as a subprocess). A broken edit keeps the last good set live and
is reported in the log and, once, in the staff group; the fix is announced too."""

from __future__ import annotations

import asyncio
import shutil
import signal

import pytest

from bot.app.reload import ContentReloader, check_catalogs
from bot.app.services import build_services
from bot.base.settings import Settings
from tests.botfixtures import ROOT, bot_settings, running_bot
from tests.botprocess import BotProcess

BROKEN_NOTICE = "they have problems"
FIXED_NOTICE = "fine again"


@pytest.fixture
def content(tmp_path):
    """Copies of the shipped flows and catalogs that a test may edit."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return tmp_path


def break_flow(flows_dir) -> None:
    path = flows_dir / "share_idea.yaml"
    path.write_text(path.read_text().replace("- id: idea\n    type: text\n", "- id: idea\n    type: no_such_type\n", 1))


def retitle_flow(flows_dir, title: str) -> None:
    path = flows_dir / "share_idea.yaml"
    text = path.read_text().replace("type: no_such_type\n", "type: text\n", 1)
    path.write_text(text.replace("title: Share an idea", f"title: {title}", 1))


async def wait_for_log(path, needle: str, timeout: float = 30.0) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while needle not in (text := path.read_text(errors="replace")):
        if loop.time() > deadline:
            raise TimeoutError(f"{needle!r} not logged; log ends: {text[-1500:]}")
        await asyncio.sleep(0.05)
    return text


async def test_file_change_reloads_and_a_broken_edit_keeps_the_last_good_set(fake_bot_api, content):
    lead = fake_bot_api.new_user(first_name="Stina", last_name="Teamlead")
    group = fake_bot_api.new_group("Sammanhacket team", members=[lead])
    settings = bot_settings(
        fake_bot_api,
        f"sqlite+aiosqlite:///{content}/bot.db",
        content,
        flows_dir=content / "flows",
        locales_dir=content / "locales",
        staff_chat_id=group.chat.id,
    )
    async with running_bot(settings) as services:
        before = services.flowset.get("share_idea")

        break_flow(content / "flows")
        notice = await group.wait_for_reply(30, lambda m: BROKEN_NOTICE in (m.text or ""))
        assert "share_idea.yaml:" in notice.text and "no_such_type" in notice.text
        assert services.flowset.get("share_idea") is before  # the last good set is still live
        assert services.runtime.reloader.problems

        retitle_flow(content / "flows", "Share your idea")
        await group.wait_for_reply(30, lambda m: FIXED_NOTICE in (m.text or ""))
        assert services.flowset.get("share_idea").title == "Share your idea"
        assert services.runtime.reloader.problems == []

        await lead.send_command("/flows", chat=group)
        listing = await group.wait_for_reply(30, lambda m: "share_idea" in (m.text or ""))
        assert f"version {services.flowset.get('share_idea').version}" in listing.text
    broken = [m for m in group.messages if BROKEN_NOTICE in (m.text or "")]
    assert len(broken) == 1, "the same problems were reported more than once"


async def test_sighup_reloads_a_running_process(fake_bot_api, content):
    group = fake_bot_api.new_group("Sammanhacket team")
    bot = BotProcess(fake_bot_api, f"sqlite+aiosqlite:///{content}/bot.db", content, group.chat.id)
    bot.env.update(FLOWS_DIR=str(content / "flows"), LOCALES_DIR=str(content / "locales"))
    await bot.start()
    try:
        bot.proc.send_signal(signal.SIGHUP)
        await wait_for_log(bot.log, "reload (SIGHUP): 7 flows and the catalogs are live")

        break_flow(content / "flows")
        bot.proc.send_signal(signal.SIGHUP)
        log = await wait_for_log(bot.log, "reload (SIGHUP) found 1 problem(s)")
        assert "share_idea.yaml:" in log and "the last good flows and catalogs stay live" in log
        await group.wait_for_reply(30, lambda m: BROKEN_NOTICE in (m.text or ""))

        retitle_flow(content / "flows", "Share your idea")
        bot.proc.send_signal(signal.SIGHUP)
        await group.wait_for_reply(30, lambda m: FIXED_NOTICE in (m.text or ""))
        assert bot.proc.poll() is None, "SIGHUP must not stop the bot"
    finally:
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log.read_text()


async def test_a_broken_catalog_reloads_nothing_and_says_where(content, tmp_path):
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        var_dir=tmp_path / "var",
        flows_dir=content / "flows",
        locales_dir=content / "locales",
        pseudonym_key="test-pseudonym-key-not-secret",
    )
    services = build_services(settings)
    try:
        reloader = ContentReloader(services)
        sv = services.translator("sv")
        assert sv.gettext("Share an idea", "share_idea/title") == "Dela en idé"

        po = content / "locales" / "sv" / "LC_MESSAGES" / "messages.po"
        po.write_text(
            po.read_text(encoding="utf-8").replace('msgstr "Dela en idé"', 'msgstr "Dela en idé"\nDela', 1),
            encoding="utf-8",
        )
        retitle_flow(content / "flows", "Share your idea")
        problems = await reloader.reload("test")
        line = po.read_text(encoding="utf-8").splitlines().index("Dela") + 1
        assert problems == [f"{po}:{line}: Unknown or misformatted keyword"]
        assert problems == check_catalogs(content / "locales", ["sv", "en"])
        assert services.flowset.get("share_idea").title == "Share an idea"  # nothing changed
        assert services.translator("sv").gettext("Share an idea", "share_idea/title") == "Dela en idé"
    finally:
        await services.db.dispose()
