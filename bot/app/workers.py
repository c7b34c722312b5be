"""`python -m bot run --workers N`: N bot processes on one machine, sharing one database.

Each child is an ordinary bot process (`python -m bot.app.workers`, which runs `python -m
bot run`'s code) with its own WEB_PORT (WEB_PORT + i), so a load balancer in front can
spread Telegram's webhook POSTs over them. What must happen once per deployment is
decided in the database: the per-chat lock, the single sender (an advisory-lock lease),
the single poller in polling mode. SIGTERM/SIGINT are passed on and waited for, and
SIGHUP (reload the flows) is passed on to every child.

Workers die with their supervisor, however it ends (a SIGKILL from a process manager
or the OOM killer included): on Linux the kernel sends them SIGTERM when it goes
(PR_SET_PDEATHSIG), and everywhere each worker watches a pipe only the supervisor
holds open; when it reads end-of-file it stops cleanly, and is ended after
ORPHAN_GRACE if that takes too long. So a restarted supervisor never meets old
workers on its ports.

A worker that dies is started again after a pause that doubles with each crash in a
row (RESTART_DELAY up to RESTART_DELAY_MAX) and starts over once a worker has run
STABLE_AFTER seconds. Its first crash is logged with the traceback, the ones after it
in one line. Ports already in use are refused before any worker starts.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.base.settings import Settings

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0  # seconds before the first restart of a worker that died
RESTART_DELAY_MAX = 60.0
STABLE_AFTER = 60.0  # a worker that ran this long had no crash loop: the pause starts over
ORPHAN_GRACE = 30.0  # a worker whose supervisor is gone stops cleanly within this, or is ended
POLL_SECONDS = 0.2

ENV_INDEX = "SAMMANBOT_WORKER"
ENV_LIFELINE = "SAMMANBOT_SUPERVISOR_FD"  # the read end of the pipe the worker watches
ENV_RESTARTS = "SAMMANBOT_RESTARTS"  # crashes in a row before this start
PR_SET_PDEATHSIG = 1  # from linux/prctl.h


@dataclass
class _Worker:
    index: int
    port: int
    proc: subprocess.Popen[bytes] | None = None
    lifeline: int | None = None  # the pipe's write end: closed when the supervisor ends
    started_at: float = 0.0
    delay: float = RESTART_DELAY
    restarts: int = 0
    restart_at: float | None = None  # set while it waits to be started again

    def start(self) -> None:
        read, write = os.pipe()
        env = dict(
            os.environ,
            WEB_PORT=str(self.port),
            **{ENV_INDEX: str(self.index), ENV_LIFELINE: str(read), ENV_RESTARTS: str(self.restarts)},
        )
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot.app.workers"], env=env, pass_fds=(read,))
        except BaseException:
            os.close(write)
            raise
        finally:
            os.close(read)
        self.lifeline, self.started_at, self.restart_at = write, time.monotonic(), None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, signum: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signum)

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode if self.proc is not None else None

    def due(self, now: float) -> bool:
        """Whether it waits to be started again and its time has come."""
        return self.restart_at is not None and now >= self.restart_at

    def exited(self, now: float) -> float:
        """It has just exited: let go of its pipe and plan its restart; the pause."""
        if self.lifeline is not None:
            os.close(self.lifeline)
            self.lifeline = None
        if now - self.started_at >= STABLE_AFTER:
            self.delay, self.restarts = RESTART_DELAY, 0
        pause = self.delay
        self.delay = min(self.delay * 2, RESTART_DELAY_MAX)
        self.restarts += 1
        self.restart_at = now + pause
        return pause


def busy_port(host: str, ports: range) -> int | None:
    """The first of `ports` something already listens on at `host` (as aiohttp would bind)."""
    for port in ports:
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except OSError:
            return None  # a bad host is the worker's to report
        for family, kind, proto, _name, address in addresses:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(address)
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE:
                        return port
    return None


def run_workers(settings: Settings, workers: int, preflight: Callable[[], None] = lambda: None) -> int:
    from bot.app.run import port_in_use

    if settings.database_url.startswith("sqlite"):
        print(
            "Several workers need PostgreSQL (DATABASE_URL=postgresql+asyncpg://…); SQLite is for one process.",
            file=sys.stderr,
        )
        return 2
    busy = busy_port(settings.web_host, range(settings.web_port, settings.web_port + workers))
    if busy is not None:
        print(f"Sammanbot cannot start: {port_in_use(busy)}", file=sys.stderr)
        return 1
    preflight()  # what would stop every worker (token, database) raises here, said once
    stopping = False
    pool = [_Worker(i, settings.web_port + i) for i in range(workers)]

    def pass_on(signum: int) -> None:
        for worker in pool:
            worker.send_signal(signum)

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        pass_on(signum)

    # Handlers first: a signal while the children start must not kill the supervisor alone.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, lambda signum, _frame: pass_on(signum))
    for worker in pool:
        worker.start()
    log.info("started %d workers on ports %d–%d", workers, settings.web_port, settings.web_port + workers - 1)
    while True:
        now, alive = time.monotonic(), 0
        for worker in pool:
            if worker.running():
                alive += 1
                continue
            if worker.restart_at is None:  # it has just exited
                ran = now - worker.started_at
                pause = worker.exited(now)
                if not stopping:
                    log.warning(
                        "worker %d exited with %s after %.1fs; starting it again in %.0fs",
                        worker.index,
                        worker.returncode,
                        ran,
                        pause,
                    )
            if not stopping and worker.due(now):
                worker.start()
                alive += 1
        if stopping and not alive:
            break
        time.sleep(POLL_SECONDS)
    codes = [worker.returncode for worker in pool]
    return 0 if all(code in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes) else 1


# -- in the worker ---------------------------------------------------------------------


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send `signum` when the supervisor ends; False where that cannot be."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_lifeline(fd: int, signalled: bool) -> None:
    """Block until the supervisor's end of the pipe closes, then stop this worker."""
    try:
        while os.read(fd, 64):
            pass  # the supervisor never writes: anything read is ignored
    except OSError:
        pass
    log.warning("the supervisor is gone: this worker stops")
    if not signalled:  # on Linux the kernel has sent SIGTERM already
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(ORPHAN_GRACE)
    log.error("still running %.0fs after the supervisor went: ending now", ORPHAN_GRACE)
    os._exit(1)


def worker_main() -> int:
    """One worker: `python -m bot run` that dies with its supervisor."""
    from bot.base import memory
    from bot.base.aio import where
    from bot.app.run import run_command

    memory.limit_arenas()  # before the watching thread starts
    signalled = _parent_death_signal(signal.SIGTERM)
    lifeline = os.environ.get(ENV_LIFELINE)
    if lifeline is not None:
        # a supervisor that died before this line leaves the pipe closed: EOF at once
        threading.Thread(
            target=_watch_lifeline, args=(int(lifeline), signalled), name="supervisor-lifeline", daemon=True
        ).start()
    try:
        return run_command()
    except Exception as exc:  # a crash: the supervisor starts it again, later each time
        if os.environ.get(ENV_RESTARTS, "0") == "0":
            log.exception("worker %s crashed", os.environ.get(ENV_INDEX, "?"))
        else:
            log.error(
                "worker %s crashed again: %s (traceback at its first crash)", os.environ.get(ENV_INDEX, "?"), where(exc)
            )
        return 1


if __name__ == "__main__":
    sys.exit(worker_main())
