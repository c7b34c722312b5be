"""Admins replace a flow from Telegram: they send its `.yaml` file to the staff group.

Only an administrator of that chat may do it (asked live with getChatMember). The file
is downloaded (at most MAX_BYTES), checked against the live flows exactly like
`python -m bot flows check` would (problems answered as `file:line:col: message`), and
only when nothing is wrong made live, written atomically into FLOWS_DIR (so a restart
keeps it, with the same version: the version is the content hash) and its source
stored in `flow_versions`. A broken file changes nothing.

The crisis word list (`safeguarding.yaml`) is refused here: a file can be valid and
still miss crisis phrases, which only the safeguarding corpus tests in the repository
catch, so it is changed there, reviewed, not from a chat.

Runs inside the update's transaction; the Telegram calls are bounded by timeouts.
Across several processes the others pick the file up at their next restart.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Document, Message
from telegram.error import TelegramError

from bot.engine.load import parse_flow_text
from bot.problems import Problem
from bot.services import Services
from bot.telegram import chat_members
from storage import flow_versions

log = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024
DOWNLOAD_TIMEOUT = 15.0
MAX_PROBLEMS_SHOWN = 25
SUFFIXES = (".yaml", ".yml")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.ya?ml$")
PROTECTED_STEMS = frozenset({"safeguarding"})


def is_flow_file(msg: Message) -> bool:
    """A document whose name ends with .yaml or .yml."""
    doc = msg.document
    return doc is not None and (doc.file_name or "").lower().endswith(SUFFIXES)


@dataclass(frozen=True)
class Applied:
    flow_id: str
    title: str
    version: str
    previous: str | None


async def handle(services: Services, s: AsyncSession, msg: Message, now: datetime) -> str:
    """Check and apply one uploaded flow file; the answer for the staff chat."""
    doc: Document = msg.document  # type: ignore[assignment]
    name = doc.file_name or ""
    bot = services.extra.get("bot")
    admin = await chat_members.is_admin(bot, msg.chat.id, msg.from_user.id) if msg.from_user else False
    if admin is None:
        return "I could not check who may change the flows just now. Please send the file again in a minute."
    if not admin:
        return "Sorry, only administrators of this group can change the flows."
    if not SAFE_NAME.match(name):
        return (f"Please name the file like share_idea.yaml (letters, digits, _ - . only, ending in "
                f"{' or '.join(SUFFIXES)}).")
    if Path(name).stem.lower() in PROTECTED_STEMS:
        return (f"{name} is the crisis word list, not a flow. It is changed in the repository, where "
                "the safeguarding tests check it, not from this chat.")
    if doc.file_size is not None and doc.file_size > MAX_BYTES:
        return f"{name} is too big: a flow file may be at most {MAX_BYTES // 1024} KiB."
    data = await _download(bot, doc)
    if data is None:
        return f"I could not download {name}. Please send it again."
    if len(data) > MAX_BYTES:
        return f"{name} is too big: a flow file may be at most {MAX_BYTES // 1024} KiB."
    target = Path(services.settings.flows_dir) / name
    result = await apply(services, s, data, target, now)
    if isinstance(result, list):
        return _rejected(name, result, target)
    was = f" (was {result.previous})" if result.previous and result.previous != result.version else ""
    return (f"✅ {name} applied: flow {result.flow_id} “{result.title}”, version {result.version}{was}. "
            "New conversations use it now; ongoing ones finish on the version they started with.")


async def apply(services: Services, s: AsyncSession, data: bytes, target: Path,
                now: datetime) -> Applied | list[Problem]:
    """Validate `data` as the flow file `target`; make it live, save it and record it."""
    filename = str(target)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(filename, 1, 1, f"file is not UTF-8 text (byte {exc.start})")]
    before = services.flows.current
    clash = _id_elsewhere(services, text, filename)
    if clash:
        return [clash]
    problems = services.flows.replace(text, filename)
    if problems:
        return problems
    flow = next(f for f in services.flowset if f.file == filename)
    previous = before.get(flow.id) if before is not None else None
    try:
        write_atomically(target, data)
    except OSError as exc:
        services.flows.current = before  # not saved, so not live either
        return [Problem(filename, 1, 1, f"could not save the file: {exc.strerror or type(exc).__name__}")]
    await flow_versions.record(s, flow_id=flow.id, version=flow.version, source=text, now=now)
    log.info("flow %s replaced from Telegram: version %s", flow.id, flow.version)
    return Applied(flow.id, flow.title, flow.version, previous.version if previous else None)


def _id_elsewhere(services: Services, text: str, filename: str) -> Problem | None:
    """The flow's id already belongs to another file: two files with one id would not load again."""
    flow, _ = parse_flow_text(text, filename)
    current = services.flows.current
    other = current.get(flow.id) if flow is not None and current is not None else None
    if other is None or other.file == filename:
        return None
    return Problem(filename, 1, 1, f"flow '{flow.id}' is defined in {Path(other.file).name}: "
                                   f"send it under that name to replace it")


async def _download(bot: Any, doc: Document) -> bytes | None:
    if bot is None:
        return None
    try:
        async def fetch() -> bytes:
            # Telegram lets bots download files of up to 20 MB; the caller checks MAX_BYTES.
            file = await bot.get_file(doc.file_id)
            return bytes(await file.download_as_bytearray())

        return await asyncio.wait_for(fetch(), DOWNLOAD_TIMEOUT)
    except (TelegramError, TimeoutError, OSError) as exc:
        log.warning("flow file download failed (%s)", type(exc).__name__)
        return None


def write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target under a name no flow loader picks up, then rename over it."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


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
