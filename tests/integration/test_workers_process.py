"""The supervisor of `python -m bot run --workers N` as real processes: its workers die
with it (even of a SIGKILL), a port in use is one clear line, and the restarts of a
worker that keeps crashing back off."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import workers
from tests.botfixtures import ROOT, free_port
from tests.reliability.helpers import Deployment, pid_of_peer, wait_until

IN_USE = "Sammanbot cannot start: port {port} is in use — is another Sammanbot running? set WEB_PORT"


def _alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def test_workers_die_with_a_sigkilled_supervisor(fake_bot_api, pg_url, tmp_path):
    group = fake_bot_api.new_group("Sammanhacket team")
    deployment = Deployment(fake_bot_api, pg_url, tmp_path, group.chat.id, workers=2)
    await deployment.start()
    pids = list(deployment.children().values())
    try:
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        deployment.proc.send_signal(signal.SIGKILL)  # what the OOM killer does
        deployment.proc.wait()
        # expected within a second or two (a clean stop); the bound is generous
        await wait_until(lambda: not any(_alive(pid) for pid in pids), 60, "the workers to end")
        log = deployment.log.read_text()
        assert "the supervisor is gone" in log
        for port in deployment.ports:  # free for the next supervisor
            assert workers.busy_port("127.0.0.1", range(port, port + 1)) is None
    finally:
        for pid in pids:  # orphans, when they do not die by themselves
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        await deployment.telegram.stop()
        await deployment.balancer.stop()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@contextlib.contextmanager
def _held_port(free_below: int) -> Iterator[int]:
    """A listening port whose `free_below` ports just under it were free a moment ago, so
    the only port in use the bot can meet is the held one (another test may hold any
    port the kernel did not give us)."""
    for _ in range(50):
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen()
            held = holder.getsockname()[1]
            below = range(held - free_below, held)
            if all(workers.busy_port("127.0.0.1", range(port, port + 1)) is None for port in below):
                yield held
                return
    raise RuntimeError("no port with free ports below it")


@pytest.mark.parametrize("worker_count", [1, 2])
async def test_a_port_in_use_is_one_clear_line(fake_bot_api, pg_url, tmp_path, worker_count):
    with _held_port(free_below=worker_count - 1) as held:
        first = held - (worker_count - 1)  # with two: the second worker's port is held
        url = f"sqlite+aiosqlite:///{tmp_path}/bot.db" if worker_count == 1 else pg_url
        env = dict(
            os.environ,
            TELEGRAM_BOT_TOKEN=fake_bot_api.token,
            TELEGRAM_API_URL=fake_bot_api.url,
            DATABASE_URL=url,
            VAR_DIR=str(tmp_path / "var"),
            FLOWS_DIR=str(ROOT / "flows"),
            LOCALES_DIR=str(ROOT / "locales"),
            WEB_PORT=str(first),
            POLL_TIMEOUT="1",
        )
        done = await asyncio.to_thread(_run, ["--workers", str(worker_count)], env, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    mentions = [line for line in done.stderr.splitlines() if str(held) in line or "in use" in line]
    assert mentions == [IN_USE.format(port=held)], done.stderr[-3000:]
    assert not [line for line in done.stderr.splitlines() if " ERROR " in line or " WARNING " in line]


def test_the_restart_pause_doubles_up_to_a_cap_and_starts_over_after_a_good_run():
    worker = workers._Worker(0, 8080)
    pauses, now = [], 0.0
    for _ in range(9):
        worker.started_at = now
        now += 0.5  # crashed half a second after starting
        pauses.append(worker.exited(now))
        now = worker.restart_at
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    worker.started_at = now
    assert worker.exited(now + workers.STABLE_AFTER) == workers.RESTART_DELAY
    assert worker.restarts == 1


class _SupervisorOnly:
    """A TCP proxy to the database that lets only the supervisor through: its preflight
    finds a database, and every worker it starts meets a closed door and crashes."""

    def __init__(self, target: str) -> None:
        self.target = make_url(target)
        self.supervisor: int | None = None
        self.port = free_port()
        self.url = self.target.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    async def __aenter__(self) -> _SupervisorOnly:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")[1]
        if self.supervisor is None or pid_of_peer(peer, [self.supervisor]) != self.supervisor:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(self.target.host, self.target.port or 5432)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_restarts_of_a_crashing_worker_back_off_with_one_traceback_each(pg_url, tmp_path):
    # The supervisor's preflight finds the database; every worker crashes at start on it.
    port = free_port(2)
    async with _SupervisorOnly(pg_url) as door:
        env = dict(
            os.environ,
            DATABASE_URL=door.url,
            VAR_DIR=str(tmp_path / "var"),
            FLOWS_DIR=str(ROOT / "flows"),
            LOCALES_DIR=str(ROOT / "locales"),
            WEB_PORT=str(port),
        )
        env.pop("TELEGRAM_BOT_TOKEN", None)
        log = tmp_path / "supervisor.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--workers", "2"], env=env, cwd=tmp_path, stdout=out, stderr=out
            )
        door.supervisor = proc.pid
        restart = re.compile(r"worker 0 exited with 1 after [\d.]+s; starting it again in (\d+)s")
        try:
            await wait_until(lambda: len(restart.findall(log.read_text())) >= 4, 120, "four restarts of worker 0")
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(proc.wait, 60)
    text = log.read_text()
    pauses = [int(p) for p in restart.findall(text)]
    assert pauses[:4] == [1, 2, 4, 8], text[-3000:]
    assert code == 1  # its workers did not end well
    # each worker's first crash with its traceback, every later one in a single line
    assert len(re.findall(r"worker \d crashed\n", text)) == 2, text[-3000:]
    assert len(re.findall(r"crashed again: .*\nTraceback", text)) == 0, text[-3000:]
    assert len(re.findall(r"worker 0 crashed again: \w+", text)) >= 3
