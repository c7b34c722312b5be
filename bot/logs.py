"""Logging set-up: readable lines by default, JSON with LOG_FORMAT=json.

Log records must never carry personal data: callers log counts, ids of our own rows,
flow and step ids and error classes only. Library loggers that would print request
URLs (which hold the bot token) are turned down to warnings, and as a last guard every
formatted line (tracebacks included) has Bot API tokens masked.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A Bot API token: "<bot id>:<35 url-safe characters>", alone or in a /bot<token>/ URL.
TOKEN_RE = re.compile(r"(?<![0-9])(\d{5,}):[A-Za-z0-9_-]{30,}")


def mask_tokens(line: str) -> str:
    return TOKEN_RE.sub(r"\1:<token>", line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_tokens(json.dumps(entry, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message`, for people reading a terminal or `docker logs`."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return mask_tokens(super().format(record))


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt.lower() == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    name = level.upper()
    root.setLevel(name if isinstance(logging.getLevelName(name), int) else logging.INFO)
    # Libraries below log request URLs, which contain the bot token, and payloads.
    for noisy in ("httpx", "httpcore", "telegram", "aiohttp.access", "apscheduler", "watchfiles", "aiosqlite", "asyncpg", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
