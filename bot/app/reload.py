"""Hot reload of the admin-edited content: flows, the crisis word list and the catalogs.

A reload happens on SIGHUP and when a file under FLOWS_DIR, FLOWS_SEED_DIR or
LOCALES_DIR changes (watchfiles; set WATCHFILES_FORCE_POLLING=true where file events do not arrive, e.g.
some network or Docker Desktop mounts). When the new content has problems the last
good set stays live, and the problems (`file:line:col: message` lines about admin
content, never anything a youth wrote) go to the log and to the staff group. Each
reload first brings the shipped crisis word list into FLOWS_DIR (bot/base/flows_dir.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.pofile import PoFileError, read_po

from bot.base.flows_dir import seed, why
from bot.i18n.catalogs import DOMAIN, po_path
from bot.dialogue import outgoing
from storage import outbox
from storage.outbox import Priority

if TYPE_CHECKING:
    from bot.dialogue.services import Services

log = logging.getLogger(__name__)

WATCHED_SUFFIXES = (".yaml", ".yml", ".po")
STAFF_MAX_LINES = 20
DEBOUNCE_MS = 500  # editors write a file in several steps; wait for them to finish


def check_catalogs(locales_dir: Path, languages: Sequence[str]) -> list[str]:
    """Parse every configured catalog strictly; problems as `file:line: message`."""
    problems = []
    for lang in dict.fromkeys(languages):
        path = po_path(locales_dir, lang)
        if not path.is_file():
            continue  # a missing catalog falls back to English; doctor reports it
        try:
            with path.open("rb") as fh:
                read_po(fh, locale=lang, domain=DOMAIN, abort_invalid=True)
        except PoFileError as exc:
            problems.append(f"{path}:{exc.lineno + 1}: {str(exc).rsplit(' on ', 1)[0]}")
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{path}:1: cannot be read ({type(exc).__name__})")
    return problems


def _watched(_change: object, path: str) -> bool:
    return path.endswith(WATCHED_SUFFIXES)


class ContentReloader:
    """Reloads on request (SIGHUP) or on file change, one reload at a time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = asyncio.Lock()
        self._reported: tuple[str, ...] = ()  # the problems the staff group last heard of
        self._tasks: set[asyncio.Task] = set()
        self.reloads = 0
        self.problems: list[str] = []  # of the last reload; the last good set is live while any

    def request(self, reason: str) -> None:
        """Schedule a reload (safe to call from a signal handler on the loop)."""
        task = asyncio.get_running_loop().create_task(self.reload(reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self, reason: str) -> list[str]:
        """Reload everything; returns the problems (empty when the new set is live)."""
        async with self._lock:
            s = self.services.settings
            problems = check_catalogs(s.locales_dir, [*s.languages, s.default_language])
            try:
                await asyncio.to_thread(seed, s.flows_dir, s.flows_seed_dir)
            except OSError as exc:
                problems.append(f"{s.flows_dir}: cannot copy the shipped crisis word list in: {why(exc)}")
            if not problems:
                problems = await asyncio.to_thread(self.services.reload_content)
            self.reloads += 1
            self.problems = problems
            self.services.metrics.reloaded(len(problems))
            if problems:
                log.error(
                    "reload (%s) found %d problem(s); the last good flows and catalogs stay live:\n%s",
                    reason,
                    len(problems),
                    "\n".join(problems),
                )
            else:
                flows = self.services.flows.current
                log.info("reload (%s): %d flows and the catalogs are live", reason, len(flows.flows) if flows else 0)
            await self._tell_staff(problems)
            return problems

    async def watch(self, stop: asyncio.Event) -> None:
        """Reload whenever a flow, word list or catalog file changes, until `stop`."""
        from watchfiles import awatch

        s = self.services.settings
        paths = [
            p
            for p in dict.fromkeys((s.flows_dir, s.flows_seed_dir, s.locales_dir))
            if p is not None and Path(p).is_dir()
        ]
        if not paths:
            return
        try:
            async for changes in awatch(
                *paths, watch_filter=_watched, stop_event=stop, debounce=DEBOUNCE_MS, recursive=True
            ):
                await self.reload(f"{len(changes)} file change(s)")
        except Exception as exc:  # watching is a convenience; SIGHUP still works
            log.warning("watching the content folders stopped (%s); use SIGHUP to reload", type(exc).__name__)

    async def wait(self) -> None:
        """Let requested reloads finish (at shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _tell_staff(self, problems: list[str]) -> None:
        """Tell the staff group about new problems, and once when they are fixed."""
        reported = tuple(problems)
        if reported == self._reported:
            return
        was_broken = bool(self._reported)
        self._reported = reported
        if problems:
            shown = problems[:STAFF_MAX_LINES]
            more = len(problems) - len(shown)
            text = (
                "⚠️ The flow or translation files changed, but they have problems, so the bot "
                "keeps using the last good version. Please fix:\n"
                + "\n".join(shown)
                + (f"\n… and {more} more (see the bot's log)" if more else "")
            )
        elif was_broken:
            text = "✅ The flow and translation files are fine again; the new version is live."
        else:
            return
        await self._enqueue(text)

    async def _enqueue(self, text: str) -> None:
        s = self.services.settings
        if s.staff_chat_id is None or s.telegram_bot_token is None:
            return
        try:
            now = datetime.now(UTC)
            async with self.services.sessionmaker() as session, session.begin():
                for payload in outgoing.send_message(s.staff_chat_id, text):
                    await outbox.enqueue(
                        session,
                        chat_id=s.staff_chat_id,
                        method="sendMessage",
                        payload=payload,
                        priority=Priority.STAFF,
                        now=now,
                    )
        except Exception as exc:  # the log already says it all
            log.warning("could not queue the reload notice for the staff group (%s)", type(exc).__name__)
            return
        if sender := self.services.runtime.sender:
            sender.poke()
