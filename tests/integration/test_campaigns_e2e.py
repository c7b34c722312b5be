"""A poll campaign end to end over the fake Bot API, on SQLite and PostgreSQL: it reaches
exactly the targeted, opted-in youth in their languages (Arabic and Tigrinya among them),
waits for a youth in the middle of another flow, skips one who said /stop, is answered
and counted, and nobody gets it twice; the results go back once, only to those who answered
(refused while nobody has), as a numbered text and
then a bar chart photo whose bars match the counts. Invented people only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import pytest

from bot.dialogue.poll_results import ResultsRefused, send_results
from bot.telegram.campaigns import queue_turns
from storage import campaigns
from storage.models import CampaignRecipient, Outbox, Participant
from storage.outbox import Priority
from tests.botfixtures import bot_settings, running_bot
from tests.chartread import bar_heights
from tests.youth import Youth, opted_in, settle, staff_group

QUESTION = ("Would you go?", "poll_homework_club/would_go")


async def a_round(services) -> None:
    """One campaign step, as the scheduler's round runs it (a waiting youth is offered
    again at once), then everything handled and sent."""
    await queue_turns(services, datetime.now(UTC), again_after=timedelta(0))
    services.runtime.worker.poke()
    await settle(services)


async def sent_poll(services, name: str) -> campaigns.CampaignInfo:
    """A campaign of poll_homework_club to everyone who said yes to contact, sent now."""
    async with services.sessionmaker() as s, s.begin():
        c = await campaigns.create(
            s,
            name=name,
            flow_id="poll_homework_club",
            audience={},
            scheduled_at=None,
            created_by="ada",
            now=datetime.now(UTC),
        )
        await campaigns.move(s, c.id, "send", datetime.now(UTC))
    return c


def asked(y: Youth, services, lang: str) -> bool:
    wanted = services.translator(lang).gettext(*QUESTION)
    return any(wanted in t for t in y.texts())


async def test_a_poll_reaches_exactly_the_opted_in_audience_waits_and_is_counted(fake_bot_api, db_url, tmp_path):
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)) as services:
        amal, senait, busy, stopper, other = await opted_in(
            fake_bot_api,
            services,
            ("Amal", "ar", "العربية"),
            ("Senait", "ti", "ትግርኛ"),
            ("Olena", "uk", "Українська"),
            ("Hadi", "ar", "العربية"),
            ("Erik", "sv", "Svenska"),  # not in the audience's languages
        )
        (quiet,) = await opted_in(fake_bot_api, services, ("Saba", "ti", "ትግርኛ"), contact=False)  # said no

        uk = services.translator("uk")
        await busy.press(uk.gettext("Share an idea", "share_idea/title"))  # mid-flow when the poll comes
        async with services.sessionmaker() as s, s.begin():
            audience = {"languages": ["ar", "ti", "uk"]}
            assert await campaigns.audience_size(s, audience, datetime.now(UTC)) == 4
            c = await campaigns.create(
                s,
                name="Homework club",
                flow_id="poll_homework_club",
                audience=audience,
                scheduled_at=None,
                created_by="ada",
                now=datetime.now(UTC),
            )
            assert await campaigns.move(s, c.id, "send", datetime.now(UTC)) is not None
            assert await campaigns.expand_due(s, datetime.now(UTC)) == [c.id]  # four listed
        await stopper.command("/stop")  # while the campaign goes out

        await a_round(services)
        assert asked(amal, services, "ar") and asked(senait, services, "ti")
        assert not asked(busy, services, "uk")  # never interrupts a conversation
        for y, lang in ((stopper, "ar"), (quiet, "ti"), (other, "sv")):
            assert not asked(y, services, lang)

        ar = services.translator("ar")
        await amal.press(ar.gettext("👍 Yes", "poll_homework_club/would_go/yes"))
        await amal.press(0)  # Skip the why
        await busy.press(0)  # the idea's topic …
        await busy.write("A homework club in the library with volunteers on Tuesdays")
        await busy.press(0)
        await busy.press(uk.gettext("Done"))
        await busy.press(1)  # … its follow-up question: no; the flow ends
        await a_round(services)
        assert asked(busy, services, "uk")  # now it comes
        await a_round(services)
        await a_round(services)  # more rounds send nothing more

        async with services.sessionmaker() as s:
            state = await campaigns.progress(s, c.id)
            rows = (await s.execute(select(CampaignRecipient.status))).scalars().all()
            priorities = set((await s.scalars(select(Outbox.priority).where(Outbox.chat_id == senait.user.id))).all())
        assert sorted(rows) == ["skipped", "started", "started", "started"]
        assert state["ar"] == {"queued": 0, "started": 1, "skipped": 1, "answered": 1}
        assert state["ti"]["started"] == 1 and state["ti"]["answered"] == 0
        assert Priority.CAMPAIGN in priorities
        for y, lang in ((amal, "ar"), (senait, "ti"), (busy, "uk")):
            wanted = services.translator(lang).gettext(*QUESTION)
            assert sum(wanted in t for t in y.texts()) == 1, lang  # exactly once
        async with services.sessionmaker() as s:
            assert (await campaigns.get(s, c.id)).status == "done"

        # results back to those who took part (answered): Amal; not Senait and Olena, whose
        # question is still open
        async with services.sessionmaker() as s, s.begin():
            assert (
                await send_results(s, services.catalogs, services.flowset, c.id, everyone=False, now=datetime.now(UTC))
                == 1
            )
            with pytest.raises(ResultsRefused, match="were sent already"):
                await send_results(s, services.catalogs, services.flowset, c.id, everyone=False, now=datetime.now(UTC))
        await settle(services)
        ar = services.translator("ar")
        line = ar.format(
            "{label}: {percent}% ({count})",
            label=ar.gettext("👍 Yes", "poll_homework_club/would_go/yes"),
            percent=ar.format_number(100),
            count=ar.format_number(1),
        )
        *_, results, chart = amal.user.messages
        assert f"1. {line}" in results.text, results.text  # numbered as its bar, in Arabic
        assert chart.kind == "photo" and chart.text is None  # the chart after the text
        yes, maybe, no = bar_heights(fake_bot_api.files.get(chart.photo[0]["file_id"]).data, 3)
        assert yes > 100 and maybe == no == 0  # all who answered said yes (choices: yes, maybe, no)
        for y in (senait, busy):  # asked, never answered: no results
            assert all(m.kind != "photo" for m in y.user.messages) and all("%" not in t for t in y.texts())
        for y in (stopper, quiet, other):
            assert all("👍" not in t for t in y.texts()) and all(m.kind != "photo" for m in y.user.messages)
        assert fake_bot_api.rejected == []


async def test_nobody_answered_no_results_and_only_those_who_answered_the_question_took_part(
    fake_bot_api, db_url, tmp_path
):
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path)) as services:
        amal, senait = await opted_in(fake_bot_api, services, ("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ"))
        c = await sent_poll(services, "Poll")
        await a_round(services)
        await a_round(services)
        async with services.sessionmaker() as s, s.begin():
            assert (await campaigns.get(s, c.id)).status == "done"  # everyone was sent the question
            for everyone in (False, True):
                with pytest.raises(ResultsRefused, match=f"^nobody has answered campaign {c.id} yet$"):
                    await send_results(
                        s, services.catalogs, services.flowset, c.id, everyone=everyone, now=datetime.now(UTC)
                    )
            assert await campaigns.took_part_count(s, c.id, "would_go") == 0
        ar = services.translator("ar")
        await amal.press(ar.gettext("👍 Yes", "poll_homework_club/would_go/yes"))  # answered; the why still open
        async with services.sessionmaker() as s:
            assert await campaigns.took_part_count(s, c.id, "would_go") == 1  # she took part
            assert await campaigns.took_part_count(s, c.id, "why") == 0  # (not yet the why)
        await amal.press(0)  # skips the why: her answers go in
        async with services.sessionmaker() as s, s.begin():
            n = await send_results(s, services.catalogs, services.flowset, c.id, everyone=False, now=datetime.now(UTC))
        assert n == 1
        await settle(services)
        assert amal.user.messages[-1].kind == "photo"
        assert all(m.kind != "photo" for m in senait.user.messages)  # asked, never answered: no results


async def test_a_youth_who_blocked_the_bot_is_marked_and_skipped_after(fake_bot_api, db_url, tmp_path):
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)) as services:
        amal, senait = await opted_in(fake_bot_api, services, ("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ"))
        fake_bot_api.faults.block_user(senait.user)
        ids = []
        for name in ("First poll", "Second poll"):
            ids.append((await sent_poll(services, name)).id)
            await a_round(services)  # the first poll's 403 marks Senait as stopped ...
            await amal.press(0)  # (Amal answers, so the second poll finds her between flows)
            await amal.press(0)
        async with services.sessionmaker() as s:
            first, second = [await campaigns.progress(s, i) for i in ids]
            stopped = await s.scalar(select(Participant.stopped).where(Participant.language == "ti"))
        assert stopped is True
        assert first["ti"]["started"] == 1  # tried once: Telegram said 403
        assert "ti" not in second  # ... and is left out of the next one
        assert second["ar"]["started"] == 1
        assert [r for r in fake_bot_api.rejected if "403" not in str(r)] == []
