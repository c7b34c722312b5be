"""Small asyncio helpers shared by the long-running loops."""

from __future__ import annotations

import asyncio
import traceback


async def wait_any(*events: asyncio.Event, timeout: float) -> None:
    """Return when any event is set or `timeout` seconds have passed."""
    waiters = {asyncio.ensure_future(e.wait()) for e in events}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiters:
            task.cancel()


def where(exc: BaseException) -> str:
    """`ExcType at file.py:123` — where an error happened, without its message.

    Exception messages can echo user content (a bad value, a text), so logs name the
    error's type and place only.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    return f"{type(exc).__name__} at {last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
