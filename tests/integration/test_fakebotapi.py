"""The fake Bot API server, driven by the real python-telegram-bot stack over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest
from aiohttp import web
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, MessageHandler, filters
from telegram.request import HTTPXRequest

from tests.fakebotapi.control import FakeControl
from tests.fakebotapi.fixtures import fake_bot_api  # noqa: F401
from tests.fakebotapi.limits import RateLimits
from tests.fakebotapi.server import FakeBotApi

REPO = Path(__file__).resolve().parents[2]


def make_bot(server: FakeBotApi, token: str | None = None, **request_kwargs) -> Bot:
    request = HTTPXRequest(**request_kwargs) if request_kwargs else None
    return Bot(
        token or server.token, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot", request=request
    )


@pytest.fixture
async def bot(fake_bot_api):  # noqa: F811
    async with make_bot(fake_bot_api) as bot:
        yield bot


def says(reason: str) -> str:
    """A pytest.raises pattern: PTB strips "Bad Request: " and capitalises the rest."""
    return "(?i)" + re.escape(reason)


async def until(condition, limit: float = 15.0) -> None:
    """Wait (bounded) for a condition that another task makes true."""
    async with asyncio.timeout(limit):
        while not condition():
            await asyncio.sleep(0.01)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_get_me(bot, fake_bot_api):  # noqa: F811
    me = await bot.get_me()
    assert me.id == fake_bot_api.bot_id and me.is_bot and me.username == "sammanbot_test_bot"
    assert fake_bot_api.calls_per_method() == {"getMe": 2}  # Bot.initialize() calls it too


async def test_keyboard_press_answer_and_edit(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Amina", language_code="sv")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Ja", callback_data="1:0"), InlineKeyboardButton("Nej", callback_data="1:1")]]
    )
    sent = await bot.send_message(user.id, "Vill du vara med?", reply_markup=keyboard)
    assert sent.text == "Vill du vara med?" and sent.from_user.id == fake_bot_api.bot_id
    assert sent.reply_markup == keyboard
    assert (await user.wait_for_reply()).buttons == [["Ja", "Nej"]]

    query_id = await user.press("Nej")
    assert fake_bot_api.unanswered_callbacks == [query_id]
    updates = await bot.get_updates(timeout=5)
    query = updates[-1].callback_query
    assert (query.id, query.data, query.from_user.first_name) == (query_id, "1:1", "Amina")
    assert query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query.id)
    assert fake_bot_api.unanswered_callbacks == []
    edited = await bot.edit_message_text("Du valde: Nej", chat_id=user.id, message_id=sent.message_id)
    assert edited.text == "Du valde: Nej" and edited.reply_markup is None
    snapshot = await user.wait_for_reply()
    assert snapshot.edited and snapshot.text == "Du valde: Nej"
    assert [m.text for m in user.messages] == ["Du valde: Nej"] and user.last_message.keyboard == []
    # The Message objects served are valid Bot API objects.
    fake_bot_api.spec.validate_object("Message", fake_bot_api.message_api(user.chat, user.last_message))
    assert fake_bot_api.rejected == []


async def test_answering_a_callback_twice_is_rejected(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Yonas")
    await bot.send_message(
        user.id, "Välj", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    )
    query_id = await user.press(0)
    await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=says("query is too old")):
        await bot.answer_callback_query(query_id)


@pytest.mark.filterwarnings("ignore:Please use 'Bot.sendMessage'")
@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda bot, chat: bot.send_message(chat, "hej", api_kwargs={"colour": "red"}), 'unknown parameter "colour"'),
        (
            lambda bot, chat: bot.do_api_request("sendMessage", api_kwargs={"chat_id": chat}),
            'parameter "text" is required',
        ),
        (lambda bot, chat: bot.send_message(chat, "x" * 4097), "message is too long"),
        (lambda bot, chat: bot.send_message(chat, "  \n"), "message text is empty"),
        (
            lambda bot, chat: bot.send_message(
                chat, "Hej", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="é" * 33)]])
            ),
            "BUTTON_DATA_INVALID",
        ),
        (lambda bot, chat: bot.send_message(chat, "<b>Hej", parse_mode="HTML"), "can't parse entities"),
        (lambda bot, chat: bot.send_message(chat, "Hej", disable_notification="maybe"), "expected a Boolean"),
        (lambda bot, chat: bot.send_message(-42, "Hej"), "chat not found"),
        (
            lambda bot, chat: bot.set_my_commands([BotCommand("start", "Börja")], language_code="prs"),
            "invalid language code",
        ),
    ],
)
async def test_invalid_calls_are_rejected(bot, fake_bot_api, call, reason):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Farid")
    with pytest.raises(BadRequest, match=says(reason)):
        await call(bot, user.id)
    assert len(fake_bot_api.rejected) == 1 and reason in fake_bot_api.rejected[0][1]
    assert user.messages == []


async def test_text_limit_counts_characters_after_html(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Lina")
    await bot.send_message(user.id, "<b>" + "ä" * 4096 + "</b>", parse_mode="HTML")
    assert user.last_message.text == "ä" * 4096
    assert user.last_message.entities == [{"type": "bold", "offset": 0, "length": 4096}]
    with pytest.raises(BadRequest, match=says("message is not modified")):
        await bot.edit_message_text(
            "<b>" + "ä" * 4096 + "</b>", chat_id=user.id, message_id=user.last_message.message_id, parse_mode="HTML"
        )


async def test_simulated_updates_are_valid_bot_api_objects(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Amal", last_name="Testsson", username="amal_test", language_code="ar")
    group = fake_bot_api.new_group("Workshop", members=[user])
    sent = await bot.send_message(
        user.id, "Hej", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="1:0")]])
    )
    await user.send_command("start", "workshop-malmo")
    await user.reply_to(sent.message_id, "svar")
    await user.press("OK")
    await user.press_data("forged:99")
    for action in (user.send_photo, user.send_voice, user.send_sticker, user.send_location, user.send_contact):
        await action()
    await user.send_document("a.yaml", b"x: 1\n")
    await user.send_text("i gruppen", chat=group)
    await group.set_bot_status("left", by=user)
    await user.block_bot()
    updates = fake_bot_api.updates.deliverable()
    assert len(updates) == 13
    for update in updates:
        fake_bot_api.spec.validate_object("Update", update)


async def test_unknown_token_is_unauthorized(fake_bot_api):  # noqa: F811
    async with make_bot(fake_bot_api) as good:
        await good.get_me()
    with pytest.raises(InvalidToken):
        async with make_bot(fake_bot_api, token="999:WRONG") as bad:
            await bad.get_me()
    assert fake_bot_api.rejected == [("getMe", "Unauthorized")]


async def test_offsets_duplicates_and_allowed_updates(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Sara")
    await user.send_command("/start", "workshop-malmo")
    first = (await bot.get_updates())[0]
    assert first.message.text == "/start workshop-malmo" and first.message.entities[0].type == "bot_command"
    fake_bot_api.push_update(first.to_dict())  # delivered twice
    await user.send_text("hej")
    again = await bot.get_updates(offset=first.update_id)
    assert [u.update_id for u in again] == [first.update_id, first.update_id, first.update_id + 1]
    assert await bot.get_updates(offset=again[-1].update_id + 1) == ()
    await user.send_text("bara meddelanden")
    fake_bot_api.push_update({"chat_member": {}})  # not delivered by default
    only = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in only] == ["bara meddelanden"]


async def test_long_poll_waits_for_a_user_and_a_second_poller_conflicts(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Omid")
    polls = lambda: fake_bot_api.calls_per_method().get("getUpdates", 0)  # noqa: E731
    polling = asyncio.create_task(bot.get_updates(timeout=20))
    await until(lambda: polls() == 1)
    await user.send_text("hallå")
    assert (await polling)[0].message.text == "hallå"

    first = asyncio.create_task(bot.get_updates(offset=100, timeout=20))
    await until(lambda: polls() == 2)
    async with make_bot(fake_bot_api) as other:
        second = asyncio.create_task(other.get_updates(offset=100, timeout=1))
        with pytest.raises(Conflict, match=says("terminated by other getUpdates")):
            await first
        assert await second == ()


async def test_webhook_delivery_in_order_with_secret_and_retries(bot, fake_bot_api):  # noqa: F811
    received: list[tuple[str | None, dict]] = []
    answers = iter([500])  # the first POST fails: it must be retried, order kept

    async def receive(request: web.Request) -> web.Response:
        status = next(answers, 200)
        if status == 200:
            received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        user = fake_bot_api.new_user(first_name="Hodan")
        await user.send_text("före")
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-Token_1")
        await user.send_text("efter")
        await until(lambda: len(received) == 2)
        assert [(secret, update["message"]["text"]) for secret, update in received] == [
            ("s3cret-Token_1", "före"),
            ("s3cret-Token_1", "efter"),
        ]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert info.last_error_message.startswith("Wrong response from the webhook: 500")
        with pytest.raises(Conflict, match=says("webhook is active")):
            await bot.get_updates()
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()
    finally:
        await runner.cleanup()


async def test_rate_limit_answers_429_with_retry_after():
    clock = FakeClock()
    async with FakeBotApi(rate_limits=True, clock=clock) as server, make_bot(server) as bot:
        user = server.new_user(first_name="Nour")
        for n in range(3):  # a short burst is allowed
            await bot.send_message(user.id, f"meddelande {n}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "ett för mycket")
        retry = caught.value.retry_after  # a timedelta when PTB_TIMEDELTA is on (the bot sets it)
        assert getattr(retry, "total_seconds", lambda: retry)() == 1 and server.count_429 == 1
        await bot.send_chat_action(user.id, "typing")  # not a message: not paced
        clock.now += 1
        await bot.send_message(user.id, "nu går det")
        assert [m.text for m in user.messages][-1] == "nu går det" and server.rejected == []


def test_limits_per_group_and_overall():
    clock = FakeClock()
    limits = RateLimits(enabled=True, clock=clock)
    assert all(limits.check("sendMessage", -5, is_group=True) is None for _ in range(20))
    assert limits.check("sendMessage", -5, is_group=True) == 3  # 20/min: one more in 3 s
    assert all(limits.check("sendMessage", 100 + n, is_group=False) is None for n in range(10))
    assert limits.check("sendMessage", 999, is_group=False) == 1  # 30/s overall used up
    assert limits.check("editMessageText", 999, is_group=False) is None
    clock.now += 3
    assert limits.check("sendMessage", -5, is_group=True) is None


async def test_faults(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Dawit")
    fake_bot_api.faults.fail_next(1, status=502)
    with pytest.raises(NetworkError, match=says("Bad Gateway")):
        await bot.send_message(user.id, "hej")
    await bot.send_message(user.id, "hej igen")

    clock = FakeClock()
    fake_bot_api.faults.clock = clock
    fake_bot_api.faults.hold_429(5, retry_after=7)
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "hej")
    assert await bot.get_updates() == ()  # polling is spared
    clock.now += 5
    await bot.send_message(user.id, "efter paus")

    await user.block_bot()
    with pytest.raises(Forbidden, match=says("bot was blocked by the user")):
        await bot.send_message(user.id, "hej")
    update = (await bot.get_updates())[-1]
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert [m.text for m in user.messages] == ["hej igen", "efter paus"]
    assert fake_bot_api.count_429 == 1 and fake_bot_api.rejected == []


async def test_timeout_fault_with_and_without_delivery(fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Zainab")
    async with make_bot(fake_bot_api, read_timeout=0.3) as bot:
        fake_bot_api.faults.timeout_next(1, seconds=1.5)
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "förlorad")
        fake_bot_api.faults.timeout_next(1, seconds=0.6, deliver=True)
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "kom fram ändå")
        reply = await user.wait_for_reply(timeout=10)
    assert reply.text == "kom fram ändå" and [m.text for m in user.messages] == ["kom fram ändå"]


async def test_documents_both_ways(bot, fake_bot_api):  # noqa: F811
    admin = fake_bot_api.new_user(first_name="Admin", language_code="en")
    yaml_text = b"id: welcome\nsteps: []\n"
    await admin.send_document("welcome.yaml", yaml_text, mime_type="application/x-yaml")
    document = (await bot.get_updates())[0].message.document
    assert document.file_name == "welcome.yaml"
    file = await document.get_file()
    assert bytes(await file.download_as_bytearray()) == yaml_text

    sent = await bot.send_document(admin.id, b"a,b\n1,2\n", filename="ideas.csv", caption="Export")
    assert sent.document.file_name == "ideas.csv" and admin.last_message.caption == "Export"
    assert fake_bot_api.files.get(sent.document.file_id).data == b"a,b\n1,2\n"
    await admin.send_photo(caption="bild")
    await admin.send_voice()
    await admin.send_sticker()
    await admin.send_location()
    await admin.send_contact()
    kinds = [u.message.effective_attachment.__class__.__name__ for u in await bot.get_updates(offset=2)]
    assert kinds == ["tuple", "Voice", "Sticker", "Location", "Contact"]  # photo sizes come as a tuple
    assert fake_bot_api.rejected == []


async def test_commands_per_language_and_scope(bot, fake_bot_api):  # noqa: F811
    user = fake_bot_api.new_user(first_name="Mariam")
    await bot.set_my_commands([BotCommand("start", "Börja")], language_code="sv")
    await bot.set_my_commands([BotCommand("start", "ابدأ")], language_code="ar")
    await bot.set_my_commands([BotCommand("start", "Start")], scope=BotCommandScopeChat(user.id))
    assert [c.description for c in await bot.get_my_commands(language_code="ar")] == ["ابدأ"]
    assert [c.description for c in await bot.get_my_commands(scope=BotCommandScopeChat(user.id))] == ["Start"]
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(language_code="sv")
    assert await bot.get_my_commands(language_code="sv") == ()
    with pytest.raises(BadRequest, match=says("BOT_COMMAND_INVALID")):
        await bot.set_my_commands([BotCommand("Start!", "x")])


async def test_groups_members_replies_and_leaving(bot, fake_bot_api):  # noqa: F811
    staff_a = fake_bot_api.new_user(first_name="Elin", language_code="sv")
    staff_b = fake_bot_api.new_user(first_name="Johan", language_code="sv")
    outsider = fake_bot_api.new_user(first_name="Okänd")
    group = fake_bot_api.new_group("Sammanhacket staff", members=[staff_b], admins=[staff_a])
    assert group.id < 0
    card = await bot.send_message(group.id, "Ny idé #12")
    await staff_b.reply_to(card.message_id, "Bra idé!", chat=group)
    update = (await bot.get_updates())[0]
    assert update.message.chat.type == "group"
    assert update.message.reply_to_message.text == "Ny idé #12"
    statuses = [(await bot.get_chat_member(group.id, u.id)).status for u in (staff_a, staff_b, outsider)]
    assert statuses == ["administrator", "member", "left"]
    assert (await bot.get_chat(group.id)).title == "Sammanhacket staff"

    await group.set_bot_status("administrator", by=staff_a)
    changed = (await bot.get_updates(offset=update.update_id + 1))[0].my_chat_member
    assert (changed.old_chat_member.status, changed.new_chat_member.status) == ("member", "administrator")
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match=says("not a member")):
        await bot.send_message(group.id, "hallå?")
    assert [m.text for m in group.messages] == ["Ny idé #12"] and fake_bot_api.rejected == []


async def test_application_polling_answers_a_user(fake_bot_api):  # noqa: F811
    async def echo(update, context):
        await update.message.reply_text(f"Du skrev: {update.message.text}")

    app = (
        Application.builder()
        .token(fake_bot_api.token)
        .base_url(f"{fake_bot_api.url}/bot")
        .base_file_url(f"{fake_bot_api.url}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    user = fake_bot_api.new_user(first_name="Ahmad", language_code="fa")
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5)
        await user.send_text("salam")
        reply = await user.wait_for_reply(timeout=15)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "Du skrev: salam"
    assert fake_bot_api.rejected == [] and fake_bot_api.calls_per_method()["sendMessage"] == 1


async def test_standalone_server_driven_by_fake_control():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakebotapi",
        "--port",
        "0",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        started = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
        async with (
            FakeControl(started["url"]) as control,
            Bot(started["token"], base_url=f"{started['url']}/bot") as bot,
        ):
            user = await control.new_user(first_name="Halima", language_code="so")
            await user.send_text("Salaan")
            update = (await bot.get_updates())[0]
            assert update.message.text == "Salaan" and update.message.from_user.id == user.id
            await bot.send_message(
                user.id,
                "Ma rabtaa?",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Haa", callback_data="2:0")]]),
            )
            assert (await user.wait_for_reply(timeout=10)).labels == ["Haa"]
            query_id = await user.press("Haa")
            query = (await bot.get_updates(offset=update.update_id + 1))[0].callback_query
            assert (query.id, query.data) == (query_id, "2:0")
            await control.faults.fail_next(1, status=500)
            with pytest.raises(NetworkError):
                await bot.send_message(user.id, "hej")
            stats = await control.stats()
            assert stats["unanswered_callbacks"] == [query_id] and stats["rejected"] == []
            assert stats["calls_per_method"]["sendMessage"] == 2 and stats["faults_injected"] == 1
            with pytest.raises(TimeoutError):
                await user.wait_for_reply(timeout=0.2)
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 30) == 0


def test_the_spec_is_the_projects_own_copy_with_its_licence():
    """The spec lives in the repository (a fresh clone has nothing beside it)."""
    from tests.fakebotapi.spec import load_spec, spec_path

    here = REPO / "tests" / "fakebotapi"
    if not os.environ.get("TELEGRAM_API_SPEC"):
        assert spec_path() == here / "api.json"
    assert load_spec().version == "Bot API 10.1"
    assert "MIT License" in (here / "api.json.LICENSE").read_text(encoding="utf-8")
    assert "Bot API **10.1**" in (here / "SPEC.md").read_text(encoding="utf-8")
    for path in [
        *REPO.glob("tests/**/*.py"),
        *REPO.glob("bot/**/*.py"),
        *REPO.glob("bench/*.py"),
        REPO / "Makefile",
        REPO / ".ci" / "run",
    ]:
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        outside = "/".join(("..", "shared")), '"' + "shared" + '"'
        assert not any(o in text for o in outside), f"{path} reads outside the clone"


async def test_photos_are_uploaded_measured_and_refused_when_not_images(bot, fake_bot_api):  # noqa: F811
    from bot.dialogue.poll_chart import HEIGHT, WIDTH, chart_png

    youth = fake_bot_api.new_user(first_name="Invented", language_code="en")
    png = chart_png([2, 1])
    sent = await bot.send_photo(youth.id, png, filename="results.png")
    (size,) = sent.photo
    assert (size.width, size.height) == (WIDTH, HEIGHT) and youth.last_message.kind == "photo"
    assert fake_bot_api.files.get(size.file_id).data == png
    again = await bot.send_photo(youth.id, size.file_id)  # by file_id, as Telegram allows
    assert again.photo[0].file_unique_id == size.file_unique_id
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(youth.id, b"not an image", filename="results.png")
