"""Logging set-up: readable lines by default, JSON with LOG_FORMAT=json.

Log records must never carry personal data: callers log counts, ids of our own rows,
flow and step ids and error classes only. Library loggers that would print request
URLs (which hold the bot token) are turned down to warnings, and as a last guard every
formatted line (tracebacks included) has Bot API tokens masked.

Nothing from outside may make the log large: every line written is at most LINE_MAX
bytes (longer ones end in CUT), a text record with its traceback at most RECORD_MAX
bytes (the traceback's end is kept: it names the error), and the web server's
loggers, which speak for whatever arrives at the port (a malformed request is logged
with the bytes it sent), pass at most REPEAT_LIMIT records of one kind a minute; the
next record after that minute is preceded by one line telling how many were left out.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A Bot API token: "<bot id>:<35 url-safe characters>", alone or in a /bot<token>/ URL.
TOKEN_RE = re.compile(r"(?<![0-9])(\d{5,}):[A-Za-z0-9_-]{30,}")

LINE_MAX = 2048  # bytes of one written line, in either format
RECORD_MAX = 16384  # bytes of one text record, traceback included
TRACE_LINE_MAX = 256  # bytes of one traceback line inside a JSON line
CUT = "…(cut)"
REPEAT_LIMIT = 10  # records of one kind a minute from the loggers below
REPEAT_WINDOW = 60.0  # seconds
REPEAT_LOGGERS = ("aiohttp",)  # the web server's loggers: what arrives from outside
NOISY = (
    "httpx",
    "httpcore",
    "telegram",
    "aiohttp.access",
    "apscheduler",
    "watchfiles",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
)


def mask_tokens(line: str) -> str:
    return TOKEN_RE.sub(r"\1:<token>", line)


def cut(text: str, limit: int = LINE_MAX) -> str:
    """`text` in at most `limit` bytes of UTF-8, ending in CUT when it was longer."""
    data = text.encode("utf-8", "backslashreplace")
    if len(data) <= limit:
        return text
    return data[: limit - len(CUT.encode())].decode("utf-8", "ignore") + CUT


def cap_lines(text: str, line_max: int = LINE_MAX, total: int = RECORD_MAX) -> str:
    """Each line cut to `line_max` bytes; past `total` bytes, the first line and the end are kept."""
    lines = [cut(line, line_max) for line in text.split("\n")]
    if sum(len(line.encode()) + 1 for line in lines) <= total:
        return "\n".join(lines)
    head, tail, room = lines[0], [], total - len(lines[0].encode()) - len(CUT.encode()) - 2
    for line in reversed(lines[1:]):
        room -= len(line.encode()) + 1
        if room < 0:
            break
        tail.append(line)
    return "\n".join([head, CUT, *reversed(tail)])


def _escaped(value: str) -> int:
    """Bytes `value` takes inside a JSON line."""
    return len(json.dumps(value, ensure_ascii=False).encode()) - 2


def _fit(value: str, budget: int, keep_end: bool) -> str:
    """`value` shortened (keeping its start or its end, marked with CUT) to `budget` bytes of JSON."""
    if _escaped(value) <= budget:
        return value
    room = budget - len(CUT.encode())
    if room < 0:
        return ""

    def part(n: int) -> str:
        return value[len(value) - n :] if keep_end else value[:n]

    low, high = 0, len(value)  # the most characters that fit, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _escaped(part(middle)) <= room else (low, middle - 1)
    return CUT + part(low) if keep_end else part(low) + CUT


def dumps_within(entry: dict[str, Any], limit: int = LINE_MAX) -> str:
    """`entry` as one JSON line of at most `limit` bytes. The message keeps its start and
    the exception its end; each gets at least half of the room when both are long."""
    line = json.dumps(entry, ensure_ascii=False)
    if len(line.encode()) <= limit:
        return line
    texts = {key: entry[key] for key in ("message", "exception") if key in entry}
    room = limit - len(json.dumps({**entry, **dict.fromkeys(texts, "")}, ensure_ascii=False).encode())
    exception = texts.get("exception", "")
    entry["message"] = _fit(texts["message"], max(room - _escaped(exception), room // 2), keep_end=False)
    if "exception" in texts:
        entry["exception"] = _fit(exception, room - _escaped(entry["message"]), keep_end=True)
    return json.dumps(entry, ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_tokens(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = cap_lines(mask_tokens(self.formatException(record.exc_info)), TRACE_LINE_MAX, LINE_MAX)
        return dumps_within(entry)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message`, for people reading a terminal or `docker logs`."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return cap_lines(mask_tokens(super().format(record)))


class RepeatFilter(logging.Filter):
    """At most `limit` records of one kind (logger, message template, exception class)
    per `window` from the loggers named by `prefixes`; the rest are counted, and the
    first record after the window (of any kind) is preceded by a line per kind saying
    how many were left out."""

    def __init__(
        self,
        prefixes: tuple[str, ...] = REPEAT_LOGGERS,
        limit: int = REPEAT_LIMIT,
        window: float = REPEAT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.prefixes, self.limit, self.window, self.clock = prefixes, limit, window, clock
        self._kinds: dict[tuple[Any, ...], list[Any]] = {}  # kind -> [window start, passed, left out]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        with self._lock:
            over = self._take(lambda start: now - start >= self.window)
            passes = self._count(record, now)
        self._say(over)
        return passes

    def report(self) -> None:
        """Say now how many records of each kind were left out (at exit)."""
        with self._lock:
            over = self._take(lambda start: True)
        self._say(over)

    def _take(self, done: Callable[[float], bool]) -> list[tuple[tuple[Any, ...], int]]:
        return [(kind, self._kinds.pop(kind)[2]) for kind, (start, _, _) in list(self._kinds.items()) if done(start)]

    def _say(self, over: list[tuple[tuple[Any, ...], int]]) -> None:
        for (name, template, error), left_out in over:  # (these lines pass through here too)
            if left_out:
                logging.getLogger(__name__).warning(
                    "… %d more %s records like %r%s suppressed",
                    left_out,
                    name,
                    template[:80],
                    f" ({error.__name__})" if error else "",
                )

    def _count(self, record: logging.LogRecord, now: float) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        kind = (record.name, str(record.msg)[:200], record.exc_info[0] if record.exc_info else None)
        seen = self._kinds.setdefault(kind, [now, 0, 0])
        if seen[1] < self.limit:
            seen[1] += 1
            return True
        seen[2] += 1
        return False


class StderrHandler(logging.StreamHandler):
    """stderr through a RepeatFilter, which reports what it left out when the handler
    is closed (by logging's own clean-up at exit)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.repeats = RepeatFilter()
        self.addFilter(self.repeats)

    def close(self) -> None:
        self.repeats.report()
        super().close()


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if fmt.lower() == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    name = level.upper()
    root.setLevel(name if isinstance(logging.getLevelName(name), int) else logging.INFO)
    # Libraries below log request URLs, which contain the bot token, and payloads.
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
