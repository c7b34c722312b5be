"""Translations in the dashboard over real HTTP, on SQLite and PostgreSQL: original and
translation side by side, each in its own direction; "✍️ Add translation" (reviewer role,
CSRF) attributed in the audit log and shown above a machine one; the filter of
submissions without any translation, per language; search in translations; exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from storage.staff_models import AuditLog
from tests.integration.test_web_dashboard import client  # noqa: F401 - over this module's site
from tests.webfixtures import add_machine_translation, add_staff, login, make_site, submission, token

ARABIC = "مكتبة مفتوحة في المساء للطلاب الجدد"


@pytest.fixture
async def site(tmp_path, db_url):
    site, engine = await make_site(tmp_path, db_url)
    await add_staff(site.sessionmaker, "rita", "reviewer")
    async with site.sessionmaker.begin() as s:
        ar = submission(language="ar", answers={"topic": "school", "idea": ARABIC})
        ti = submission(language="ti", answers={"topic": "school", "idea": "ኣብ ቤት ንባብ ሓገዝ"})
        en = submission(language="en", answers={"topic": "school", "idea": "Homework club"})
        s.add_all([ar, ti, en])
        await s.flush()
        await add_machine_translation(s, ar.id, "Ett bibliotek öppet på kvällen för nya elever")
        site.ids = {"ar": ar.id, "ti": ti.id, "en": en.id}
    yield site
    await engine.dispose()


def ids_listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'name="id" value="(\d+)"', html)}


async def test_side_by_side_and_a_person_adds_a_translation(site, client):
    await login(client, "rita")
    ar = site.ids["ar"]
    page = await (await client.get(f"/submissions/{ar}")).text()
    assert f'<dd dir="auto">{ARABIC}</dd>' in page  # the original, in the direction of its script
    assert '<p class="translation-text" dir="ltr">idea: Ett bibliotek öppet' in page
    assert "✍️ Add translation" in page

    url = f"/submissions/{ar}/translation"
    assert (await client.post(url, data={"text": "x"}, allow_redirects=False)).status == 403  # no CSRF token
    t = await token(client)
    r = await client.post(url, data={"csrf_token": t, "text": "  "}, allow_redirects=False)
    assert r.status == 400 and "<p>A translation is 1 to 3500 characters.</p>" in await r.text()
    r = await client.post(url, data={"csrf_token": t, "text": "x", "target": "xx"}, allow_redirects=False)
    assert r.status == 400 and "is not one of the bot&#39;s languages.</p>" in await r.text()
    r = await client.post(
        url,
        data={"csrf_token": t, "text": "Ett bibliotek som är öppet på kvällarna", "target": "sv"},
        allow_redirects=False,
    )
    assert r.status == 303
    page = await (await client.get(f"/submissions/{ar}")).text()
    human = page.index("Ett bibliotek som är öppet på kvällarna")
    assert "by rita" in page and human < page.index("Ett bibliotek öppet på kvällen")  # above the machine one
    async with site.sessionmaker() as s:
        audit = (await s.scalars(select(AuditLog).where(AuditLog.action == "translation"))).one()
    assert (audit.staff_name, audit.target, audit.detail) == ("rita", f"submission:{ar}", "sv via dashboard")


async def test_untranslated_filter_search_and_exports(site, client):
    await login(client, "rita")
    page = await (await client.get("/submissions")).text()
    assert "Without any translation:" in page and "Tigrinya 1" in page and "Arabic 1" not in page
    waiting = await (await client.get("/submissions?untranslated=1")).text()
    assert ids_listed(waiting) == {site.ids["ti"], site.ids["en"]}
    only_ti = await (await client.get("/submissions?untranslated=1&language=ti")).text()
    assert ids_listed(only_ti) == {site.ids["ti"]}
    found = await (await client.get("/submissions?q=kvällen")).text()  # a word of the translation only
    assert ids_listed(found) == {site.ids["ar"]}

    body = (await (await client.get("/submissions/export.csv")).read()).decode("utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(body))}
    ar = rows[str(site.ids["ar"])]
    assert (ar["translation_kind"], ar["translation_language"]) == ("machine", "sv")
    assert ar["translation"].startswith("idea: Ett bibliotek") and rows[str(site.ids["ti"])]["translation"] == ""
