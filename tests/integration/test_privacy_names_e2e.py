"""End to end, issue 16: a friend's and a social worker's name in an idea reach no one
— not the staff group's card, the dashboard's list, detail page and exports, nor the
forwarding webhook — while the helpline the youth mentions (BRIS, 116 111) is kept.

The whole bot runs against the fake Bot API and serves its dashboard over real HTTP;
every person here is invented.
"""

from __future__ import annotations

import csv
import io
import json

import aiohttp
from sqlalchemy import select

from storage.models import Submission
from tests.botfixtures import bot_settings, running_bot
from tests.youth import Youth, onboard, staff_group
from tests.integration.test_privacy_e2e import share_idea
from tests.webhookreceiver import webhook_receiver
from tests.webfixtures import PASSWORD, add_staff, csrf_of

FRIEND, WORKER_FIRST, WORKER_LAST = "Kibrom", "Johanna", "Lindqvist"
IDEA_WORD = "Zumbafika"
IDEA = (
    f"My friend {FRIEND} and my social worker {WORKER_FIRST} {WORKER_LAST} want a homework "
    f"café, {IDEA_WORD}. Anyone who feels bad can call BRIS on 116 111."
)
ANONYMISED = (
    f"My friend [NAME] and my social worker [NAME] want a homework café, {IDEA_WORD}. "
    "Anyone who feels bad can call BRIS on 116 111."
)
NAMES = (FRIEND, WORKER_FIRST, WORKER_LAST)


def leaks(text: str) -> list[str]:
    return [name for name in NAMES if name.casefold() in text.casefold()]


async def dashboard_pages(base: str, submission_id: int) -> dict[str, str]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # an IP host
        page = await http.get(f"{base}/login")
        token = csrf_of(await page.text())
        login = await http.post(
            f"{base}/login", data={"name": "ada", "password": PASSWORD, "csrf_token": token}, allow_redirects=False
        )
        assert login.status in (302, 303)
        pages = {}
        for name, path in (
            ("list", "/submissions"),
            ("detail", f"/submissions/{submission_id}"),
            ("csv", "/submissions/export.csv"),
        ):
            r = await http.get(base + path)
            assert r.status == 200, path
            pages[name] = await r.text()
        return pages


async def test_other_peoples_names_reach_no_staff_and_the_helpline_stays(fake_bot_api, db_url, tmp_path):
    fake = fake_bot_api
    async with webhook_receiver() as receiver:
        group, _ = staff_group(fake)
        settings = bot_settings(
            fake,
            db_url,
            tmp_path,
            staff_chat_id=group.id,
            forward_webhook_url=receiver.url,
            forward_webhook_secret="not-a-secret",
        )
        async with running_bot(settings) as services:
            await add_staff(services.sessionmaker, "ada", "admin")
            y = Youth.new(fake, services, first_name="Selamawit", language_code="en")
            await onboard(y)
            await share_idea(y, IDEA)

            card = next(m for m in group.messages if IDEA_WORD in (m.text or ""))
            assert ANONYMISED in card.text and leaks(card.text) == []

            assert len(receiver.posts) == 1
            body = json.loads(receiver.posts[0].body)
            assert body["answers"]["idea"] == ANONYMISED
            assert leaks(receiver.posts[0].body.decode()) == []

            async with services.sessionmaker() as s:
                sub = await s.scalar(select(Submission))
            assert sub.answers["idea"] == ANONYMISED
            pages = await dashboard_pages(f"http://127.0.0.1:{settings.web_port}/staff", sub.id)
            assert IDEA_WORD in pages["list"] and "116 111" in pages["detail"]
            rows = list(csv.DictReader(io.StringIO(pages["csv"])))
            assert [r for r in rows if ANONYMISED in " ".join(r.values())]
            assert {name: leaks(text) for name, text in pages.items() if leaks(text)} == {}
