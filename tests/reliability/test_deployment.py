"""Several processes, one PostgreSQL: `python -m bot run --workers 3` in webhook mode
behind a round-robin load balancer. Per-chat order holds across processes, each update
is handled once, exactly one process sends at a time, and a killed worker (even the
sender) is replaced while the others go on."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter

from sqlalchemy import select

from storage.models import Participant, Submission
from tests.reliability.helpers import Deployment, Ledger, order_violations, sender_lock_holders, tally, wait_until, walk
from tests.botprocess import IDEA, db_handle, through_share_idea  # noqa: F401 (fixture)
from tests.youth import Youth, settle

N_DEPLOYMENT_YOUTH = int(os.environ.get("DEPLOYMENT_YOUTH", 300))
N_KILL_YOUTH = int(os.environ.get("WORKER_KILL_YOUTH", 20))
SHARE_AN_IDEA = ["start", "English", "16–17", "Yes", "No", "Share an idea", "School", IDEA, "Me", "Done", "Yes"]


async def _sample_holders(db, stop: asyncio.Event, seen: list[int]) -> None:
    while not stop.is_set():
        seen.append(await sender_lock_holders(db.sessionmaker))
        try:
            await asyncio.wait_for(stop.wait(), 0.25)
        except TimeoutError:
            pass


async def test_three_processes_take_300_youth_through_share_an_idea(fake_bot_api, pg_url, tmp_path, db_handle):
    ledger = Ledger(fake_bot_api)
    group = fake_bot_api.new_group("Sammanhacket team")
    deployment = Deployment(
        fake_bot_api,
        pg_url,
        tmp_path,
        group.chat.id,
        workers=3,
        RATE_GLOBAL_PER_S="1000",
        RATE_PER_CHAT_PER_S="50",
        RATE_PER_CHAT_BURST="50",
    )
    await deployment.start()
    db = db_handle(pg_url)
    holders: list[int] = []
    sampling = asyncio.Event()
    sampler = asyncio.create_task(_sample_holders(db, sampling, holders))
    try:
        youth = [
            Youth.new(fake_bot_api, db, first_name=f"Invented{i}", language_code="en")
            for i in range(N_DEPLOYMENT_YOUTH)
        ]
        await asyncio.gather(*(walk(y, SHARE_AN_IDEA, IDEA) for y in youth))
        await settle(db, timeout=300)
    finally:
        sampling.set()
        await sampler
        code = await deployment.stop()
    assert code == 0
    figures = await tally("three processes, 300 youth", db.sessionmaker, ledger, fake_bot_api)
    async with db.sessionmaker() as s:
        subs = (await s.scalars(select(Submission).where(Submission.flow_id == "share_idea"))).all()
    senders = Counter(pid for _, pid in deployment.sends)
    figures.extra.update(
        submissions=len(subs),
        order_violations=await order_violations(db.sessionmaker),
        sending_processes=len(senders),
        max_sender_lock_holders=max(holders),
    )
    figures.report().assert_clean()
    assert len(subs) == N_DEPLOYMENT_YOUTH
    assert all("Great! If they have a question" in " ".join(y.texts()) for y in youth)
    assert figures.extra["order_violations"] == 0
    # One sender at a time: pg_locks never showed two holders, and the deliveries reached
    # the (fake) Bot API from one process at a time — leadership may pass on (e.g. while the
    # processes stop, the last one flushes what is left), but two never take turns back.
    assert max(holders) == 1 and min(holders) >= 0
    runs = [pid for i, (_, pid) in enumerate(deployment.sends) if i == 0 or deployment.sends[i - 1][1] != pid]
    assert None not in senders and len(runs) == len(set(runs)), runs
    assert fake_bot_api.rejected == []


async def test_sigkill_of_the_sending_worker_loses_and_duplicates_nothing(fake_bot_api, pg_url, tmp_path, db_handle):
    ledger = Ledger(fake_bot_api)
    group = fake_bot_api.new_group("Sammanhacket team")
    deployment = Deployment(fake_bot_api, pg_url, tmp_path, group.chat.id, workers=3)
    await deployment.start()
    db = db_handle(pg_url)
    try:
        youth = [Youth.new(fake_bot_api, db, first_name=f"Made{i}Up", language_code="en") for i in range(N_KILL_YOUTH)]
        await asyncio.gather(
            *(through_share_idea(y, ["start", "English", "16–17", "Yes", "No", "Share an idea"]) for y in youth)
        )
        victim = await deployment.sender_pid(db.sessionmaker)
        sends_before = len(deployment.sends)
        # Load in flight: everyone presses "School"; the worker that sends dies meanwhile.
        for y in youth:
            await y.user.press("School")
        await asyncio.sleep(0.2)  # let some of it be in flight; correctness does not depend on it
        index = await deployment.kill_worker(victim)
        successor = await deployment.sender_pid(db.sessionmaker)
        await settle(db, timeout=120)
        # ... and the conversations go on to the end on the surviving and restarted workers.
        await asyncio.gather(*(through_share_idea(y, [IDEA, "Me", "Done", "Yes"]) for y in youth))
        await settle(db, timeout=120)
        # SIGHUP (reload the flows) reaches every worker; nobody dies of it.
        pids = deployment.children()
        deployment.proc.send_signal(signal.SIGHUP)
        await wait_until(
            lambda: deployment.log.read_text().count("reload (SIGHUP)") == len(pids), 60, "every worker to reload"
        )
        assert deployment.proc.poll() is None and deployment.children() == pids
    finally:
        code = await deployment.stop()
    assert code == 0
    async with db.sessionmaker() as s:
        participants = (await s.scalars(select(Participant))).all()
        subs = (await s.scalars(select(Submission).where(Submission.flow_id == "share_idea"))).all()
    after = {pid for _, pid in deployment.sends[sends_before:]}
    figures = await tally("SIGKILL of the sending worker (1 of 3)", db.sessionmaker, ledger, fake_bot_api)
    # A call in flight when its sender died is made again by the next one (at least
    # once): a repeated edit is refused by Telegram as "not modified", and that is all.
    repeated_edits = [r for r in fake_bot_api.rejected if "message is not modified" in r[1]]
    figures.sent_twice += len(repeated_edits)
    figures.extra.update(killed_worker=index, sender_changed=successor != victim, submissions=len(subs))
    figures.report().assert_clean()
    assert successor != victim
    assert len(participants) == len(youth) and len(subs) == len(youth)
    # The dead process sent nothing after it died; only one process sent afterwards.
    last_by_victim = max((i for i, (_, pid) in enumerate(deployment.sends) if pid == victim), default=-1)
    first_by_successor = min(i for i, (_, pid) in enumerate(deployment.sends) if pid == successor)
    assert last_by_victim < first_by_successor
    assert after - {victim} == {successor}
    assert [r for r in fake_bot_api.rejected if r not in repeated_edits] == []


def test_several_workers_refuse_sqlite(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/one.db", TELEGRAM_BOT_TOKEN="1:x")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--workers", "2"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "PostgreSQL" in done.stderr
