"""One-question campaigns (no flow file) end to end, on SQLite and PostgreSQL, over real
HTTP against the fake Bot API: composed in the dashboard and by `python -m bot campaign
create`, they reach exactly the targeted opted-in youth in their languages (Arabic and
Tigrinya among them; Ukrainian, not written, falls back to the default language's words,
or with "leave out" gets nothing), answered by a tap and a "why" in a process that had
never seen the campaign or after the bot restarted, counted on the status page and by
`campaign results`, and the results go back in each youth's language. Refusals carry the
same exact words in the dashboard (400, the form kept) and the CLI (exit 2), and leave
nothing behind. Flow files are still uploaded and listed (/flows) as files alone while a
campaign's own flow is known; a "why" is machine translated for staff (and only it) by a
process that never saw the campaign. Wherever staff look, a process that never ran the
campaign names its submissions by the question: the card redrawn by a status button or
`/tr`, and the dashboard's list, filter, page, statistics, funnel and exports (in the
dashboard's language where the admin wrote it); a question with braces shows them as
written, in the results too. Invented people only."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
from multidict import MultiDict
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli.export import write_export
from bot.dialogue import campaign_compose as compose
from bot.dialogue.campaign_flows import CampaignFlows
from bot.dialogue.poll_results import campaign_tally
from storage import campaigns
from storage.submission_query import Filters
from storage.models import Campaign, Submission
from tests.botfixtures import bot_settings, running_bot
from tests.clirun import cli_env, command
from tests.integration.test_campaign_cli import an_opted_in_youth
from tests.integration.test_campaigns_e2e import a_round
from tests.integration.test_flow_upload import edited_share_idea, staff_bot, upload
from tests.integration.test_translations_e2e import translated
from tests.webfixtures import PASSWORD, add_staff, csrf_of
from tests.youth import Youth, opted_in, settle, staff_group

SV = {"question": "Skulle du gå till läxhjälpen?", "choices": ["👍 Ja", "🤔 Kanske", "👎 Nej"], "why": "Varför?"}
AR = {"question": "هل ستذهب إلى نادي الواجبات؟", "choices": ["👍 نعم", "🤔 ربما", "👎 لا"], "why": "لماذا؟"}
TI = {"question": "ናብ ክለብ ዕዮ-ገዛ ምኸድካ ዶ?", "choices": ["👍 እወ", "🤔 ምናልባት", "👎 ኣይፋል"], "why": "ስለምንታይ?"}
TEXTS = {"sv": SV, "ar": AR, "ti": TI}
PEOPLE = (("Amal", "ar", "العربية"), ("Senait", "ti", "ትግርኛ"), ("Olena", "uk", "Українська"), ("Erik", "sv", "Svenska"))
OK = {"question": "Q?", "choices": ["Ja", "Nej"], "why": ""}
# (flow, texts, the exact words): the same in the dashboard and the CLI
REFUSED: list[tuple[str, dict[str, dict[str, Any]], str]] = [
    ("", {"sv": {**OK, "question": ""}}, "the question in 'sv' (the default language) is empty"),
    (
        "",
        {"sv": {**OK, "choices": ["Ja"]}},
        "the question in 'sv' (the default language) has 1 choice; it needs at least 2",
    ),
    (
        "",
        {"sv": {**OK, "choices": list("abcdefg")}},
        "the question in 'sv' (the default language) has 7 choices; it may have at most 6",
    ),
    (
        "",
        {"sv": {**OK, "choices": ["Ja", "n" * 41]}},
        "choice 2 in 'sv' (the default language) is 41 characters; buttons allow 40",
    ),
    (
        "",
        {"sv": {**OK, "choices": ["Ja", "ja"]}},
        "choice 2 in 'sv' (the default language) is the same as choice 1: 'ja'",
    ),
    ("", {"sv": OK, "xx": OK}, "a text for unknown language 'xx' (languages: sv, en, ar, fa_AF, ps, so, ti, uk)"),
    ("poll_homework_club", {"sv": OK}, "choose a flow or write a question, not both"),
    ("", {}, "choose a flow or write a question with its choices"),
]


def form_of(
    texts: dict[str, dict[str, Any]], *, token: str, flow: str = "", do: str = "count", **more: Any
) -> MultiDict:
    form = MultiDict({"csrf_token": token, "name": "Homework club", "flow": flow, "do": do})
    for lang, t in texts.items():
        form.update(
            {f"question_{lang}": t["question"], f"choices_{lang}": "\n".join(t["choices"]), f"why_{lang}": t["why"]}
        )
    for lang in more.pop("languages", ()):
        form.add("language", lang)
    form.update({k: str(v) for k, v in more.items()})
    return form


def argv_of(texts: dict[str, dict[str, Any]], flow: str = "") -> list[str]:
    argv = ["campaign", "create", "--name", "Homework club"] + (["--flow", flow] if flow else [])
    for lang, t in texts.items():
        argv += ["--question", f"{lang}={t['question']}"]
        for choice in t["choices"]:
            argv += ["--choice", f"{lang}={choice}"]
        if t["why"]:
            argv += ["--why", f"{lang}={t['why']}"]
    return argv


class Dashboard:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def log_in(self, name: str) -> None:
        token = csrf_of(await self.page("/login"))
        async with self.http.post(f"{self.base}/login", data={"name": name, "password": PASSWORD, "csrf_token": token}):
            pass

    async def page(self, path: str) -> str:
        async with self.http.get(f"{self.base}{path}") as answer:
            assert answer.status == 200, path
            return await answer.text()

    async def post(self, path: str, form: MultiDict) -> tuple[int, str, str]:
        async with self.http.post(f"{self.base}{path}", data=form, allow_redirects=False) as answer:
            return answer.status, await answer.text(), answer.headers.get("Location", "")


def row_of(page: str, lang: str) -> str:
    """The per-language row of the compose page's preview, its tags stripped."""
    found = re.search(rf"<tr[^>]*><td>{lang}</td>(.*?)</tr>", page, re.S)
    assert found, lang
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def asked(y: Youth, words: dict[str, Any]) -> int:
    return sum(words["question"] in t for t in y.texts())


async def sent_to_everyone(services, texts: dict[str, dict[str, Any]] = TEXTS) -> int:
    """`texts` as a campaign to everyone who said yes to contact, composed as the CLI does,
    sent, and its first round taken; its number."""
    now = datetime.now(UTC)
    made = compose.compose(
        compose.Asked(name="Homework club", texts=texts),
        flowset=services.flowset,
        catalogs=services.catalogs,
        default=services.settings.default_language,
        configured=list(services.settings.languages),
        now=now,
        naive_is_utc=False,
    )
    async with services.sessionmaker.begin() as s:
        c = await compose.create(s, made, by="ada", now=now)
        await campaigns.move(s, c.id, "send", now)
    await a_round(services)
    return c.id


async def nothing_to_send_back_yet(web: Dashboard, token: str) -> None:
    """Campaign 1 is done but nobody has answered: no button under "No answers yet", and a
    results POST is refused on the campaign's own page; so is a move its state does not allow."""
    page = html.unescape(await web.page("/campaigns/1"))
    assert '<span class="badge" id="state">done</span>' in page and "No answers yet." in page
    assert "Send the results back" not in page
    for path, said in (
        ("/campaigns/1/results", "Not sent: nobody has answered campaign 1 yet."),
        ("/campaigns/1/send", "Not done: campaign 1 is done: it cannot send."),
    ):
        status, refused, _ = await web.post(path, MultiDict({"csrf_token": token, "everyone": "1"}))
        refused = html.unescape(refused)
        assert status == 400 and f'<p class="error" role="alert">{said}</p>' in refused, refused[-2000:]
        assert '<a href="/staff/campaigns">← Campaigns</a>' in refused and "Back to the submissions" not in refused


async def forget_campaign_flows(services) -> None:
    """As if another process handled what comes next: it has never seen the campaign."""
    services.campaign_flows = CampaignFlows()


@asynccontextmanager
async def with_team(fake, db_url, tmp_path) -> AsyncIterator[tuple[Any, Any, Any]]:
    """The bot running with the team's group, and admin "ada": (services, group, lead)."""
    group, lead = staff_group(fake)
    async with running_bot(bot_settings(fake, db_url, tmp_path, staff_chat_id=group.id)) as services:
        await add_staff(services.sessionmaker, "ada", "admin")
        yield services, group, lead


@asynccontextmanager
async def dashboard(services) -> AsyncIterator[Dashboard]:
    """The running bot's dashboard, logged in as ada."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        web = Dashboard(http, f"http://127.0.0.1:{services.settings.web_port}/staff")
        await web.log_in("ada")
        yield web


async def test_a_question_composed_in_the_dashboard_is_asked_answered_counted_and_sent_back(
    fake_bot_api, db_url, tmp_path
):
    async with with_team(fake_bot_api, db_url, tmp_path) as (services, group, _):
        amal, senait, olena, erik = await opted_in(fake_bot_api, services, *PEOPLE)
        async with dashboard(services) as web:
            token = csrf_of(await web.page("/campaigns"))
            for flow, texts, said in REFUSED:
                status, page, _ = await web.post(
                    "/campaigns", form_of(texts, token=token, flow=flow, do="create", languages=["ar"])
                )
                shown = html.unescape(page)
                assert status == 400 and f"Not created: {said}." in shown, (said, shown[-3000:])
                for t in texts.values():  # the form is kept
                    assert f">{t['question']}</textarea>" in shown
            async with services.sessionmaker() as s:
                assert (await s.scalars(select(Campaign))).all() == []

            status, page, _ = await web.post("/campaigns", form_of({"sv": {**OK, "choices": ["Ja"]}}, token=token))
            assert status == 400 and "Not counted: the question in 'sv'" in html.unescape(
                page
            )  # counting creates nothing
            targeted = {"languages": ["ar", "ti", "uk"]}
            status, page, _ = await web.post("/campaigns", form_of(TEXTS, token=token, **targeted))
            assert status == 200 and '<strong id="recipients">3</strong>' in page  # Erik (Swedish) not targeted
            assert row_of(page, "ar").startswith("1 translated " + AR["question"])
            assert row_of(page, "ti").startswith("1 translated " + TI["question"])
            assert row_of(page, "uk").startswith("1 not translated: falls back " + SV["question"])
            status, _, where = await web.post("/campaigns", form_of(TEXTS, token=token, do="create", **targeted))
            assert status == 303 and where.endswith("/campaigns/1")
            status, _, _ = await web.post("/campaigns/1/send", MultiDict({"csrf_token": token}))
            assert status == 303

            await a_round(services)
            assert (asked(amal, AR), asked(senait, TI), asked(olena, SV), asked(erik, SV)) == (1, 1, 1, 0)
            await a_round(services)  # every recipient was sent the question: done, nobody answered yet
            await nothing_to_send_back_yet(web, token)
            await forget_campaign_flows(services)
            await amal.press("👍 نعم")
            assert AR["why"] in amal.texts()[-1]
            await amal.write("المكتبة قريبة من بيتي")
            await senait.press("🤔 ምናልባት")
            await senait.write("Senait likes to read there")  # her own name: anonymised as in any flow
            await forget_campaign_flows(services)
            await olena.press("👎 Nej")
            await olena.press(0)
            await a_round(services)

            campaign = await web.page("/campaigns/1")
            assert (
                SV["question"] in html.unescape(campaign) and '<span class="badge" id="state">done</span>' in campaign
            )
            for label, n, share in (("👍 Ja", 1, 33), ("🤔 Kanske", 1, 33), ("👎 Nej", 1, 33)):
                assert f'<td>{label}</td><td class="n">{n}</td><td class="n">{share}%</td>' in campaign
            async with services.sessionmaker() as s:
                answers = sorted(
                    (await s.scalars(select(Submission.answers).where(Submission.flow_id == "campaign-1"))).all(),
                    key=lambda a: a["answer"],
                )
            assert [a["answer"] for a in answers] == ["ja", "kanske", "nej"]
            assert answers[0]["why"] == "المكتبة قريبة من بيتي" and "why" not in answers[2]  # Olena skipped it
            assert "Senait" not in answers[1]["why"] and "likes to read there" in answers[1]["why"], answers[1]
            cards = [m.text for m in group.messages if (m.text or "").startswith(f"💡 {SV['question']}")]
            assert len(cards) == 3 and any("answer: ja" in c and "المكتبة قريبة" in c for c in cards), cards

            assert "Send the results back" in campaign and 'id="no-telegram"' not in campaign  # this bot has a token
            status, _, _ = await web.post("/campaigns/1/results", MultiDict({"csrf_token": token}))
            assert status == 303
        await settle(services)
        for y, words, first in ((amal, AR, 0), (senait, TI, 1), (olena, SV, 2)):  # Olena: the fallback's words
            *_, results, chart = y.user.messages
            assert words["question"] in results.text and words["choices"][first] in results.text, results.text
            assert chart.kind == "photo"
        assert all(m.kind != "photo" for m in erik.user.messages)
        assert fake_bot_api.rejected == []


async def test_a_question_made_by_the_cli_leaves_out_the_untranslated_and_is_counted(fake_bot_api, db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    (tmp_path / "var").mkdir()
    for flow, texts, said in REFUSED:
        proc = command(argv_of(texts, flow), env, tmp_path)
        assert proc.returncode == 2 and proc.stderr.strip() == said, (said, proc.stderr)
    bad = command([*argv_of({"sv": OK}), "--question", "no language"], env, tmp_path)
    assert bad.returncode == 2 and "--question needs LANG=TEXT" in bad.stderr
    group, _ = staff_group(fake_bot_api)
    async with running_bot(bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)) as services:
        async with services.sessionmaker() as s:
            assert (await s.scalars(select(Campaign))).all() == []
        amal, senait, olena, erik = await opted_in(fake_bot_api, services, *PEOPLE)
        made = command([*argv_of(TEXTS), "--leave-out-untranslated", "--by", "ada"], env, tmp_path)
        assert made.returncode == 0, made.stderr
        lines = made.stdout.splitlines()
        assert {
            "ar\t1\ttranslated",
            "ti\t1\ttranslated",
            "sv\t1\ttranslated",
            "uk\t0\tleft out: no translation",
        } <= set(lines)
        assert lines[-1] == "campaign 1 (draft): 3 recipients now"
        assert command(["campaign", "send", "1"], env, tmp_path).stdout.startswith("campaign 1: scheduled;")

        await a_round(services)
        assert (asked(amal, AR), asked(senait, TI), asked(erik, SV), asked(olena, SV)) == (1, 1, 1, 0)
        await a_round(services)  # done: everyone was asked
        early = command(["campaign", "results", "1", "--send"], env, tmp_path)
        assert early.returncode == 1 and early.stderr.strip() == "nobody has answered campaign 1 yet", early.stderr
        await forget_campaign_flows(services)
        await amal.press("👍 نعم")
        await amal.write("قريب من المدرسة")
        await senait.press("👍 እወ")
        await senait.write("ምኽንያቱ ሓገዝ የድልየኒ")
        await erik.press("👎 Nej")
        await erik.press(0)
        await a_round(services)
        assert all(SV["question"] not in t for t in olena.texts())  # left out: nothing at all

        counted = command(["campaign", "results", "1"], env, tmp_path)
        assert {"👍 Ja\t2\t67%", "🤔 Kanske\t0\t0%", "👎 Nej\t1\t33%"} <= set(counted.stdout.splitlines()), (
            counted.stdout
        )
        assert "uk" not in counted.stdout  # not a recipient
        sent = command(["campaign", "results", "1", "--send"], env, tmp_path)
        assert sent.returncode == 0 and "results queued for 3 youth" in sent.stdout, sent.stderr
        services.runtime.sender.poke()
        await settle(services)
        *_, results, chart = amal.user.messages
        assert AR["question"] in results.text and chart.kind == "photo"
        assert all(m.kind != "photo" for m in olena.user.messages)
        assert fake_bot_api.rejected == []


async def test_a_youth_answers_the_question_after_the_bot_restarted(fake_bot_api, db_url, tmp_path):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(fake_bot_api, db_url, tmp_path, staff_chat_id=group.id)
    async with running_bot(settings) as services:
        (amal,) = await opted_in(fake_bot_api, services, PEOPLE[0])
        campaign_id = await sent_to_everyone(services)
        assert asked(amal, AR) == 1
    async with running_bot(settings) as services:  # a new process: the question comes from the database
        again = Youth(fake_bot_api, services, amal.user)
        await again.press("👍 نعم")
        assert AR["why"] in again.texts()[-1]
        await again.write("قريب من المدرسة")
        await a_round(services)
        async with services.sessionmaker() as s:
            t = await campaign_tally(s, services.flowset, campaign_id)
            state = await campaigns.progress(s, campaign_id)
        assert t is not None and t.counts == {"ja": 1, "kanske": 0, "nej": 0}
        assert state["ar"] == {"queued": 0, "started": 1, "skipped": 0, "answered": 1}
        await again.press(services.translator("ar").gettext("Share an idea", "share_idea/title"))  # on to another flow
        await forget_campaign_flows(services)
        await again.command("/mydata")  # her own data still shows the question and her choice in her words
        assert AR["question"] in again.texts()[-1] and AR["choices"][0] in again.texts()[-1], again.texts()[-1]
        assert fake_bot_api.rejected == []


async def test_flow_files_are_uploaded_and_listed_without_the_campaigns_own_flows(fake_bot_api, tmp_path):
    async with staff_bot(fake_bot_api, tmp_path) as bot:
        services = bot.services
        (amal,) = await opted_in(fake_bot_api, services, PEOPLE[0])
        campaign_id = await sent_to_everyone(services)
        assert asked(amal, AR) == 1 and services.flowset.get("campaign-1") is not None  # known in this process

        _, edited = edited_share_idea(bot.flows)
        assert (await upload(bot, "share_idea.yaml", edited)).startswith("✅ share_idea.yaml applied")
        seen = len(bot.group.messages)
        await bot.admin.send_command("/flows", chat=bot.group)
        await settle(services)
        listed = "\n".join(m.text or "" for m in bot.group.messages[seen:])
        assert "share_idea" in listed and "campaign-1" not in listed

        await amal.press("👍 نعم")  # the campaign's flow still runs beside the new files
        await amal.press(0)
        async with services.sessionmaker() as s:
            assert (await campaign_tally(s, services.flowset, campaign_id)).counts["ja"] == 1


async def test_a_why_is_machine_translated_for_staff_by_a_process_that_never_saw_the_campaign(
    fake_bot_api, fake_libretranslate, db_url, tmp_path
):
    group, _ = staff_group(fake_bot_api)
    settings = bot_settings(
        fake_bot_api, db_url, tmp_path, staff_chat_id=group.id, translate_url=fake_libretranslate.url
    )
    fake_libretranslate.down = True  # the answer's translation waits for the next process
    async with running_bot(settings) as services:
        (amal,) = await opted_in(fake_bot_api, services, PEOPLE[0])
        await sent_to_everyone(services)
        await amal.press("👍 نعم")
        await amal.write("المكتبة قريبة من بيتي")
    fake_libretranslate.down, before = False, len(fake_libretranslate.received)
    async with running_bot(settings) as services:
        await translated(services)
    sent = fake_libretranslate.texts()[before:]
    assert sent and all(t == "المكتبة قريبة من بيتي" for t in sent), sent  # what she wrote, not the choice's id
    card = [m.text for m in group.messages if "المكتبة قريبة من بيتي" in (m.text or "")][-1]
    assert card.startswith(f"💡 {SV['question']}"), card  # its title, on the card shown again with the translation


BRACED = {
    "sv": {"question": "Skulle du gå till {läxhjälpen}?", "choices": ["👍 Ja", "👎 Nej"], "why": "Varför?"},
    "en": {"question": "Would you go to the {homework club}?", "choices": ["👍 Yes", "👎 No"], "why": "Why?"},
    "ar": AR | {"question": "هل ستذهب إلى {نادي الواجبات}؟", "choices": ["👍 نعم", "👎 لا"]},
}
CARD_TITLE = "Skulle du gå till (läxhjälpen)?"  # the default language's; a title shows no brace
SHOWN_TITLE = "Would you go to the (homework club)?"  # the dashboard's language, written by the admin


async def test_staff_see_the_question_where_they_look_in_a_process_that_never_ran_the_campaign(
    fake_bot_api, db_url, tmp_path
):
    async with with_team(fake_bot_api, db_url, tmp_path) as (services, group, lead):
        (amal,) = await opted_in(fake_bot_api, services, PEOPLE[0])
        campaign_id = await sent_to_everyone(services, BRACED)
        await amal.press("👍 نعم")
        await amal.write("المكتبة قريبة من بيتي")
        await a_round(services)
        [card] = [m for m in group.messages if "#" in (m.text or "") and "answer: ja" in (m.text or "")]
        assert card.text.startswith(f"💡 {CARD_TITLE}"), card.text

        await forget_campaign_flows(services)  # a status button pressed in another process
        await lead.press_on(card, 1, chat=group)
        await settle(services)
        assert card.text.startswith(f"💡 {CARD_TITLE}") and "Status: " in card.text, card.text
        assert "campaign-" not in card.text
        await forget_campaign_flows(services)  # and a person's translation there
        await lead.reply_to(card, "/tr The library is near my home.", chat=group)
        await settle(services)
        assert card.text.startswith(f"💡 {CARD_TITLE}") and "The library is near my home." in card.text, card.text

        async with dashboard(services) as web:  # its process has not seen the campaign yet either
            sub_id = int(card.text.rsplit("#", 1)[1])
            token = csrf_of(await web.page("/campaigns"))
            by_web = MultiDict({"csrf_token": token, "text": "It is near my home, she says."})
            status, _, _ = await web.post(f"/submissions/{sub_id}/translation", by_web)
            await settle(services)
            assert status == 303 and card.text.startswith(f"💡 {CARD_TITLE}") and "near my home, she" in card.text
            flow = f"campaign-{campaign_id}"
            listed = html.unescape(await web.page(f"/submissions?flow={flow}"))
            assert f'<option value="{flow}" selected>{SHOWN_TITLE}</option>' in listed, listed[:4000]
            assert f"<span>{SHOWN_TITLE}</span>" in listed and "المكتبة قريبة من بيتي" in listed
            page = html.unescape(await web.page(f"/submissions/{sub_id}"))
            assert f"<dd>{SHOWN_TITLE}</dd>" in page
            assert "Would you go to the {homework club}?" in page and "👍 Yes" in page  # asked, answered, as written
            assert "{{" not in page and flow not in page.replace(f"flow={flow}", "")
            stats = html.unescape(await web.page("/stats"))
            assert f"<h3>{SHOWN_TITLE}</h3>" in stats and f'<option value="{flow}">{SHOWN_TITLE}</option>' in stats
            funnel = html.unescape(await web.page(f"/stats/funnel/{flow}.svg"))
            assert "Would you go to the {homework club}?" in funnel and "{{" not in funnel
            exported = (await web.page(f"/submissions/export.csv?flow={flow}")).lstrip("\ufeff")
            [row] = list(csv.DictReader(io.StringIO(exported)))
            assert (row["flow"], row["flow_title"]) == (flow, SHOWN_TITLE)
            assert (row["answer:answer"], row["answer:why"]) == ("ja", "المكتبة قريبة من بيتي"), row
            async with web.http.get(f"{web.base}/submissions/export.xlsx?flow={flow}") as answer:
                sheet = load_workbook(io.BytesIO(await answer.read())).active
            head, cells = [[c.value for c in r] for r in sheet.iter_rows()]
            assert cells[head.index("flow_title")] == SHOWN_TITLE
            # the command line's export titles it too (it never ran the campaign either)
            out = io.StringIO()
            filters, _ = Filters.from_query({"flow": flow})
            await write_export(db_url, filters, "csv", [], out, file_flows=services.flows.current.flows.values())
            [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
            assert (row["flow_title"], row["answer:why"]) == (SHOWN_TITLE, "المكتبة قريبة من بيتي"), row

            status, _, _ = await web.post(f"/campaigns/{campaign_id}/results", MultiDict({"csrf_token": token}))
            assert status == 303
        await settle(services)
        *_, results, chart = amal.user.messages
        assert "{نادي الواجبات}" in results.text and "{{" not in results.text, results.text
        assert chart.kind == "photo" and fake_bot_api.rejected == []


async def test_without_a_telegram_token_the_campaign_page_says_nothing_goes_out(fake_bot_api, db_url, tmp_path):
    settings = bot_settings(fake_bot_api, db_url, tmp_path, telegram_bot_token=None)  # `make run` without a token
    async with running_bot(settings) as services:
        await add_staff(services.sessionmaker, "ada", "admin")
        await an_opted_in_youth(db_url, "sv")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            web = Dashboard(http, f"http://127.0.0.1:{settings.web_port}/staff")
            await web.log_in("ada")
            token = csrf_of(await web.page("/campaigns"))
            form = form_of({"sv": OK}, token=token, do="create", languages=["sv", "ar"], leave_out="1")
            status, _, where = await web.post("/campaigns", form)
            assert status == 303 and where.endswith("/campaigns/1")
            assert (await web.post("/campaigns/1/send", MultiDict({"csrf_token": token})))[0] == 303
            page = html.unescape(await web.page("/campaigns/1"))
    assert '<span class="badge" id="state">scheduled</span>' in page
    assert (
        "This bot runs without a Telegram token: the campaign goes out once the bot runs with one "
        "(see README, Getting a bot token)." in page
    )
    assert "Audience</dt><dd>Languages: Swedish; Left out (no translation): Arabic</dd>" in page
    assert fake_bot_api.calls_to("sendMessage") == []
