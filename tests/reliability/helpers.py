"""What the reliability tests share: their figures, a load balancer / recording proxy,
a private PostgreSQL they may stop and start, and a multi-process deployment.

Figures are read from the bot's own database and the fake Bot API, never guessed:
- updates sent: every update the fake Telegram pushed (recorded by `Ledger`);
- stored / lost: inbox rows for them, and those not handled;
- duplicated: answers or submissions stored twice (an update handled twice);
- dropped: outbox rows given up on (not edits superseded by a newer one); sent twice: more messages in a chat than the
  outbox sent there (at-least-once delivery across a crash shows up here).
"""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, or_, select, text

from storage.leases import lock_key
from storage.models import Answer, Inbox, Outbox, Submission
from storage.outbox import SUPERSEDED_REF
from tests.botfixtures import free_port, port_free
from tests.fakebotapi.updates import WebhookDelivery
from tests.botprocess import BotProcess, tmp_cwd

# Bot API calls a process makes on its own (start-up, lookups, the answer to a button
# press it handled); everything else is the outbox, which only the sender delivers.
NOT_SENDER = frozenset(
    {
        "getMe",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "getUpdates",
        "getChatMember",
        "getFile",
        "answerCallbackQuery",
    }
)


# -- figures -------------------------------------------------------------------------


class Ledger:
    """Records every update the fake Telegram delivers (its `push_update`)."""

    def __init__(self, fake: Any) -> None:
        self.updates: list[dict[str, Any]] = []
        push = fake.push_update

        def recording_push(update: dict[str, Any]) -> dict[str, Any]:
            pushed = push(update)
            self.updates.append(pushed)
            return pushed

        fake.push_update = recording_push

    @property
    def ids(self) -> set[int]:
        return {u["update_id"] for u in self.updates}


@dataclass
class Figures:
    name: str
    updates_sent: int = 0
    stored: int = 0
    handled: int = 0
    failed: int = 0
    answers: int = 0
    lost: int = 0
    duplicated: int = 0
    dropped: int = 0
    sent_twice: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        more = "".join(f", {k} {v}" for k, v in self.extra.items())
        return (
            f"[reliability] {self.name}: updates sent {self.updates_sent}, stored {self.stored}, "
            f"handled {self.handled}, failed {self.failed}, answers stored {self.answers}, "
            f"lost {self.lost}, duplicated {self.duplicated}, dropped {self.dropped}, "
            f"sent twice {self.sent_twice}{more}"
        )

    def report(self) -> Figures:
        print("\n" + self.line())
        return self

    def assert_clean(self, *, failed_ok: bool = False) -> None:
        assert self.updates_sent > 0, "the test sent nothing"
        assert self.lost == 0, self.line()
        assert self.duplicated == 0, self.line()
        assert self.dropped == 0, self.line()
        if not failed_ok:
            assert self.failed == 0, self.line()


async def tally(name: str, sessionmaker: Any, ledger: Ledger, fake: Any) -> Figures:
    ids = ledger.ids
    f = Figures(name, updates_sent=len(ids))
    async with sessionmaker() as s:
        rows = (await s.execute(select(Inbox.update_id, Inbox.status))).all()
        answers = (
            await s.execute(
                select(Answer.participant_id, Answer.session_id, Answer.name, func.count()).group_by(
                    Answer.participant_id, Answer.session_id, Answer.name
                )
            )
        ).all()
        subs = (await s.execute(select(Submission.participant_pseudonym, Submission.flow_id, Submission.answers))).all()
        # an edit superseded by a newer one of the same message is set aside by design
        outbox = (
            await s.execute(
                select(Outbox.chat_id, Outbox.method, Outbox.status, Outbox.target).where(
                    or_(Outbox.ref.is_(None), Outbox.ref != SUPERSEDED_REF)
                )
            )
        ).all()
    status = {update_id: st for update_id, st in rows if update_id in ids}
    f.stored = len(status)
    f.handled = sum(st == "done" for st in status.values())
    f.failed = sum(st == "failed" for st in status.values())
    f.lost = len(ids) - f.handled - f.failed
    f.answers = sum(n for *_, n in answers)
    f.duplicated = sum(n - 1 for *_, n in answers) + sum(
        n - 1
        for n in Counter(
            (p, flow, repr(sorted(a.items())) if isinstance(a, dict) else repr(a)) for p, flow, a in subs
        ).values()
    )
    f.dropped = sum(st == "failed" for *_, st, target in outbox if target == "webhook") + sum(
        st == "failed" for _, method, st, target in outbox if target == "telegram" and method != "leaveChat"
    )
    sent = Counter(
        chat for chat, method, st, target in outbox if target == "telegram" and method == "sendMessage" and st == "sent"
    )
    for chat_id, n in sent.items():
        chat = fake.chats.get(chat_id)
        if chat is not None:
            f.sent_twice += max(0, len(chat.bot_messages) - n)
    return f


async def order_violations(sessionmaker: Any) -> int:
    """Chats whose messages reached Telegram in another order than the outbox's."""
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                select(Outbox.chat_id, Outbox.result)
                .where(Outbox.method == "sendMessage", Outbox.status == "sent", Outbox.target == "telegram")
                .order_by(Outbox.chat_id, Outbox.id)
            )
        ).all()
    last: dict[int, int] = {}
    bad: set[int] = set()
    for chat_id, result in rows:
        message_id = (result or {}).get("message_id") if isinstance(result, dict) else None
        if message_id is None:
            continue
        if message_id <= last.get(chat_id, 0):
            bad.add(chat_id)
        last[chat_id] = message_id
    return len(bad)


# -- a load balancer that is also a recording proxy ---------------------------------------

_HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


class Proxy:
    """Round-robin HTTP proxy over `backends` (a backend that refuses the connection is
    skipped; none left: 502). `on_request(request)` sees every request first."""

    def __init__(self, backends: list[str], on_request: Callable[[web.Request], None] | None = None) -> None:
        self.backends = backends
        self.on_request = on_request
        self.port = free_port()
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Proxy:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=64 << 20)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
        if self._http:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.on_request:
            self.on_request(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        first = next(self._turn)
        for i in range(len(self.backends)):
            backend = self.backends[(first + i) % len(self.backends)]
            try:
                async with self._http.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as resp:
                    payload = await resp.read()
                    return web.Response(
                        status=resp.status,
                        body=payload,
                        headers={"Content-Type": resp.headers.get("Content-Type", "application/octet-stream")},
                    )
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502, text="no backend")


def pid_of_peer(port: int, pids: list[int]) -> int | None:
    """Which of `pids` owns the local TCP port `port` (read from /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{cols[9]}]")
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None


# -- a private PostgreSQL ------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port (trust auth), ours to stop and start.
    Never the shared server on 5432."""

    def __init__(self) -> None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions or shutil.which("runuser") is None:
            import pytest

            pytest.skip("no PostgreSQL binaries to start a private instance")
        self.bin = versions[-1]
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sammanbot-pg-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", f"{self.bin}/{tool}", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def init(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


# -- several bot processes, one database ------------------------------------------------


class ParallelDelivery(WebhookDelivery):
    """Webhook delivery as Telegram does it with setWebhook's max_connections: up to
    `connections` POSTs in flight at once (the fake's own delivery sends one at a time),
    each update retried until it gets 200 and only then confirmed."""

    def __init__(self, queue: Any, url: str, secret: str | None, connections: int = 40) -> None:
        super().__init__(queue, url, secret)
        self.connections = connections

    async def _run(self) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        slots = asyncio.Semaphore(self.connections)
        in_flight: set[int] = set()
        tasks: set[asyncio.Task] = set()

        async def deliver(session: aiohttp.ClientSession, update: dict[str, Any]) -> None:
            try:
                backoff = 0.05
                while not await self._post(session, update, headers):
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 1.0)
                self.queue.remove(update)
                self.delivered += 1
            finally:
                in_flight.discard(id(update))
                slots.release()

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            try:
                while True:
                    fresh = [u for u in self.queue.deliverable(1000) if id(u) not in in_flight]
                    if not fresh:
                        await self.queue.wait_changed()
                        continue
                    for update in fresh:
                        await slots.acquire()
                        in_flight.add(id(update))
                        task = asyncio.create_task(deliver(session, update))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)


async def sender_lock_holders(sessionmaker: Any) -> int:
    """Sessions holding the sender's advisory lock in this database (pg_locks)."""
    key = lock_key("leader", "sender") & 0xFFFFFFFFFFFFFFFF
    async with sessionmaker() as s:
        return await s.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1"
            ),
            {"hi": key >> 32, "lo": key & 0xFFFFFFFF},
        )


class Deployment:
    """`python -m bot run --workers N` in webhook mode: Telegram posts to a round-robin load
    balancer in front of the N processes; the processes reach the fake Bot API through a
    proxy that records which process made each call."""

    def __init__(
        self, fake: Any, db_url: str, tmp_path: Path, staff_chat_id: int, workers: int = 3, **env: str
    ) -> None:
        self.fake = fake
        self.workers = workers
        self.process = BotProcess(fake, db_url, tmp_path, staff_chat_id)  # env and log file
        if not all(port_free(self.process.port + i) for i in range(workers)):
            self.process.port = free_port(workers)
        self.process.env["WEB_PORT"] = str(self.process.port)
        self.ports = [self.process.port + i for i in range(workers)]
        self.balancer = Proxy([f"http://127.0.0.1:{p}" for p in self.ports])
        self.telegram = Proxy([fake.url], on_request=self._record)
        # The fake enforces no rate limits here; the bot's own pacing would hold the staff
        # cards to Telegram's 20 a minute per group and make the test wait for it.
        self.env = dict(
            self.process.env,
            TELEGRAM_API_URL=self.telegram.url,
            RATE_GROUP_PER_MIN="100000",
            WEBHOOK_URL=f"{self.balancer.url}/telegram/webhook",
            **env,
        )
        self.proc: subprocess.Popen | None = None
        self.sends: list[tuple[str, int | None]] = []  # (method, pid) of each outbox delivery
        self._pids: dict[int, int | None] = {}

    @property
    def log(self) -> Path:
        return self.process.log

    def _record(self, request: web.Request) -> None:
        method = request.path.rsplit("/", 1)[-1]
        if method in NOT_SENDER:
            return
        peer = request.transport.get_extra_info("peername") if request.transport else None
        port = peer[1] if peer else None
        pid = self._pids.get(port)
        if pid is None or not Path(f"/proc/{pid}").exists():
            # (re)resolve: a dead worker's port may since be used by another process
            pid = self._pids[port] = pid_of_peer(port, list(self.children().values())) if port else None
        self.sends.append((method, pid))

    async def start(self) -> None:
        await self.balancer.start()
        await self.telegram.start()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--workers", str(self.workers)],
                cwd=tmp_cwd(self.env),
                env=self.env,
                stdout=log,
                stderr=log,
            )
        await self.wait_ready()

    async def wait_ready(self, timeout: float = 180.0) -> None:
        """Until every worker answers /healthz."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            for port in self.ports:
                while True:
                    if self.proc.poll() is not None:
                        raise RuntimeError(f"deployment exited: {self.log.read_text()[-2000:]}")
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                            if resp.status in (200, 503):
                                break
                    except (aiohttp.ClientError, TimeoutError):
                        pass
                    if loop.time() > deadline:
                        raise TimeoutError(f"worker on port {port} did not start")
                    await asyncio.sleep(0.1)
        # Every worker has called setWebhook by now (before it listens); deliver as
        # Telegram does, several connections at once.
        serial = self.fake.webhook
        if serial is not None and not isinstance(serial, ParallelDelivery):
            await serial.stop()
            self.fake.webhook = ParallelDelivery(self.fake.updates, serial.url, serial.secret)
            self.fake.webhook.start()

    def children(self) -> dict[int, int]:
        """Worker index -> pid of the supervisor's live children."""
        found: dict[int, int] = {}
        try:
            pids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return found
        for pid in map(int, pids):
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            for entry in environ:
                if entry.startswith(b"SAMMANBOT_WORKER="):
                    found[int(entry.split(b"=", 1)[1])] = pid
        return found

    async def sender_pid(self, sessionmaker: Any, timeout: float = 60.0) -> int:
        """The pid of the worker holding the sender lock (pg_locks -> client port -> /proc)."""
        key = lock_key("leader", "sender") & 0xFFFFFFFFFFFFFFFF
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            async with sessionmaker() as s:
                port = await s.scalar(
                    text(
                        "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() "
                        "AND l.classid::bigint = :hi AND l.objid::bigint = :lo AND l.objsubid = 1"
                    ),
                    {"hi": key >> 32, "lo": key & 0xFFFFFFFF},
                )
            pid = pid_of_peer(port, list(self.children().values())) if port else None
            if pid is not None:
                return pid
            await asyncio.sleep(0.1)
        raise TimeoutError("no worker holds the sender lock")

    async def kill_worker(self, pid: int) -> int:
        """SIGKILL one worker; returns its index once the supervisor has started it again."""
        index = next(i for i, p in self.children().items() if p == pid)
        os.kill(pid, signal.SIGKILL)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while self.children().get(index) in (None, pid):
            if loop.time() > deadline:
                raise TimeoutError("the supervisor did not start the killed worker again")
            await asyncio.sleep(0.05)
        await self.wait_ready()
        return index

    async def stop(self) -> int:
        try:
            self.proc.send_signal(signal.SIGTERM)
            return await asyncio.to_thread(self.proc.wait, 60)
        finally:
            await self.telegram.stop()
            await self.balancer.stop()


async def walk(y: Any, steps: list[str], idea: str, timeout: float = 300.0) -> None:
    """Like tests.botprocess.through_share_idea, with a per-step timeout for big loads."""
    for action in steps:
        if action == "start":
            await y.step(y.user.send_command("/start"), timeout)
        elif action == idea:
            await y.step(y.user.send_text(action), timeout)
        else:
            await y.step(y.user.press(action), timeout)


async def wait_until(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll an (async or plain) predicate until it is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
