"""Every log line the bot would write during a test, as `python -m bot run` sets up
logging (`bot.base.logs.setup_logging`), by default with LOG_LEVEL=DEBUG.

    with capture_logs() as logs:
        ...run the bot...
    assert "Amina" not in logs.text

All loggers are heard, library loggers included (SQLAlchemy, aiosqlite, asyncpg,
httpx, python-telegram-bot, aiohttp, …), at the levels the bot's own set-up leaves
them: what a library would print to the bot's stderr is exactly what is captured.
Records of the test's own simulators (`tests.*`, e.g. the fake Bot API, which
stands for Telegram and so legitimately sees everything) are left out.

Each record is kept twice, in the text format and in the JSON format (tracebacks
included), so a name hidden in an exception or in an escape is found either way.
Logger levels, handlers and `logging.disable` are restored afterwards.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from bot.base.logs import JsonFormatter, setup_logging

OWN_LOGGERS = "tests."


class LogCapture(logging.Handler):
    def __init__(self, text_formatter: logging.Formatter | None) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[tuple[str, str]] = []  # (logger name, formatted line)
        self._text = text_formatter or logging.Formatter()
        self._json = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(OWN_LOGGERS):
            return
        self.records.append((record.name, self._text.format(record)))
        self.records.append((record.name, self._json.format(record)))

    @property
    def loggers(self) -> set[str]:
        return {name for name, _ in self.records}

    @property
    def lines(self) -> list[str]:
        return [line for _, line in self.records]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def capture_logs(level: str = "DEBUG") -> Iterator[LogCapture]:
    root = logging.getLogger()
    manager = logging.Logger.manager
    saved_root = (root.level, root.handlers[:])
    saved_levels = {name: lg.level for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    saved_disable = manager.disable
    logging.disable(logging.NOTSET)
    setup_logging(level, "text")
    capture = LogCapture(root.handlers[0].formatter if root.handlers else None)
    root.handlers[:] = [capture]  # instead of stderr
    try:
        yield capture
    finally:
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, lg in list(manager.loggerDict.items()):
            if isinstance(lg, logging.Logger):
                lg.setLevel(saved_levels.get(name, logging.NOTSET))
        logging.disable(saved_disable)
