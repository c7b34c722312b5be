"""Bad input: Telegram updates of every type and field in the Bot API specification,
built at random (hypothesis), plus giant texts, control and bidi-override characters,
lone UTF-16 surrogates, forged or stale callback data and group chats. Each goes the
real way in: `store_updates` -> the inbox -> one `InboxWorker` round -> the handler,
against Services on SQLite. None may raise, leave a traceback in the logs, be lost,
or go without the kind answer that is due."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiohttp import web
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import event, select

from bot.app.services import build_services
from bot.base.settings import Settings
from bot.telegram.handler import MEDIA, UpdateHandler
from bot.telegram.intake import clean_json, store_updates
from bot.telegram.webhook import MAX_BODY, SECRET_HEADER, WebhookEndpoint
from bot.telegram.worker import InboxWorker
from storage.migrate import ensure_schema
from storage.models import Inbox, Outbox
from tests.botfixtures import ROOT, RecordedAnswers
from tests.fakebotapi.spec import load_spec

SPEC = load_spec()
STAFF = -100_999_000_111
SECRET = "invented-webhook-secret"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
NASTY = [
    "",
    " ",
    "/start",
    "/delete",
    "/stop@other_bot",
    "r:c",
    "d:y",
    "h:p",
    "9999:0",
    "\u202eevil\u202c",
    BIDI * 20,
    "".join(map(chr, range(32))),
    "\x00nul",
    "\ud800lone",
    "\udfff",
    "\r\n" * 100,
    "\ufeff\ufffe",
    "<b>not html</b>",
    "*_`[",
]
GIANT = st.sampled_from([("ä", 4096), ("🙂", 3000), ("x", 70_000), ("/start ", 300)]).map(lambda c: c[0] * c[1])
TEXT = st.one_of(
    st.text(max_size=40), st.sampled_from(NASTY), GIANT, st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
)
_ids = itertools.count(1_000_000)


# -- updates from the specification --------------------------------------------------------

PRIMITIVES = {
    "Integer": st.one_of(st.integers(-(2**52), 2**52), st.integers(-5, 5)),
    "Float": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "Boolean": st.booleans(),
    "True": st.just(True),
    "String": TEXT,
}
CHAT_TYPES = st.one_of(st.sampled_from(["private", "group", "supergroup", "channel"]), TEXT)


SANE = dict(PRIMITIVES, Integer=st.integers(0, 2**31 - 1), Float=st.floats(-90, 90))


def draw_value(draw: Any, type_name: str, depth: int, primitives: dict = PRIMITIVES) -> Any:
    """A random value of a Bot API type: every field of an object by the spec, required
    ones always, optional ones at random (fewer the deeper it goes)."""
    if type_name.startswith("Array of "):
        n = draw(st.integers(0, 2 if depth < 3 else 1))
        return [draw_value(draw, type_name[len("Array of ") :], depth + 1, primitives) for _ in range(n)]
    if type_name in primitives:
        return draw(primitives[type_name])
    spec = SPEC.types[type_name]
    if "subtypes" in spec:
        return draw_value(draw, draw(st.sampled_from(spec["subtypes"])), depth, primitives)
    fixed = SPEC._discriminators.get(type_name)  # e.g. ("type", "emoji") for ReactionTypeEmoji
    value: dict[str, Any] = {}
    for f in spec.get("fields", []):
        if fixed and f["name"] == fixed[0]:
            value[f["name"]] = fixed[1]
        elif type_name == "Chat" and f["name"] == "type":
            value["type"] = draw(CHAT_TYPES)
        elif f["required"] or (depth < 2 and draw(st.integers(0, 3 + 3 * depth)) == 0):
            value[f["name"]] = draw_value(draw, draw(st.sampled_from(f["types"])), depth + 1, primitives)
    return value


UPDATE_KINDS = [f for f in SPEC.types["Update"]["fields"] if f["name"] != "update_id"]


@st.composite
def any_update(draw: Any) -> dict[str, Any]:
    """An update of any kind: exactly one of Update's optional fields, as Telegram sends."""
    kind = draw(st.sampled_from(UPDATE_KINDS))
    return {kind["name"]: draw_value(draw, draw(st.sampled_from(kind["types"])), 0)}


ANY_UPDATE = any_update()


# -- the rig: Services on SQLite, one worker round per update ----------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("tests."):
            self.records.append(record)


class Rig:
    def __init__(self, tmp: Path) -> None:
        self.runner = asyncio.Runner()
        self.settings = Settings(
            _env_file=None,
            telegram_bot_token="123456:TEST-TOKEN",
            database_url=f"sqlite+aiosqlite:///{tmp}/bad.db",
            var_dir=tmp / "var",
            flows_dir=ROOT / "flows",
            locales_dir=ROOT / "locales",
            pseudonym_key="test-pseudonym-key-not-secret",
            staff_chat_id=STAFF,
        )
        self.services = build_services(self.settings)
        self.answered = RecordedAnswers()
        self.worker = InboxWorker(self.services.sessionmaker, UpdateHandler(self.services, None), answers=self.answered)  # type: ignore[arg-type]
        self.logs = Records()
        self.checkouts = 0
        event.listen(self.services.db.sync_engine, "checkout", self._checked_out)
        self.runner.run(ensure_schema(self.services.db))

    def _checked_out(self, *_: Any) -> None:
        self.checkouts += 1

    def run(self, coro: Any) -> Any:
        return self.runner.run(coro)

    async def feed(self, update: dict[str, Any]) -> tuple[Inbox | None, list[Outbox]]:
        """Store one update, run worker rounds until nothing is pending; its row and replies.
        (A handled row drops its raw payload, so what was stored is checked before.)"""
        async with self.services.sessionmaker() as s:
            last = await s.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1)) or 0
        await store_updates(self.services.sessionmaker, [update])
        async with self.services.sessionmaker() as s:
            stored = await s.scalar(select(Inbox.payload).where(Inbox.update_id == update.get("update_id")))
        assert stored == clean_json(update), "the update was not stored as it came"
        await self.drain()
        async with self.services.sessionmaker() as s:
            row = await s.scalar(select(Inbox).where(Inbox.update_id == update.get("update_id")))
            replies = (await s.scalars(select(Outbox).where(Outbox.id > last).order_by(Outbox.id))).all()
        return row, list(replies)

    async def drain(self) -> None:
        while await self.worker._start_chats():
            await self.worker.drain()

    def close(self) -> None:
        self.runner.run(self.services.db.dispose())
        self.runner.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    rig = Rig(tmp_path_factory.mktemp("bad-input"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(rig.logs)
    root.setLevel(logging.INFO)
    try:
        yield rig
    finally:
        root.removeHandler(rig.logs)
        root.setLevel(level)
        rig.close()


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def check_logs(rig: Rig, update: dict[str, Any]) -> None:
    """No traceback, and none of the update's own words, in any log line."""
    words = {s for s in strings_in(update) if len(s.strip()) >= 6 and not s.isascii() or len(s) >= 12}
    for record in rig.logs.records:
        line = record.getMessage()
        assert record.exc_info is None and "Traceback" not in line, line
        for word in words:
            assert word not in line, f"update content in the log: {record.name}: {line[:200]}"
    rig.logs.records.clear()


def private_message(text: str | None = None, user_id: int | None = None, **content: Any) -> dict[str, Any]:
    uid = user_id or next(_ids)
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": 1_750_000_000,
        "chat": {"id": uid, "type": "private", "first_name": "Invented"},
        "from": {"id": uid, "is_bot": False, "first_name": "Invented", "language_code": "en"},
        **content,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": next(_ids), "message": message}


# -- the tests -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(update=ANY_UPDATE)
def test_any_update_from_the_specification(rig, update):
    update = {"update_id": next(_ids), **update}
    row, replies = rig.run(rig.feed(update))
    assert row is not None, "the update was lost"
    assert row.status in ("done", "failed")
    if row.status == "failed":
        assert len(row.error or "") <= 200 and " at " in row.error  # its kind and place only
    message = update.get("message")
    if (
        row.status == "done"
        and isinstance(message, dict)
        and message["chat"]["type"] == "private"
        and not message.get("from", {}).get("is_bot", True)
        and message.get("text")
    ):
        assert any(r.chat_id == message["chat"]["id"] for r in replies), "no answer to a private message"
    callback = update.get("callback_query")
    if row.status == "done" and isinstance(callback, dict):
        assert callback["id"] in rig.answered.ids, "a button press left spinning"
    check_logs(rig, update)


@st.composite
def media_of(draw: Any, kind: str) -> Any:
    """A media object as Telegram would send it (plausible numbers, any strings)."""
    return draw_value(draw, draw(st.sampled_from(SPEC.fields("Message")[kind]["types"])), 1, SANE)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXT.filter(lambda t: t.strip() != ""), media=st.sampled_from([None, *MEDIA]), data=st.data())
def test_private_texts_get_a_kind_answer(rig, text, media, data):
    extra = {} if media is None else {media: data.draw(media_of(media)), "caption": text}
    update = private_message(None if media else text, **extra)
    row, replies = rig.run(rig.feed(update))
    assert row.status == "done", row.error
    assert [r for r in replies if r.chat_id == update["message"]["chat"]["id"] and r.method == "sendMessage"]
    check_logs(rig, update)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.one_of(TEXT, st.from_regex(r"\A\d{1,6}:\d{1,3}\Z"), st.sampled_from(["r:c", "r:s", "d:n", "h:p"])),
    with_message=st.booleans(),
)
def test_forged_or_stale_callback_data(rig, data, with_message):
    uid = next(_ids)
    rig.run(rig.feed(private_message("/start", uid)))  # someone the bot knows, mid-onboarding
    query: dict[str, Any] = {
        "id": str(next(_ids)),
        "chat_instance": "ci",
        "data": data,
        "from": {"id": uid, "is_bot": False, "first_name": "Invented"},
    }
    if with_message:
        query["message"] = {
            "message_id": 1,
            "date": 1_750_000_000,
            "text": "an old question",
            "chat": {"id": uid, "type": "private", "first_name": "Invented"},
        }
    update = {"update_id": next(_ids), "callback_query": query}
    row, replies = rig.run(rig.feed(update))
    assert row.status == "done", row.error
    assert query["id"] in rig.answered.ids
    check_logs(rig, update)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["group", "supergroup"]), text=TEXT)
def test_updates_from_groups(rig, kind, text):
    chat_id = -next(_ids)
    update = private_message(text or "hello")
    update["message"]["chat"] = {"id": chat_id, "type": kind, "title": "Some invented group"}
    row, replies = rig.run(rig.feed(update))
    assert row.status == "done", row.error
    methods = [r.method for r in replies if r.chat_id == chat_id]
    assert methods == ["sendMessage", "leaveChat"]  # "I work in private chats", and it leaves
    check_logs(rig, update)


def test_an_update_that_cannot_be_parsed_is_kept_as_failed_and_the_next_goes_on(rig):
    uid = next(_ids)
    broken = private_message("Secret words of an invented youth", uid)
    del broken["message"]["date"]  # a required field missing
    unknown = {
        "update_id": next(_ids),
        "message": {"chat": {"id": uid, "type": "private"}},
        "teleportation": {"to": "Mars"},
    }
    after = private_message("/start", uid)
    rig.run(store_updates(rig.services.sessionmaker, [broken, unknown, after]))
    rig.run(rig.drain())

    async def rows():
        async with rig.services.sessionmaker() as s:
            return {
                r.update_id: r
                for r in (
                    await s.scalars(
                        select(Inbox).where(
                            Inbox.update_id.in_([broken["update_id"], unknown["update_id"], after["update_id"]])
                        )
                    )
                ).all()
            }

    found = rig.run(rows())
    assert found[broken["update_id"]].status == "failed"
    assert found[unknown["update_id"]].status == "failed"
    assert found[after["update_id"]].status == "done"
    failures = [r.getMessage() for r in rig.logs.records if r.levelno >= logging.ERROR]
    assert any(str(broken["update_id"]) in line for line in failures)
    assert not any("Secret words" in r.getMessage() or r.exc_info for r in rig.logs.records)
    rig.logs.records.clear()


# -- the webhook endpoint ------------------------------------------------------------------


async def _webhook_client(rig: Rig) -> TestClient:
    app = web.Application(client_max_size=4 * MAX_BODY)
    app.router.add_post("/hook", WebhookEndpoint(SECRET, rig.services.sessionmaker, lambda: None).handle)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


def test_the_webhook_refuses_bad_requests_without_touching_the_database(rig):
    async def scenario() -> list[int]:
        client = await _webhook_client(rig)
        good = json.dumps(private_message("hello")).encode()
        try:
            before = rig.checkouts
            statuses = [
                (await client.post("/hook", data=good)).status,  # no secret
                (await client.post("/hook", data=good, headers={SECRET_HEADER: SECRET + "x"})).status,
                (await client.post("/hook", data=good, headers={SECRET_HEADER: SECRET[:-1]})).status,
                (
                    await client.post(
                        "/hook", data=b"{" + b" " * (MAX_BODY + 10) + b"}", headers={SECRET_HEADER: SECRET}
                    )
                ).status,
                (
                    await client.post("/hook", data=b'{"update_id": 1, "message": {', headers={SECRET_HEADER: SECRET})
                ).status,
                (await client.post("/hook", data=b"\xff\xfe not utf-8", headers={SECRET_HEADER: SECRET})).status,
                (await client.post("/hook", data=b"[1, 2]", headers={SECRET_HEADER: SECRET})).status,
                (await client.post("/hook", data=b'{"update_id": "7"}', headers={SECRET_HEADER: SECRET})).status,
            ]
            assert rig.checkouts == before, "a refused request reached the database"
            return statuses
        finally:
            await client.close()

    assert rig.run(scenario()) == [401, 401, 401, 413, 400, 400, 400, 400]


def test_lone_surrogates_in_webhook_json_are_kept_and_answered(rig):
    update = private_message("placeholder")
    body = json.dumps(update).replace('"placeholder"', '"\\ud800 hello \\udfff"').encode()

    async def scenario():
        client = await _webhook_client(rig)
        try:
            status = (await client.post("/hook", data=body, headers={SECRET_HEADER: SECRET})).status
        finally:
            await client.close()
        async with rig.services.sessionmaker() as s:
            stored = await s.scalar(select(Inbox.payload).where(Inbox.update_id == update["update_id"]))
        await rig.drain()
        async with rig.services.sessionmaker() as s:
            row = await s.scalar(select(Inbox).where(Inbox.update_id == update["update_id"]))
            replies = (await s.scalars(select(Outbox).where(Outbox.chat_id == update["message"]["chat"]["id"]))).all()
        return status, stored, row, replies

    status, stored, row, replies = rig.run(scenario())
    assert status == 200
    assert stored["message"]["text"] == "\ufffd hello \ufffd"
    assert row.status == "done"
    assert replies
