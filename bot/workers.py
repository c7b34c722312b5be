"""`python -m bot run --workers N`: N bot processes on one machine, sharing one database.

Each child is an ordinary `python -m bot run` with its own WEB_PORT (WEB_PORT + i), so
a load balancer in front can spread Telegram's webhook POSTs over them. What must
happen once per deployment is decided in the database: the per-chat lock, the single
sender (an advisory-lock lease), the single poller in polling mode. A child that dies
is started again; SIGTERM/SIGINT are passed on and waited for, and SIGHUP (reload the
flows) is passed on to every child.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from bot.settings import Settings

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0


def _spawn(settings: Settings, index: int) -> subprocess.Popen:
    env = dict(os.environ, WEB_PORT=str(settings.web_port + index), SAMMANBOT_WORKER=str(index))
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env)


def run_workers(settings: Settings, workers: int, preflight: Callable[[], None] = lambda: None) -> int:
    if settings.database_url.startswith("sqlite"):
        print(
            "Several workers need PostgreSQL (DATABASE_URL=postgresql+asyncpg://…); "
            "SQLite is for one process.",
            file=sys.stderr,
        )
        return 2
    preflight()  # what would stop every worker (token, database) raises here, said once
    stopping = False

    def pass_on(signum: int) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        pass_on(signum)

    children: dict[int, subprocess.Popen] = {}
    # Handlers first: a signal while the children start must not kill the supervisor alone.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, lambda signum, _frame: pass_on(signum))
    for i in range(workers):
        children[i] = _spawn(settings, i)
    log.info("started %d workers on ports %d–%d", workers, settings.web_port, settings.web_port + workers - 1)
    while True:
        alive = 0
        for i, child in list(children.items()):
            code = child.poll()
            if code is None:
                alive += 1
            elif not stopping:
                log.warning("worker %d exited with %s; starting it again", i, code)
                time.sleep(RESTART_DELAY)
                if stopping:  # told to stop meanwhile: start nothing that would not be stopped
                    continue
                children[i] = _spawn(settings, i)
                alive += 1
        if stopping and not alive:
            break
        time.sleep(0.2)
    codes = [child.returncode for child in children.values()]
    return 0 if all(code in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes) else 1
