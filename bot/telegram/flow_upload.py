"""Admins replace a flow from Telegram: they send its `.yaml` file to the staff group.

Only an administrator of that chat may do it (asked live with getChatMember). The file
is downloaded (at most MAX_BYTES), checked against the live flows exactly like
`python -m bot flows check` would (problems answered as `file:line:col: message`), and
only when nothing is wrong recorded in `flow_versions`, saved into FLOWS_DIR (so a
restart keeps it, with the same version: the version is the content hash) and made
live. A broken file changes nothing.

The update's transaction only sees the cheap checks (the file's name and announced
size) and answers "checking…"; everything slow happens after it has committed, so no
Telegram call and no parse holds the database (on SQLite, every youth's write) while it
runs: asking who the sender is, the download, the check (in a thread, bounded by
CHECK_TIMEOUT, so the event loop keeps answering youth), then the replacement in this
order: the new content is written beside the old file and fsynced, the version is
recorded and committed, and only then renamed over the old file and made live. A step
that fails leaves the old flow live and on disk, and the admin is told in plain words.
A process that dies half-way has at worst recorded a version it never used; the admin
sees no answer and sends the file again.

The crisis word list (`safeguarding.yaml`) is refused here: a file can be valid and
still miss crisis phrases, which only the safeguarding corpus tests in the repository
catch, so it is changed there, reviewed, not from a chat.

Across several processes the others pick the file up through their file watcher.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Document, Message
from telegram.error import TelegramError

from bot.base.aio import where
from bot.engine.flowset import FlowSet
from bot.engine.load import parse_flow_text, replace_flow
from bot.base.flows_dir import install, why, write_temp
from bot.base.problems import Problem
from bot.dialogue.services import Services
from bot.telegram import chat_members
from bot.dialogue import outgoing
from storage import flow_versions, hooks, outbox
from storage.outbox import Priority

log = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024  # an uploaded flow file; the largest shipped one is under 6 KiB
DOWNLOAD_TIMEOUT = 15.0
CHECK_TIMEOUT = 20.0  # seconds for parsing and checking an upload, in a thread
MAX_PROBLEMS_SHOWN = 25
SUFFIXES = (".yaml", ".yml")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.ya?ml$")
PROTECTED_STEMS = frozenset({"safeguarding"})
UNCHANGED = "The flows in use did not change."
_still_checking: set[asyncio.Future[Any]] = set()  # checks whose thread still runs, past their time limit or not


def is_flow_file(msg: Message) -> bool:
    """A document whose name ends with .yaml or .yml."""
    doc = msg.document
    return doc is not None and (doc.file_name or "").lower().endswith(SUFFIXES)


@dataclass(frozen=True)
class Upload:
    """What the update's transaction hands on to the work after its commit."""

    chat_id: int
    message_id: int
    user_id: int | None
    file_id: str
    name: str


@dataclass(frozen=True)
class Applied:
    flow_id: str
    title: str
    version: str
    previous: str | None


async def handle(services: Services, s: AsyncSession, msg: Message, now: datetime) -> str:
    """Inside the update's transaction: the cheap checks, and the rest once it commits.

    Returns the immediate answer for the staff chat."""
    doc: Document | None = msg.document
    assert doc is not None  # staff.on_message sends only documents here (is_flow_file)
    name = doc.file_name or ""
    if not SAFE_NAME.match(name):
        return (
            f"Please name the file like share_idea.yaml (letters, digits, _ - . only, ending in "
            f"{' or '.join(SUFFIXES)})."
        )
    if Path(name).stem.lower() in PROTECTED_STEMS:
        return (
            f"{name} is the crisis word list, not a flow. It is changed in the repository, where "
            "the safeguarding tests check it, not from this chat."
        )
    if doc.file_size is not None and doc.file_size > MAX_BYTES:
        return _too_big(name)
    upload = Upload(msg.chat.id, msg.message_id, msg.from_user.id if msg.from_user else None, doc.file_id, name)
    hooks.after_commit(s, lambda: start(services, upload))
    return f"📥 {name}: checking it…"


def start(services: Services, upload: Upload) -> asyncio.Task:
    """Run one upload in the background; `services.runtime.background` holds it meanwhile."""
    tasks = services.runtime.background
    task = asyncio.get_running_loop().create_task(_run(services, upload), name="flow upload")
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


async def _run(services: Services, upload: Upload) -> None:
    try:
        answer = await process(services, upload)
    except Exception as exc:  # our bug: the old flows stay, the admin hears of it, the log says where
        log.error("flow upload failed: %s", where(exc))
        answer = f"❌ Something went wrong while applying {upload.name}. {UNCHANGED} Please try again."
    try:
        await _reply(services, upload, answer)
    except Exception as exc:
        log.error("could not answer a flow upload: %s", where(exc))


async def process(services: Services, upload: Upload) -> str:
    """Check and apply one uploaded file; the answer for the staff chat."""
    bot = services.runtime.bot
    admin = await chat_members.is_admin(bot, upload.chat_id, upload.user_id) if upload.user_id else False
    if admin is None:
        return "I could not check who may change the flows just now. Please send the file again in a minute."
    if not admin:
        return "Sorry, only administrators of this group can change the flows."
    data = await _download(bot, upload.file_id)
    if data is None:
        return f"I could not download {upload.name}. Please send it again."
    if len(data) > MAX_BYTES:
        return _too_big(upload.name)
    target = Path(services.settings.flows_dir) / upload.name
    async with (
        services.runtime.flow_upload_lock
    ):  # one upload at a time, each checked against the set the last one left
        result = await apply(services, data, target, datetime.now(UTC))
    if isinstance(result, str):
        return result
    if isinstance(result, list):
        return _rejected(upload.name, result, target)
    was = f" (was {result.previous})" if result.previous and result.previous != result.version else ""
    return (
        f"✅ {upload.name} applied: flow {result.flow_id} “{result.title}”, version {result.version}{was}. "
        "New conversations use it now; ongoing ones finish on the version they started with."
    )


async def apply(services: Services, data: bytes, target: Path, now: datetime) -> Applied | list[Problem] | str:
    """Validate `data` as the flow file `target`; record it, save it and make it live.

    Problems when the file is wrong; a sentence when a step failed (nothing changed)."""
    filename = str(target)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(filename, 1, 1, f"file is not UTF-8 text (byte {exc.start})")]
    before = services.file_flowset  # not the campaigns' own flows: they are no file
    if _still_checking:
        # a thread cannot be stopped: a check past its time limit still runs, and
        # another upload meanwhile would stack a second one beside it
        return (
            f"❌ {target.name} was not applied: an earlier upload is still being checked. "
            f"Try again in a minute. {UNCHANGED}"
        )
    check = asyncio.ensure_future(asyncio.to_thread(check_upload, before, text, filename))
    _still_checking.add(check)
    check.add_done_callback(_still_checking.discard)
    try:
        checked = await asyncio.wait_for(asyncio.shield(check), CHECK_TIMEOUT)
    except TimeoutError:
        return (
            f"❌ {target.name} took more than {CHECK_TIMEOUT:.0f} seconds to check, so it was not applied. {UNCHANGED}"
        )
    if isinstance(checked, list):
        return checked
    flow = next(f for f in checked if f.file == filename)
    previous = before.get(flow.id)
    try:
        tmp = write_temp(target, data)
    except OSError as exc:
        return _not_saved(target.name, exc)
    try:
        failed = await _record_and_install(services, flow, text, tmp, target, now)
    finally:
        tmp.unlink(missing_ok=True)  # left only when a step failed (or the bot is stopping)
    if failed:
        return failed
    services.flows.current = checked
    log.info("flow %s replaced from Telegram: version %s", flow.id, flow.version)
    return Applied(flow.id, flow.title, flow.version, previous.version if previous else None)


async def _record_and_install(
    services: Services, flow: Any, text: str, tmp: Path, target: Path, now: datetime
) -> str | None:
    """Commit the version, then rename the written file into place; why not, if it failed."""
    try:
        async with services.sessionmaker() as s, s.begin():
            new_row = await flow_versions.record(s, flow_id=flow.id, version=flow.version, source=text, now=now)
    except Exception as exc:
        log.error("flow upload: recording the version failed: %s", where(exc))
        return f"❌ {target.name} was not applied: the database could not record it. {UNCHANGED} Please try again."
    try:
        install(tmp, target)
    except OSError as exc:
        if new_row:  # the version never went live: forget it again
            await _forget(services, flow.id, flow.version)
        return _not_saved(target.name, exc)
    return None


def check_upload(flowset: FlowSet, text: str, filename: str) -> FlowSet | list[Problem]:
    """The live set with the uploaded flow in it, or its problems (CPU work: runs in a thread)."""
    flow, _ = parse_flow_text(text, filename)
    other = flowset.get(flow.id) if flow is not None else None
    if flow is not None and other is not None and other.file != filename:
        # two files with one id would not load again after a restart
        return [
            Problem(
                filename,
                1,
                1,
                f"flow '{flow.id}' is defined in {Path(other.file).name}: send it under that name to replace it",
            )
        ]
    new, problems = replace_flow(flowset, text, filename)
    return new if new is not None else problems


async def _forget(services: Services, flow_id: str, version: str) -> None:
    try:
        async with services.sessionmaker() as s, s.begin():
            await flow_versions.forget(s, flow_id, version)
    except Exception as exc:  # an unused version on record is harmless
        log.warning("flow upload: could not forget an unused version (%s)", type(exc).__name__)


async def _download(bot: Any, file_id: str) -> bytes | None:
    if bot is None:
        return None
    try:

        async def fetch() -> bytes:
            # Telegram lets bots download files of up to 20 MB; the caller checks MAX_BYTES.
            file = await bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())

        return await asyncio.wait_for(fetch(), DOWNLOAD_TIMEOUT)
    except (TelegramError, TimeoutError, OSError) as exc:
        log.warning("flow file download failed (%s)", type(exc).__name__)
        return None


async def _reply(services: Services, upload: Upload, text: str) -> None:
    """Answer the admin's message in the staff chat, through the outbox."""
    now = datetime.now(UTC)
    async with services.sessionmaker() as s, s.begin():
        for payload in outgoing.send_message(upload.chat_id, text):
            payload["reply_parameters"] = {"message_id": upload.message_id, "allow_sending_without_reply": True}
            await outbox.enqueue(
                s, chat_id=upload.chat_id, method="sendMessage", payload=payload, priority=Priority.STAFF, now=now
            )
    if sender := services.runtime.sender:
        sender.poke()


def _too_big(name: str) -> str:
    return f"{name} is too big: a flow file may be at most {MAX_BYTES // 1024} KiB."


def _not_saved(name: str, exc: OSError) -> str:
    log.error("flow upload: could not save the file (%s)", why(exc))
    return (
        f"❌ {name} was not applied: I could not save it, because {why(exc)}. {UNCHANGED} "
        "Please tell whoever runs the bot (FLOWS_DIR must be a folder the bot can write)."
    )


def _rejected(name: str, problems: list[Problem], target: Path) -> str:
    """The refusal: the uploaded file's problems first, in order, then the others it causes."""
    lines = [f"❌ {name} was not applied; the flows in use did not change."]
    shown = sorted(problems, key=lambda p: (p.file != str(target), p))[:MAX_PROBLEMS_SHOWN]
    lines += [str(Problem(_short(p.file, target.parent), p.line, p.col, p.message)) for p in shown]
    if len(problems) > len(shown):
        lines.append(f"… and {len(problems) - len(shown)} more.")
    return "\n".join(lines)


def _short(file: str, folder: Path) -> str:
    """Files of the flows folder by their name only, as the admin knows them."""
    path = Path(file)
    return path.name if path.parent == folder else file
