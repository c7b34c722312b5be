"""The dashboard's Translations page over real HTTP, a real database and .po files in a
tmp folder: translators limited to their languages, checks before saving, one entry
written back, concurrent saves refused, every review in the audit log."""

from __future__ import annotations

import contextlib
import html as htmllib

import pytest
from aiohttp.test_utils import TestClient, TestServer
from babel.messages.pofile import read_po
from sqlalchemy import select

from bot.i18n import replies
from bot.i18n.catalogs import po_path
from storage.staff_models import AuditLog
from tests.dbfixtures import fresh_pg_url
from tests.i18nfixtures import draft_locales
from tests.webfixtures import add_staff, csrf_of, login, make_site, translation_form as entry_form

HELP_BUTTON = ("safeguarding/help/button", "I want to talk to someone now")
TEAM_ASKS = (None, replies.TEAM_ASKS)
DELETE_YES = (None, replies.DELETE_YES)


@pytest.fixture(params=["sqlite", "postgresql"])
async def site(request, tmp_path):
    locales = draft_locales(tmp_path / "locales")
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(fresh_pg_url()) if request.param == "postgresql" else None
        site, engine = await make_site(tmp_path, url, locales_dir=locales)
        stack.push_async_callback(engine.dispose)
        await add_staff(site.sessionmaker, "ada", "admin")
        await add_staff(site.sessionmaker, "tesfay", "translator", languages=("ti",))
        await add_staff(site.sessionmaker, "selam", "translator", languages=("ti",))
        yield site


async def client_for(site, name: str) -> TestClient:
    client = TestClient(TestServer(site.app))
    await client.start_server()
    r = await login(client, name)
    assert r.status == 303
    return client


def entry_of(site, lang: str, text: tuple[str | None, str]):
    with po_path(site.settings.locales_dir, lang).open("rb") as fh:
        return read_po(fh, locale=lang).get(text[1], context=text[0])


async def audit(site) -> list[tuple[str, str | None, str | None, str | None]]:
    async with site.sessionmaker() as s:
        rows = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars()
        return [(r.staff_name, r.action, r.target, r.detail) for r in rows if r.action.startswith("translation")]


async def test_a_tigrinya_translator_reviews_tigrinya_and_cannot_open_arabic(site):
    c = await client_for(site, "tesfay")
    try:
        r = await c.get("/", allow_redirects=False)
        assert r.headers["Location"] == "/translations"
        overview = await (await c.get("/translations")).text()
        assert 'href="/translations/ti"' in overview and 'href="/translations/ar"' not in overview
        page = await (await c.get("/translations/ti", params={"show": "critical"})).text()
        assert 'lang="ti"' in page and 'dir="ltr"' in page and "safety-critical" in page
        assert "I want to talk to someone now" in page and "How old are you?" not in page
        form = entry_form(page, HELP_BUTTON)
        reviewed = "ምስ ሓደ ሰብ ካብ ጉጅለ ክዛረብ እደሊ ኢየ"
        r = await c.post("/translations/ti", data={**form, "text": reviewed, "action": "review"}, allow_redirects=False)
        assert r.status == 303 and f"saved={form['key']}" in r.headers["Location"]
        after = await (await c.get(r.headers["Location"])).text()  # "safety-critical", now reviewed: still shown
        assert 'role="status">saved' in after and reviewed in after and "state-reviewed" in after
        message = entry_of(site, "ti", HELP_BUTTON)
        assert message.string == reviewed and not message.fuzzy
        assert any(c_.startswith("reviewed: translator, ") for c_ in message.user_comments)
        assert "tesfay" not in po_path(site.settings.locales_dir, "ti").read_text(encoding="utf-8")
        assert await audit(site) == [
            ("tesfay", "translation_review", "translation:ti:safeguarding/help/button", "reviewed, text changed")
        ]
        # Arabic: neither the page nor a save, and no submissions either
        arabic = await c.get("/translations/ar")
        assert arabic.status == 403 and "may review ti, not ar" in await arabic.text()
        before = po_path(site.settings.locales_dir, "ar").read_bytes()
        r = await c.post("/translations/ar", data={**form, "text": "x", "action": "review"}, allow_redirects=False)
        assert r.status == 403 and po_path(site.settings.locales_dir, "ar").read_bytes() == before
        assert (await c.get("/submissions")).status == 403
        assert (await c.get("/translations/en")).status == 404  # English is the source
    finally:
        await c.close()


async def test_placeholder_and_length_problems_are_refused_with_the_exact_problem(site):
    c = await client_for(site, "tesfay")
    try:
        page = await (await c.get("/translations/ti", params={"show": "all"})).text()
        path = po_path(site.settings.locales_dir, "ti")
        before = path.read_bytes()
        form = entry_form(page, TEAM_ASKS)
        r = await c.post("/translations/ti", data={**form, "text": "ጉጅለ ይሓትት: {ሕቶ}", "action": "review"})
        body = htmllib.unescape(await r.text())
        assert r.status == 400
        assert "the translation lacks the placeholder {question}; keep it exactly as in the English text" in body
        assert "ጉጅለ ይሓትት: {ሕቶ}" in body  # what they wrote is kept for them to fix
        form = entry_form(page, DELETE_YES)
        r = await c.post("/translations/ti", data={**form, "text": "እወ" * 40, "action": "review"})
        assert r.status == 400 and "has 80 characters; at most 64 fit here" in await r.text()
        assert path.read_bytes() == before
        assert await audit(site) == []
    finally:
        await c.close()


async def test_two_translators_saving_one_text_one_wins_the_other_is_told(site):
    first, second = await client_for(site, "tesfay"), await client_for(site, "selam")
    try:
        form_1 = entry_form(await (await first.get("/translations/ti")).text(), HELP_BUTTON)
        form_2 = entry_form(await (await second.get("/translations/ti")).text(), HELP_BUTTON)
        assert form_1["digest"] == form_2["digest"]
        r = await first.post(
            "/translations/ti", data={**form_1, "text": "ሓደ", "action": "review"}, allow_redirects=False
        )
        assert r.status == 303
        r = await second.post("/translations/ti", data={**form_2, "text": "ክልተ", "action": "review"})
        page = await r.text()
        assert r.status == 409 and "someone else saved this text while you were working on it" in page
        assert "ሓደ" in page and "ክልተ" in page  # theirs shown, yours kept
        assert entry_of(site, "ti", HELP_BUTTON).string == "ሓደ"
        # knowing the other version, the second may save over it
        r = await second.post(
            "/translations/ti",
            data={**entry_form(page, HELP_BUTTON), "text": "ክልተ", "action": "review"},
            allow_redirects=False,
        )
        assert r.status == 303 and entry_of(site, "ti", HELP_BUTTON).string == "ክልተ"
        assert [who for who, *_ in await audit(site)] == ["tesfay", "selam"]
    finally:
        await first.close()
        await second.close()


async def test_a_comment_keeps_the_draft_and_admins_review_arabic_right_to_left(site):
    c = await client_for(site, "ada")
    try:
        overview = await (await c.get("/translations")).text()
        assert all(f'href="/translations/{lang}"' in overview for lang in ("sv", "ar", "fa_AF", "ps", "so", "ti", "uk"))
        page = await (await c.get("/translations/ar")).text()
        assert 'dir="rtl"' in page and 'lang="ar"' in page
        form = entry_form(page, HELP_BUTTON)
        r = await c.post(
            "/translations/ar",
            data={**form, "text": "ignored", "action": "comment", "note": "Ask the Arabic class about this word"},
            allow_redirects=False,
        )
        assert r.status == 303
        message = entry_of(site, "ar", HELP_BUTTON)
        assert message.fuzzy and message.string != "ignored"
        assert message.user_comments[0].startswith("note (admin, ") and "Arabic class" in message.user_comments[0]
        assert await audit(site) == [
            ("ada", "translation_comment", "translation:ar:safeguarding/help/button", "comment")
        ]
    finally:
        await c.close()


async def test_admins_add_translators_with_their_languages(site):
    c = await client_for(site, "ada")
    try:
        t = csrf_of(await (await c.get("/staff")).text())
        base = {"csrf_token": t, "name": "hawi", "password": "a long invented password"}
        r = await c.post("/staff", data={**base, "role": "translator"})
        assert r.status == 400 and "a translator needs at least one language" in await r.text()
        r = await c.post(
            "/staff", data=[*base.items(), ("role", "translator"), ("languages", "so"), ("languages", "ti")]
        )
        assert r.status == 200 and "translator (so, ti)" in await r.text()
    finally:
        await c.close()
