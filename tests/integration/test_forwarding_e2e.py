"""End to end: an idea finished in the bot reaches the staff group and the team's webhook
once each, anonymised and signed; the staff review it and ask follow-up questions.

The whole bot runs against the fake Bot API; the webhook receiver is a real HTTP server
in the test that can be "down" (HTTP 500) for its first posts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.i18n import replies
from bot.forwarding.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER
from storage.models import Submission
from tests.botfixtures import bot_settings, free_port, running_bot
from tests.youth import Youth, settle, share_idea

SECRET = "test-webhook-secret-not-real"


@dataclass
class Post:
    body: bytes
    headers: dict[str, str]
    status: int


@dataclass
class Receiver:
    """The team's tool: answers 500 to its first `down_for` posts, then 200."""

    down_for: int = 0
    posts: list[Post] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        status = 500 if len(self.posts) < self.down_for else 200
        self.posts.append(Post(await request.read(), dict(request.headers), status))
        return web.Response(status=status, text="down" if status == 500 else "ok")

    @property
    def taken(self) -> list[Post]:
        return [p for p in self.posts if p.status == 200]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/ideas", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rec.url = f"http://127.0.0.1:{port}/ideas"
    yield rec
    await runner.cleanup()


def team(fake: Any) -> tuple[Any, Any]:
    lead = fake.new_user(first_name="Stina", last_name="Teamlead", language_code="en")
    return fake.new_group("Sammanhacket team", members=[lead]), lead


def settings(fake: Any, db_url: str, tmp_path: Any, group: Any, receiver: Receiver) -> Any:
    return bot_settings(
        fake,
        db_url,
        tmp_path,
        staff_chat_id=group.chat.id,
        forward_webhook_url=receiver.url,
        forward_webhook_secret=SECRET,
        rate_group_per_min=600.0,
    )


def card_of(group: Any, flow_title: str) -> Any:
    cards = [m for m in group.messages if (m.text or "").startswith(f"💡 {flow_title}")]
    assert len(cards) == 1, [m.text for m in group.messages]
    return cards[0]


async def submission(services: Any, flow_id: str) -> Submission:
    async with services.sessionmaker() as s:
        return (await s.scalars(select(Submission).where(Submission.flow_id == flow_id))).one()


async def test_idea_reaches_team_once_signed_and_followup_round_trip(fake_bot_api, db_url, tmp_path, receiver):
    receiver.down_for = 2  # the team's tool is down for a while
    group, lead = team(fake_bot_api)
    async with running_bot(settings(fake_bot_api, db_url, tmp_path, group, receiver)) as services:
        amina = Youth.new(
            fake_bot_api, services, first_name="Amina", last_name="Yusufzai", username="amina_y2009", language_code="en"
        )
        await share_idea(amina, "My name is Amina. Homework help in the library after school, call 0701234567.")
        await amina.press("Yes")  # the team may ask a follow-up question
        await settle(services)

        sub = await submission(services, "share_idea")
        card = card_of(group, "Share an idea")
        assert card.text.endswith(f"\n#{sub.id}") and sub.participant_pseudonym in card.text
        assert card.protected  # protect_content: the card cannot be forwarded out of the group
        assert not any(m.protected for m in amina.user.messages)  # the bot's own words to youth can be
        # the receiver took it once, after refusing twice; signed, with its idempotency key
        assert len(receiver.posts) == 3 and len(receiver.taken) == 1
        post = receiver.taken[0]
        expected = "sha256=" + hmac.new(SECRET.encode(), post.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(post.headers[SIGNATURE_HEADER], expected)
        body = json.loads(post.body)
        assert body["idempotency_key"] == sub.key == post.headers[IDEMPOTENCY_HEADER]
        assert body["flow"] == "share_idea" and body["pseudonym"] == sub.participant_pseudonym
        assert all(p.body == post.body for p in receiver.posts)  # the same delivery, retried
        for shown in (card.text, post.body.decode()):
            for private in ("Amina", "Yusufzai", "amina_y2009", "0701234567", str(amina.user.id)):
                assert private not in shown
        assert "library" in body["answers"]["idea"]

        # a staff reply to the card reaches the youth, without the staff member's name
        await lead.reply_to(card, "Which library do you mean? Regards, Stina", chat=group)
        await settle(services)
        asked = amina.texts()[-2:]
        assert asked[0].startswith("The team asks: Which library do you mean?") and "Stina" not in asked[0]
        assert asked[1] == services.translator("en").gettext(replies.TEAM_ASKS_HINT)
        assert all(m.protected for m in amina.user.messages[-2:])  # the relay's words to the youth
        assert group.messages[-1].text.startswith("Sent to the youth")

        # the youth's answer goes back as a reply to the card, anonymised
        await amina.write("The big library near the station. I am Amina, my number is 0701234567.")
        back = group.messages[-1]
        assert back.reply_to_message_id == card.message_id
        assert back.text.startswith(f"↩️ {sub.participant_pseudonym}:") and "big library" in back.text
        assert "Amina" not in back.text and "0701234567" not in back.text and back.protected
        assert amina.last.text == services.translator("en").gettext(replies.FOLLOWUP_SENT)

        # the next text is a normal conversation again, not another answer
        await amina.command("/menu")
        assert group.messages[-1].message_id == back.message_id
        assert len(receiver.taken) == 1 and len(card_of(group, "Share an idea").text) > 0
        assert fake_bot_api.rejected == []


async def test_review_buttons_and_refused_followup(fake_bot_api, tmp_path, receiver):
    db_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    group, lead = team(fake_bot_api)
    outsider = fake_bot_api.new_user(first_name="Olle", language_code="en")  # not in the group
    async with running_bot(settings(fake_bot_api, db_url, tmp_path, group, receiver)) as services:
        bilal = Youth.new(fake_bot_api, services, first_name="Bilal", language_code="en")
        await share_idea(bilal, "A football team for girls and boys who just came to Sweden.")
        await bilal.press("No")  # no follow-up questions, please
        sub = await submission(services, "share_idea")
        card = card_of(group, "Share an idea")
        before = len(bilal.user.messages)

        await lead.reply_to(card, "How many players do you need?", chat=group)
        await settle(services)
        assert group.messages[-1].text == "This youth did not allow follow-up questions."
        assert len(bilal.user.messages) == before  # nothing reached the youth

        # a member's press changes the status and the card shows who did it
        await lead.press_on(card, "Shortlist", chat=group)
        await settle(services)
        async with services.sessionmaker() as s:
            fresh = await s.get(Submission, sub.id)
            assert (fresh.status, fresh.status_by) == ("shortlisted", "Stina")
        assert card.edit_count == 1 and "Status: shortlisted ⭐ (by Stina)" in card.text
        assert "Teamlead" not in card.text

        # someone outside the group (a public group's viewer) cannot
        await outsider.press_on(card, "Archive", chat=group)
        await settle(services)
        async with services.sessionmaker() as s:
            assert (await s.get(Submission, sub.id)).status == "shortlisted"
        assert card.edit_count == 1
        notices = [c.get("text") for c in fake_bot_api.calls_to("answerCallbackQuery")]
        assert notices[-1] == "Only members of the team's group can review submissions."

        await lead.press_on(card, "Archive", chat=group)
        await settle(services)
        async with services.sessionmaker() as s:
            assert (await s.get(Submission, sub.id)).status == "archived"
        assert "Status: archived 🗄 (by Stina)" in card.text
        assert fake_bot_api.unanswered_callbacks == [] and fake_bot_api.rejected == []
