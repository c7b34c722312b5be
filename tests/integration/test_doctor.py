"""`python -m bot doctor` against the fake Bot API: a good set-up passes (exit 0); a
broken one fails (exit 1) and says, in plain words, what to fix."""

from __future__ import annotations

import asyncio
import io
import shutil
import sys

from bot.cli.doctor import FAIL, OK, check_telegram, doctor_command
from tests.botfixtures import ROOT, bot_settings
from storage.migrate import ensure_schema
from tests.clirun import cli_env


async def doctor(env: dict[str, str], cwd) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode, out.decode()


def base_env(fake, tmp_path, **extra: str) -> dict[str, str]:
    return cli_env(tmp_path, **{"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url} | extra)


async def test_a_good_set_up_passes(fake_bot_api, tmp_path):
    group = fake_bot_api.new_group("Sammanhacket team")
    env = base_env(fake_bot_api, tmp_path, STAFF_CHAT_ID=str(group.chat.id))
    await ensure_schema(env["DATABASE_URL"])  # the bot has run once
    code, out = await doctor(env, tmp_path)
    assert code == 0, out
    assert "✓ token: the bot is @sammanbot_test_bot" in out
    assert "✓ staff chat: the bot is member of “Sammanhacket team” and may write there" in out
    assert "✓ database:" in out and "✓ flows:" in out and "✓ catalogs:" in out and "✓ bot profile:" in out
    assert "✗" not in out and "All good" in out
    assert fake_bot_api.calls_per_method().keys() <= {"getMe", "getChat", "getChatMember"}  # it sends nothing


async def test_a_sqlite_file_not_there_yet_is_a_warning_and_nothing_is_created(fake_bot_api, tmp_path):
    absent = tmp_path / "no" / "such" / "folder" / "bot.db"
    group = fake_bot_api.new_group("Sammanhacket team")
    env = base_env(fake_bot_api, tmp_path, DATABASE_URL=f"sqlite:///{absent}", STAFF_CHAT_ID=str(group.chat.id))
    code, out = await doctor(env, tmp_path)
    assert code == 0, out
    assert (
        f"! database: there is no SQLite database at {absent} yet; the bot creates it (and its folder) on first start"
        in out
    )
    assert not (tmp_path / "no").exists()


async def test_a_broken_set_up_fails_and_says_what_to_fix(fake_bot_api, tmp_path):
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    flow = tmp_path / "flows" / "need.yaml"
    flow.write_text(flow.read_text().replace("start:", "strat:", 1))
    po = tmp_path / "locales" / "ar" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "dangling"\n', encoding="utf-8")
    env = base_env(
        fake_bot_api,
        tmp_path,
        TELEGRAM_BOT_TOKEN="123456:NOT-THE-RIGHT-TOKEN-but-of-the-right-form",
        DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/sammanbot_no_such_database",
        FLOWS_DIR=str(tmp_path / "flows"),
        LOCALES_DIR=str(tmp_path / "locales"),
        LANGUAGES='["sv", "en", "ar", "xx"]',
        WEBHOOK_URL="http://bot.example.org/hook",
    )
    code, out = await doctor(env, tmp_path)
    assert code == 1, out
    assert "✗ token: Telegram refused the token" in out and "@BotFather" in out
    assert "✗ staff chat: STAFF_CHAT_ID is not set" in out
    assert "✗ settings: WEBHOOK_URL is not an https:// URL" in out
    assert (
        "✗ database: postgresql+asyncpg://postgres@127.0.0.1:5432/sammanbot_no_such_database: there is no "
        'database "sammanbot_no_such_database" on 127.0.0.1:5432\n    fix: create it'
    ) in out
    assert "✗ flows: " in out and f"{flow}:" in out
    assert "✗ catalogs: 1 broken catalog(s)" in out and f"{po}:" in out
    assert "! catalogs: no catalog for xx" in out
    assert "fix:" in out and "thing(s) to fix" in out
    assert "NOT-THE-RIGHT-TOKEN" not in out


async def test_the_staff_chat_check_finds_a_removed_bot_and_a_wrong_id(fake_bot_api, tmp_path):
    lead = fake_bot_api.new_user(first_name="Stina")
    group = fake_bot_api.new_group("Sammanhacket team", members=[lead])
    settings = bot_settings(
        fake_bot_api, "sqlite+aiosqlite://", tmp_path, staff_chat_id=group.chat.id, safeguarding_chat_id=-4_999_999_999
    )
    await group.set_bot_status("left", by=lead)
    staff, safeguarding = [f for f in await check_telegram(settings) if f.topic != "token"]
    assert (staff.level, staff.detail) == (FAIL, "the bot is not in “Sammanhacket team” any more (left)")
    assert staff.fix == "add the bot to the group again"
    assert safeguarding.level == FAIL and "cannot see chat -4999999999" in safeguarding.detail

    await group.set_bot_status("administrator", by=lead)
    staff, _ = [f for f in await check_telegram(settings) if f.topic != "token"]
    assert staff.level == OK and "administrator" in staff.detail


def test_unreadable_settings_are_named(monkeypatch):
    monkeypatch.setenv("WEB_PORT", "eighty")
    out = io.StringIO()
    assert doctor_command(out) == 1
    assert "✗ settings: WEB_PORT:" in out.getvalue()


async def test_the_translation_server_and_the_languages_it_lacks(fake_bot_api, fake_libretranslate, tmp_path):
    group = fake_bot_api.new_group("Sammanhacket team")
    env = base_env(fake_bot_api, tmp_path, STAFF_CHAT_ID=str(group.chat.id), TRANSLATE_URL=fake_libretranslate.url)
    await ensure_schema(env["DATABASE_URL"])
    code, out = await doctor(env, tmp_path)
    assert code == 0, out
    assert (
        f"✓ translation: {fake_libretranslate.url} translates en, ar, fa_AF, uk; "
        "no machine translation for ps, so, ti (staff add those with /tr)"
    ) in out
    assert fake_libretranslate.language_requests == 1 and fake_libretranslate.received == []  # it sends no text

    await fake_libretranslate.stop()
    code, out = await doctor(env, tmp_path)
    assert code == 0, out  # a warning: translations wait, nothing is lost
    assert "! translation: LibreTranslate /languages: ClientConnectorError; translations wait until it answers" in out


def test_unreviewed_safety_critical_texts_are_a_warning_until_reviewed(tmp_path):
    from bot.base.settings import Settings
    from bot.cli.doctor import WARN, check_reviews
    from bot.i18n.catalogs import po_path
    from bot.i18n.cli import read_catalog, template_path
    from bot.i18n.poedit import save_entry
    from bot.i18n.review import language_texts
    from tests.i18nfixtures import draft_locales

    locales = draft_locales(tmp_path / "locales")
    s = Settings(_env_file=None, locales_dir=locales, languages=["sv", "en", "ti"], unreviewed_fallback={"ti": "en"})
    template = read_catalog(template_path(locales))
    critical = [t for t in language_texts(template, locales, "ti") if t.critical]
    [finding] = check_reviews(s)
    assert (
        finding.level == WARN and "safety-critical texts (consent, privacy, crisis help) not reviewed" in finding.detail
    )
    assert f"sv: {len(critical)} of {len(critical)}\n" in finding.detail
    assert f"ti: {len(critical)} of {len(critical)} (youth see the en text instead)" in finding.detail
    assert "Translations page" in finding.fix
    for lang in ("sv", "ti"):
        for t in [t for t in language_texts(template, locales, lang) if t.critical]:
            save_entry(po_path(locales, lang), lang, t.context, t.singular, t.digest, forms=None, role="admin")
    [finding] = check_reviews(s)
    assert finding.level == OK and "every safety-critical text is reviewed" in finding.detail
    assert f"ti {len(critical)}/{len(language_texts(template, locales, 'ti'))}" in finding.detail
