""" "What happened to your idea" end to end, on SQLite and PostgreSQL: a status change with
a note in the dashboard reaches the idea's author (who said yes to being contacted) in
their language, and nobody else; a Shortlist press on the staff group's card tells its
author too; an author who said no hears nothing. Staff never learn who it was: the
audit log keeps only the change and the note's length. Invented people only."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from storage.models import Submission
from storage.staff_models import AuditLog
from tests.botfixtures import bot_settings, running_bot
from tests.webfixtures import PASSWORD, add_staff, csrf_of
from tests.youth import Youth, onboard, settle, staff_group

NOTE = "It will be tested at the hackathon on 14 March"


async def share(fake, services, name: str, code: str, language: str, contact: bool, idea: str) -> Youth:
    y = Youth.new(fake, services, first_name=name, language_code=code)
    await onboard(y, language, contact=contact)
    tr = services.translator(code)
    await y.press(tr.gettext("Share an idea", "share_idea/title"))
    await y.press(0)  # School
    await y.write(idea)
    await y.press(0)
    await y.press(tr.gettext("Done"))
    await y.press(1)  # no follow-up questions
    return y


async def three_authors(fake, services) -> tuple[Youth, Youth, Youth]:
    """Amal (Arabic) and Senait (Tigrinya) said yes to being contacted, Erik (Swedish) no."""
    return (
        await share(fake, services, "Amal", "ar", "العربية", True, "A homework club in the library"),
        await share(fake, services, "Senait", "ti", "ትግርኛ", True, "Football for girls and boys"),
        await share(fake, services, "Erik", "sv", "Svenska", False, "A Swedish chat cafe on Fridays"),
    )


async def submission_of(services, idea: str) -> int:
    async with services.sessionmaker() as s:
        rows = (await s.execute(select(Submission.id, Submission.answers))).all()
    return next(i for i, answers in rows if idea in str(answers))


async def test_a_note_reaches_the_author_and_nobody_else(fake_bot_api, db_url, tmp_path):
    group, lead = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "ada", "reviewer")
        amal, senait, erik = await three_authors(fake_bot_api, services)
        before = {y: len(y.user.messages) for y in (amal, senait, erik)}

        base = f"http://127.0.0.1:{settings.web_port}/staff"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            login = await (await http.get(f"{base}/login")).text()
            await http.post(f"{base}/login", data={"name": "ada", "password": PASSWORD, "csrf_token": csrf_of(login)})
            for idea, status in (("homework club", "shortlisted"), ("chat cafe", "reviewed")):
                sid = await submission_of(services, idea)
                page = await (await http.get(f"{base}/submissions/{sid}")).text()
                r = await http.post(
                    f"{base}/submissions/{sid}/status",
                    data={"status": status, "note": NOTE, "csrf_token": csrf_of(page)},
                    allow_redirects=False,
                )
                assert r.status == 303
        await settle(services)

        ar = services.translator("ar")
        told = [m.text for m in amal.user.messages[before[amal] :]]
        assert len(told) == 1 and NOTE in told[0]
        title = ar.gettext("Share an idea", "share_idea/title")
        assert told[0].startswith(
            ar.format("Good news about your idea ({flow}): the team has picked it to work on further. 🌟", flow=title)
        )
        assert len(senait.user.messages) == before[senait]  # not theirs
        assert len(erik.user.messages) == before[erik]  # said no to being contacted

        # the staff group's Shortlist button tells the author too (no note: the default words)
        card = next(m for m in group.messages if (m.text or "").startswith("💡 ") and "Football" in m.text)
        await lead.press_on(card, "⭐ Shortlist", chat=group)
        await settle(services)
        ti = services.translator("ti")
        news = [m.text for m in senait.user.messages[before[senait] :]]
        assert news == [
            ti.format(
                "Good news about your idea ({flow}): the team has picked it to work on further. 🌟",
                flow=ti.gettext("Share an idea", "share_idea/title"),
            )
        ]
        assert len(amal.user.messages) == before[amal] + 1

        async with services.sessionmaker() as s:
            details = (await s.scalars(select(AuditLog.detail).where(AuditLog.action == "status"))).all()
        assert sorted(details) == [
            f"new -> reviewed, a note of {len(NOTE)} characters",
            f"new -> shortlisted, a note of {len(NOTE)} characters",
        ]
        assert fake_bot_api.rejected == []


async def test_a_bulk_change_with_a_note_tells_each_author_who_opted_in(fake_bot_api, db_url, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "ada", "reviewer")
        amal, senait, erik = await three_authors(fake_bot_api, services)
        before = {y: len(y.user.messages) for y in (amal, senait, erik)}
        picked = [await submission_of(services, idea) for idea in ("homework club", "chat cafe")]

        base = f"http://127.0.0.1:{settings.web_port}/staff"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            login = await (await http.get(f"{base}/login")).text()
            await http.post(f"{base}/login", data={"name": "ada", "password": PASSWORD, "csrf_token": csrf_of(login)})
            for _ in range(2):  # the second time nothing changes: nobody is told again
                page = await (await http.get(f"{base}/submissions")).text()
                assert 'name="note"' in page
                data = [("status", "shortlisted"), ("note", NOTE), ("csrf_token", csrf_of(page))]
                r = await http.post(
                    f"{base}/submissions/bulk", data=data + [("id", str(i)) for i in picked], allow_redirects=False
                )
                assert r.status == 303
                await settle(services)

        ar = services.translator("ar")
        told = [m.text for m in amal.user.messages[before[amal] :]]
        assert len(told) == 1 and NOTE in told[0]  # once, with the note
        assert told[0].startswith(
            ar.format(
                "Good news about your idea ({flow}): the team has picked it to work on further. 🌟",
                flow=ar.gettext("Share an idea", "share_idea/title"),
            )
        )
        assert len(senait.user.messages) == before[senait]  # not in the selection
        assert len(erik.user.messages) == before[erik]  # said no to being contacted

        async with services.sessionmaker() as s:
            details = (await s.scalars(select(AuditLog.detail).where(AuditLog.action == "bulk_status"))).all()
        ids = ",".join(map(str, sorted(picked)))
        assert details[0] == f"-> shortlisted; ids {ids}; a note of {len(NOTE)} characters"
        assert fake_bot_api.rejected == []
