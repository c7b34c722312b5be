"""The staff dashboard over a real HTTP server and a real SQLite database."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.web.auth import COOKIE
from storage import sessions as sessions_repo
from storage.models import Answer, Participant, Submission
from storage.staff_models import AuditLog, StaffSession
from tests.webfixtures import PASSWORD, T0, add_staff, csrf_of, login, make_site, submission, token

MARKUP = '<script>alert("x")</script><b>bold</b>'


@pytest.fixture
async def site(tmp_path):
    site, engine = await make_site(tmp_path)
    await add_staff(site.sessionmaker, "ada", "admin")
    await add_staff(site.sessionmaker, "rita", "reviewer")
    yield site
    await engine.dispose()


@pytest.fixture
async def client(site):
    async with TestClient(TestServer(site.app)) as c:
        yield c


async def seed(site, *rows):
    async with site.sessionmaker.begin() as s:
        s.add_all(rows)
    return rows


async def audit_actions(site) -> list[tuple[str, str | None, str | None]]:
    async with site.sessionmaker() as s:
        rows = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars()
        return [(r.action, r.target, r.detail) for r in rows]


async def test_pages_need_a_login(client):
    r = await client.get("/submissions?flow=idea", allow_redirects=False)
    assert r.status == 303
    assert r.headers["Location"].startswith("/login?next=")
    r = await client.post("/submissions/bulk", data={"status": "new"}, allow_redirects=False)
    assert r.status == 403


async def test_reviewer_cannot_reach_admin_pages(client):
    assert (await login(client, "rita")).status == 303
    for path in ("/submissions", "/stats"):
        assert (await client.get(path)).status == 200
    for path in ("/flows", "/flows/idea", "/simulator", "/staff", "/audit"):
        assert (await client.get(path)).status == 403, path
    t = await token(client)
    r = await client.post("/simulator/start", data={"csrf_token": t, "flow": "idea", "lang": "en"})
    assert r.status == 403
    r = await client.post("/staff", data={"csrf_token": t, "name": "eve", "role": "admin", "password": "x" * 12})
    assert r.status == 403


async def test_forged_or_missing_csrf_token_is_refused(site, client):
    (row,) = await seed(site, submission())
    await login(client, "ada")
    url = f"/submissions/{row.id}/status"
    assert (await client.post(url, data={"status": "shortlisted"})).status == 403
    assert (await client.post(url, data={"status": "shortlisted", "csrf_token": "forged"})).status == 403
    async with site.sessionmaker() as s:
        assert (await s.get(Submission, row.id)).status == "new"
    r = await client.post(url, data={"status": "shortlisted", "csrf_token": await token(client)}, allow_redirects=False)
    assert r.status == 303
    async with site.sessionmaker() as s:
        changed = await s.get(Submission, row.id)
        assert (changed.status, changed.status_by) == ("shortlisted", "ada")


async def test_login_form_needs_its_token(client):
    r = await client.post("/login", data={"name": "ada", "password": PASSWORD}, allow_redirects=False)
    assert r.status == 403
    await client.get("/login")  # sets the login cookie, but the form below forges the field
    r = await client.post(
        "/login", data={"name": "ada", "password": PASSWORD, "csrf_token": "guess"}, allow_redirects=False
    )
    assert r.status == 403


async def test_session_id_changes_at_login_and_old_ids_stop_working(site, client):
    client.session.cookie_jar.update_cookies({COOKIE: "planted-by-an-attacker"})
    await login(client, "ada")
    first = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    assert first != "planted-by-an-attacker"
    await login(client, "rita")
    second = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE].value
    assert second != first
    async with TestClient(TestServer(site.app)) as other:
        other.session.cookie_jar.update_cookies({COOKIE: first})
        assert (await other.get("/submissions", allow_redirects=False)).status == 303
    async with site.sessionmaker() as s:
        stored = list((await s.execute(select(StaffSession.id_hash))).scalars())
    assert stored and second not in stored  # only hashes are kept


async def test_session_cookie_flags(client):
    r = await login(client, "ada")
    cookie = r.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"


async def test_login_attempts_are_rate_limited(site, client):
    for _ in range(5):
        assert (await login(client, "ada", "wrong password")).status == 401
    assert (await login(client, "ada")).status == 429  # even the right password waits
    assert (await login(client, "rita")).status == 303  # the same address, another account
    site.clock.now = T0 + timedelta(minutes=16)
    assert (await login(client, "ada")).status == 303
    assert ("login_failed", None, None) in await audit_actions(site)


async def test_youth_markup_is_escaped_in_list_detail_and_exports(site, client):
    (row,) = await seed(
        site, submission(answers={"topic": "school", "idea": MARKUP, "plan": '=HYPERLINK("x")'}, tags=["<i>tag"])
    )
    await login(client, "ada")
    for path in ("/submissions", f"/submissions/{row.id}"):
        html = await (await client.get(path)).text()
        assert "<script>alert" not in html and "<b>bold" not in html and "<i>tag" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
        assert 'dir="auto"' in html
    r = await client.get("/submissions/export.csv")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    table = list(csv.DictReader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    assert table[0]["answer:idea"] == MARKUP  # data, not HTML: kept verbatim in a download
    assert table[0]["other_answers"] == '{"plan": "=HYPERLINK(\\"x\\")"}'
    r = await client.get("/submissions/export.xlsx")
    sheet = load_workbook(io.BytesIO(await r.read())).active
    values = list(sheet.iter_rows(values_only=True))
    idea = values[0].index("answer:idea")
    assert values[1][idea] == MARKUP


async def test_spreadsheet_formulas_are_defused(site, client):
    await seed(site, submission(answers={"topic": "school", "idea": "=1+2"}))
    await login(client, "ada")
    r = await client.get("/submissions/export.xlsx")
    sheet = load_workbook(io.BytesIO(await r.read())).active
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    assert first[header.index("answer:idea")] == "'=1+2"


async def test_export_has_exactly_the_filtered_rows(site, client):
    await seed(site, submission(language="ar"), submission(language="uk"), submission(language="ar", is_test=True))
    await login(client, "rita")
    table = list(
        csv.DictReader(
            io.StringIO((await (await client.get("/submissions/export.csv?language=ar")).read()).decode("utf-8-sig"))
        )
    )
    assert [r["language"] for r in table] == ["ar"]
    assert ("export", "csv", "filters: language") in await audit_actions(site)


async def test_list_filters_pages_and_puts_urgent_first(site, client):
    rows = [submission(created_at=T0 + timedelta(minutes=i)) for i in range(55)]
    urgent = submission(urgent=True, category="self_harm", created_at=T0 - timedelta(days=30))
    await seed(site, *rows, urgent)
    await login(client, "rita")
    html = await (await client.get("/submissions")).text()
    assert html.index(f"#{urgent.id}<") < html.index(f"#{rows[-1].id}<")
    assert "56 matching" in html and 'rel="next"' in html
    next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    page2 = await (await client.get(next_url)).text()
    assert f"#{rows[5].id}<" in page2 and f"#{rows[6].id}<" not in page2 and 'rel="next"' not in page2
    filtered = await (await client.get("/submissions?topic=housing")).text()
    assert "0 matching" in filtered


async def test_status_tag_note_and_bulk_are_saved_and_audited(site, client):
    a, b, c = await seed(site, submission(), submission(), submission())
    await login(client, "rita")
    t = await token(client)
    await client.post(f"/submissions/{a.id}/tag", data={"csrf_token": t, "tag": "  Follow Up "})
    await client.post(f"/submissions/{a.id}/note", data={"csrf_token": t, "notes": "Call the school"})
    await client.post(
        "/submissions/bulk", data=[("csrf_token", t), ("status", "archived"), ("id", str(b.id)), ("id", str(c.id))]
    )
    async with site.sessionmaker() as s:
        got = {r.id: r for r in (await s.execute(select(Submission))).scalars()}
    assert got[a.id].tags == ["follow up"] and got[a.id].notes == "Call the school"
    assert [got[i].status for i in (a.id, b.id, c.id)] == ["new", "archived", "archived"]
    assert "follow up" in await (await client.get("/submissions?tag=follow+up")).text()
    await client.post(f"/submissions/{a.id}/untag", data={"csrf_token": t, "tag": "follow up"})
    actions = await audit_actions(site)
    assert [x[0] for x in actions] == ["login", "tag", "note", "bulk_status", "untag"]
    assert all("Call the school" not in (x[2] or "") for x in actions)


async def test_statistics_count_in_sql_and_draw_svg(site, client):
    await seed(
        site,
        submission(language="ar", answers={"topic": "housing"}),
        submission(language="ar"),
        submission(language="uk", created_at=T0 + timedelta(days=2)),
    )
    async with site.sessionmaker.begin() as s:
        people = [Participant(key=f"k{i}", pseudonym=f"Quiet Fox {i}", language="en", is_test=i == 2) for i in range(3)]
        s.add_all(people)
        await s.flush()
        for p in people:  # each was asked the first question; one went on to the second
            await sessions_repo.save(
                s,
                p.id,
                state={"flow": "idea", "step": "topic", "status": "active"},
                flow_version="v",
                status="active",
                expires_at=None,
                tick_at=None,
                now=T0,
            )
            await s.flush()
        await sessions_repo.save(
            s,
            people[0].id,
            state={"flow": "idea", "step": "idea", "status": "active"},
            flow_version="v",
            status="active",
            expires_at=None,
            tick_at=None,
            now=T0,
        )
    await login(client, "rita")
    html = await (await client.get("/stats")).text()
    cell = '<td dir="auto">{}</td><td class="n">{}</td>'
    assert cell.format("Arabic", 2) in html and cell.format("Ukrainian", 1) in html
    assert cell.format("Housing", 1) in html and cell.format("School", 2) in html
    assert cell.format("2025-03-02", 0) in html  # a day without submissions is still on the time axis
    assert cell.format("2025-03-03", 1) in html
    assert cell.format("What is your idea about?", 2) in html and cell.format("Tell us your idea.", 1) in html
    for path in (
        "/stats/chart/topic.svg",
        "/stats/chart/day.svg",
        "/stats/funnel/idea.svg",
        "/stats/chart/language.svg?size=narrow",
        "/stats/funnel/idea.svg?size=narrow",
    ):
        r = await client.get(path)
        assert r.status == 200 and r.content_type == "image/svg+xml"
        assert b"<svg" in await r.read()
    assert 'media="(max-width: 40rem)" srcset="/stats/chart/topic.svg?size=narrow"' in html
    assert (await client.get("/stats/chart/people.svg")).status == 404


@pytest.mark.parametrize("top", [0, 1, 2, 3, 5, 7, 17, 34, 99, 1234, 10**7 + 3])
def test_count_axes_have_whole_number_ticks_only(top):
    from bot.web.stats import SIZES, chart_svg

    for size in SIZES:
        svg = chart_svg([("Which language do you want to use?", top), ("How old are you?", top // 2)], size=size)
        ticks = [float(v) for v in re.findall(rb'class="(?:major)?">([0-9.,]+)</text>', svg.replace(b",", b""))]
        assert ticks and all(v == int(v) for v in ticks), ticks
        assert max(ticks) >= top and len(ticks) <= SIZES[size].ticks
        columns = chart_svg([(f"2025-03-{d:02}", d % 4 + top) for d in range(1, 29)], horizontal=False, size=size)
        assert all(
            float(v) == int(float(v))
            for v in re.findall(rb'<text x="[^"]+" y="[^"]+" class="(?:major)?">([0-9.]+)</text>', columns)
        )


async def test_flows_page_shows_status_coverage_and_diagram(site, client):
    (site.settings.flows_dir / "broken.yaml").write_text("id: broken\ntitle: Broken\n", encoding="utf-8")
    await login(client, "ada")
    html = await (await client.get("/flows")).text()
    assert 'href="/flows/idea"' in html
    assert "broken.yaml" in html and "problem" in html
    assert "<small>2/6</small>" in html  # Arabic: 2 of the idea flow's 6 texts are reviewed
    assert '<small class="missing">4 missing</small>' in html
    po = site.settings.locales_dir / "ar" / "LC_MESSAGES" / "messages.po"
    po.write_text(
        po.read_text() + '\n#, fuzzy\nmsgctxt "idea/idea"\nmsgid "Tell us your idea."\nmsgstr "أخبرنا"\n',
        encoding="utf-8",
    )
    html = await (await client.get("/flows")).text()
    assert "<small>2/6</small>" in html and '<small class="drafts">1 draft</small>' in html  # a draft is not done
    detail = await (await client.get("/flows/idea")).text()
    assert "<svg" in detail and 'href="#step-thanks"' in detail and "topic · choice" in detail


async def test_simulator_talks_to_the_engine_and_saves_no_submission(site, client):
    await login(client, "ada")
    t = await token(client, "/simulator")
    await client.post("/simulator/start", data={"csrf_token": t, "flow": "idea", "lang": "ar"})
    html = await (await client.get("/simulator")).text()
    assert "ما هي فكرتك؟" in html and "المدرسة" in html
    await client.post("/simulator/press", data={"csrf_token": t, "data": "1:0", "label": "School"})
    await client.post("/simulator/send", data={"csrf_token": t, "text": "<b>More sport</b>"})
    html = await (await client.get("/simulator")).text()
    assert "Thank you!" in html and "&lt;b&gt;More sport&lt;/b&gt;" in html
    assert "would forward to the team" in html
    async with site.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Submission))).scalar_one() == 0
        assert (await s.execute(select(func.count()).select_from(Answer))).scalar_one() == 0


async def test_admin_adds_and_disables_staff(site, client):
    await login(client, "ada")
    t = await token(client, "/staff")
    r = await client.post("/staff", data={"csrf_token": t, "name": "bo", "role": "reviewer", "password": "short"})
    assert r.status == 400
    await client.post("/staff", data={"csrf_token": t, "name": "bo", "role": "reviewer", "password": "long enough pw"})
    async with TestClient(TestServer(site.app)) as other:
        assert (await login(other, "bo", "long enough pw")).status == 303
        await client.post("/staff/bo/disabled", data={"csrf_token": t, "disabled": "1"})
        assert (await other.get("/submissions", allow_redirects=False)).status == 303  # session ended
        assert (await login(other, "bo", "long enough pw")).status == 401


async def test_security_headers(client):
    r = await client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"


async def test_works_mounted_under_a_prefix(site):
    from aiohttp import web

    main = web.Application()
    main.add_subapp("/dashboard/", site.app)
    async with TestClient(TestServer(main)) as c:
        r = await c.get("/dashboard/submissions", allow_redirects=False)
        assert r.headers["Location"] == "/dashboard/login?next=/dashboard/submissions"
        page = await (await c.get("/dashboard/login")).text()
        assert 'action="/dashboard/login"' in page and 'href="/dashboard/static/dashboard.css"' in page
        r = await c.post(
            "/dashboard/login",
            data={"name": "ada", "password": PASSWORD, "csrf_token": csrf_of(page)},
            allow_redirects=False,
        )
        assert r.headers["Location"] == "/dashboard/submissions"
        assert (await c.get("/dashboard/static/dashboard.css")).status == 200


PUBLIC = {"home", "login", "login_submit", "logout"}
SAMPLE = {"id": "1", "kind": "topic", "flow": "idea", "name": "rita", "lang": "ti", "action": "send"}


def guarded_routes(app):
    """Every named route but the public ones, with the role its handler requires."""
    for route in app.router.routes():
        name = route.name or ""
        if name in PUBLIC or name.startswith("static") or route.method == "HEAD":
            continue
        role = getattr(route.handler, "required_role", None)
        path = route.resource.canonical
        for key, value in SAMPLE.items():
            path = path.replace("{" + key + "}", value)
        yield name, route.method, path, role


async def test_every_page_and_action_checks_the_role(site, client):
    await seed(site, submission())
    routes = list(guarded_routes(site.app))
    assert len(routes) >= 20 and all(role in ("translator", "reviewer", "admin") for *_, role in routes), routes
    for name, method, path, _ in routes:  # nobody logged in
        r = await client.request(method, path, allow_redirects=False)
        assert r.status == (303 if method == "GET" else 403), name
    await login(client, "rita")
    t = await token(client)
    for name, method, path, role in routes:
        data = {"csrf_token": t} if method == "POST" else None
        r = await client.request(method, path, data=data, allow_redirects=False)
        if role == "admin" or name in ("translations_lang", "translations_save"):
            assert r.status == 403, name  # a reviewer has no language to translate
        else:
            assert r.status in (200, 303, 400, 404), name


async def test_a_refused_request_and_a_missing_page_are_shown_in_the_dashboard_with_a_way_back(site, client):
    await login(client, "rita")
    t = await token(client)
    nothing = await client.post("/submissions/bulk", data={"csrf_token": t, "status": "archived"})
    html = await nothing.text()
    assert nothing.status == 400 and nothing.content_type == "text/html"
    assert "Choose a status and 1 to 500 submissions." in html and "Back to the submissions" in html
    assert "Log out" in html  # still inside the dashboard, logged in
    for path in ("/submissions/99999", "/no-such-page"):
        missing = await client.get(path)
        assert missing.status == 404 and "Not found" in await missing.text()
        assert "Back to the submissions" in await missing.text()
