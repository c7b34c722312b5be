"""The benchmark runner: `python -m bench [--smoke] [scale knobs] [--out FILE]`.

Runs every measurement against the fake Bot API over real HTTP (the bot as its own
process), prints a table and writes bench/RESULTS.md (or --out). Every machine-bound
figure sits next to a baseline measured in the same run, with their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench import anonymiser
from bench.common import Results, fmt, machine, pg_available

HERE = Path(__file__).resolve().parent
FULL = dict(
    youth=500,
    burst=10_000,
    burst_window=60.0,
    participants=100_000,
    submissions=1_000_000,
    flows=50,
    repeat=3,
    mem_youth=100,
    think=1.0,
    campaign=10_000,
    campaign_chat=50,
    paced=(20, 40),
    scales=(100, 500, 2_000, 5_000),
    scaling_window=120.0,
)
SMOKE = dict(
    youth=5,
    burst=40,
    burst_window=1.0,
    participants=500,
    submissions=2_000,
    flows=50,
    repeat=1,
    mem_youth=3,
    think=0.01,
    campaign=30,
    campaign_chat=3,
    paced=(3,),
    scales=(3,),
    scaling_window=5.0,
)
ALL = ("load", "pacing", "scaling", "burst", "campaign", "memory", "dashboard", "startup")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny scale: seconds, for the test suite")
    p.add_argument("--youth", type=int, help="concurrent youth for CPU/latency (full: 500)")
    p.add_argument(
        "--think",
        type=float,
        help="scale of the youth's pauses before each action (1: as people; 0: machine speed, a saturation test)",
    )
    p.add_argument(
        "--paced",
        type=lambda v: tuple(int(n) for n in v.split(",")),
        help="youth per shipped-pacing run, comma list (full: 20,40)",
    )
    p.add_argument(
        "--scales",
        type=lambda v: tuple(int(n) for n in v.split(",")),
        help="youth in conversation for the scaling table, comma list (full: 100,500,2000,5000)",
    )
    p.add_argument("--scaling-window", type=float, help="seconds each scaling run offers its load (full: 120)")
    p.add_argument("--burst", type=int, help="youth pressing /start in the burst (full: 10000)")
    p.add_argument("--burst-window", type=float, help="seconds over which the burst arrives (full: 60)")
    p.add_argument("--campaign", type=int, help="recipients of the campaign sent while youth chat (full: 10000)")
    p.add_argument("--campaign-chat", type=int, help="youth chatting while the campaign goes out (full: 50)")
    p.add_argument("--participants", type=int, help="stored participants+sessions for memory (full: 100000)")
    p.add_argument("--submissions", type=int, help="stored submissions for the dashboard (full: 1000000)")
    p.add_argument("--flows", type=int, help="flow files for the reload timing (50)")
    p.add_argument("--repeat", type=int, help="repetitions for medians")
    p.add_argument("--only", default=",".join(ALL), help=f"comma list of {','.join(ALL)}")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL runs")
    p.add_argument(
        "--out",
        type=Path,
        help="where to write the report (default bench/RESULTS.md; --smoke writes nothing unless given)",
    )
    args = p.parse_args(argv)
    scale = SMOKE if args.smoke else FULL
    for key, value in scale.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.out is None and not args.smoke:
        args.out = HERE / "RESULTS.md"
    return args


async def measure(args: argparse.Namespace, workdir: Path) -> Results:
    from bench import burst, dashboard, load, memory, startup

    r = Results()
    only = set(args.only.split(","))
    kinds = ["sqlite"] + ([] if args.no_postgres or not await pg_available() else ["postgresql"])
    if "postgresql" not in kinds:
        r.notes.append("PostgreSQL was skipped (not reachable or --no-postgres).")

    if "load" in only:
        from bench.conversations import Thinking

        thinking = Thinking().scaled(args.think)
        print(f"[load] echo bot and Sammanbot, {args.youth} youth at once", flush=True)
        echo = await load.run_echo(args.youth, 10, workdir, thinking)
        r.add("floor", "echo bot: CPU per Bot API call", echo.cpu_per_call_ms, "ms")
        for kind in kinds:
            res = await load.run_sammanbot(kind, args.youth, workdir, thinking)
            sec = f"cpu ({kind})"
            r.add(
                sec,
                "CPU per handled update",
                res.cpu_per_update_ms,
                "ms",
                echo.cpu_per_update_ms,
                "echo per update",
                note=f"{res.updates} updates",
            )
            row = r.add(
                sec,
                "CPU per Bot API call",
                res.cpu_per_call_ms,
                "ms",
                echo.cpu_per_call_ms,
                "echo per call",
                "≤ 1.5× echo",
                note=f"{res.calls} calls ({res.calls / max(1, res.updates):.2f} per update)",
            )
            row.met = row.ratio is not None and row.ratio <= 1.5
            lat = f"latency ({kind}, {args.youth} youth)"
            for q in (50, 95, 99):
                row = r.add(
                    lat, f"answer time p{q}", res.p(q), "ms", echo.p(q), f"echo p{q}", "< 250 ms" if q == 99 else ""
                )
                if q == 99:
                    row.met = res.p(q) is not None and res.p(q) < 250
            if res.handled_p:
                r.add(
                    lat, "handling only p99 (bot's /metrics, arrival→queued, bucket bound)", res.handled_p["p99"], "ms"
                )
            r.add(
                lat,
                "updates handled per second (arrival rate of the workload)",
                res.updates / res.wall_s,
                "updates/s",
                echo.updates / echo.wall_s,
                "echo updates/s",
            )
        t = thinking
        r.notes.append(
            f"Load and latency: {args.youth} youth start within {t.ramp:.0f} s and pause as people do "
            f"before each action ({t.press[0]:g}–{t.press[1]:g} s before a button or command, "
            f"{t.typing[0]:g}–{t.typing[1]:g} s before typing the idea; seeded), so many are mid-"
            "conversation at once; `--think 0` runs them at machine speed instead (a saturation test, "
            "where answer time is queueing). Pacing is raised (RATE_GLOBAL_PER_S=100000, per chat "
            "1000), so Pacer waits are ~0 and not part of the figures; the burst below runs at the "
            "real limits. Answer time = youth's update queued at the fake → arrival of the bot's "
            "first sendMessage/edit to that chat."
        )

    if "pacing" in only:
        from bench import pacing

        for n in args.paced:
            print(f"[pacing] {n} youth answering every ~2 s, shipped pacing, limits enforced", flush=True)
            pr = await pacing.run_pacing(n, workdir)
            sec = f"shipped pacing ({n} youth answering every ~2 s, sqlite)"
            limit_ms = 500 if n >= 40 else 250
            r.add(sec, "answer → next question p50", pr.p50_ms, "ms")
            note = f"{pr.answers} answers; slowest step {pr.slowest_step}"
            row = r.add(sec, "answer → next question p99", pr.p99_ms, "ms", target=f"< {limit_ms} ms", note=note)
            row.met = pr.p99_ms is not None and pr.p99_ms < limit_ms
            row = r.add(sec, "429s received", pr.count_429, "", target="0", note=f"{pr.edits} cosmetic edits sent")
            row.met = pr.count_429 == 0
        r.notes.append(
            "Shipped pacing: the bot keeps its default RATE_* settings (30 sends/s, 1/s per chat, burst 3) "
            "and the fake answers 429 beyond Telegram-like limits; youth arrive within 10 s, then "
            "pause 1.5–2.5 s before each action. Answer → next question = youth's update queued at "
            "the fake → the next sendMessage (or a toggle's redraw) to that chat; cosmetic edits go "
            "after every youth's questions."
        )

    if "scaling" in only:
        from bench import scaling

        cells = await scaling.measure(r, list(args.scales), kinds, workdir, args.think, args.scaling_window)
        r.blocks.append(
            f"### How cost grows\n\nEach cell: the load run's workload offered for {args.scaling_window:.0f} s "
            "(youth pausing as people do, pacing raised), then 5 s for the last answers; p99 of the answer "
            "time, or *saturated* when more than 1% of the actions had no answer by then; CPU of all the "
            "bot's processes per answered action; answers per second.\n\n" + scaling.table(cells)
        )
        r.notes.append(
            "Scaling: the load run's workload at each number of youth in conversation, on SQLite, on "
            "PostgreSQL with one process and with `--workers 2`, for the same window each; CPU is that of "
            "all the bot's processes. The runner (the fake Bot API and the simulated youth) shares the "
            "machine's cores with the bot."
        )

    if "burst" in only:
        print(f"[burst] {args.burst} youth press /start within {args.burst_window:.0f} s, limits enforced", flush=True)
        b = await burst.run_burst(args.burst, args.burst_window, workdir)
        sec = f"burst ({b.youth} youth, {b.reminders} reminders queued)"
        for measure, rate, note in (
            ("messages sent per second", b.send_rate, f"{b.sends} sends"),
            (
                "messages sent per second while rows were due (the sender's rate)",
                b.due_rate.rate,
                f"{b.due_rate.sends} sends in {b.due_rate.busy_s:.0f} s with rows due",
            ),
        ):
            row = r.add(
                sec, measure, rate, "msg/s", burst.CONFIGURED_RATE, "configured limit", "≥ 95% of limit", note=note
            )
            row.met = (row.ratio or 0) >= 0.95
        row = r.add(sec, "429s received", b.count_429, "", target="0")
        row.met = b.count_429 == 0
        row = r.add(
            sec,
            "time until every youth answered",
            b.all_answered_s,
            "s",
            b.youth / burst.CONFIGURED_RATE,
            "youth ÷ limit (the floor)",
            "all answered",
            note=f"{b.answered}/{b.youth} answered",
        )
        row.met = b.answered == b.youth
        r.add(sec, "first answer, median youth", b.answer_p50_s, "s")
        row = r.add(
            sec,
            "reminders sent before the last youth's first answer",
            b.reminders_before_last_answer,
            "",
            target="interactive first",
            note=f"{b.reminders_sent}/{b.reminders} reminders sent in all",
        )
        row.met = b.reminders_before_last_answer <= max(1, b.reminders // 10)

    if "campaign" in only:
        from bench import campaign
        from bench.burst import CONFIGURED_RATE
        from bench.conversations import Thinking

        print(
            f"[campaign] {args.campaign} recipients while {args.campaign_chat} youth chat, limits enforced", flush=True
        )
        c = await campaign.run_campaign(args.campaign, args.campaign_chat, workdir, Thinking().scaled(args.think))
        sec = f"campaign ({c.recipients} recipients, {c.chatting} youth chatting)"
        row = r.add(
            sec,
            "messages sent per second while it went out",
            c.send_rate,
            "msg/s",
            CONFIGURED_RATE,
            "configured limit",
            "≥ 95% of limit",
            note=f"{c.reached}/{c.recipients} reached; {c.edits} edits besides, paced by the bot, not by the fake",
        )
        row.met = (row.ratio or 0) >= 0.95 and c.reached == c.recipients
        row = r.add(sec, "429s received (campaign run)", c.count_429, "", target="0")
        row.met = c.count_429 == 0
        row = r.add(
            sec,
            "chatting youth's answer time p99",
            c.with_campaign.p99_ms,
            "ms",
            c.without.p99_ms,
            "same youth, no campaign",
            "≤ 1.5× without",
        )
        row.met = row.ratio is not None and row.ratio <= 1.5
        r.notes.append(
            "Campaign: the poll goes to every recipient through the outbox at the lowest priority "
            "(storage.outbox.Priority.CAMPAIGN) while the chatting youth go through Share an idea at "
            "Telegram's limits (the fake answers 429 beyond them); the same chatting youth run once "
            "without the campaign in the same run, as the baseline."
        )

    if "memory" in only:
        print(f"[memory] {args.participants} stored participants and sessions", flush=True)
        m = await memory.run_memory(args.participants, args.mem_youth, workdir)
        sec = f"memory ({m.participants:,} participants+sessions)"
        row = r.add(sec, "idle RSS", m.idle_mb, "MiB", m.echo_idle_mb, "echo idle RSS", "< 150 MB")
        row.met = m.idle_mb < 143  # 150 MB = 143 MiB
        row = r.add(
            sec,
            f"peak RSS (after {args.mem_youth} youth)",
            m.peak_mb,
            "MiB",
            m.echo_peak_mb,
            "echo peak RSS",
            "< 150 MB",
        )
        row.met = m.peak_mb < 143

    if "dashboard" in only:
        for kind in kinds:
            print(f"[dashboard] {args.submissions} submissions on {kind}", flush=True)
            d = await dashboard.run_dashboard(kind, args.submissions, workdir, args.repeat)
            sec = f"dashboard ({kind}, {d.submissions:,} submissions)"
            r.add(sec, "bulk seeding", d.submissions / d.seed_s, "rows/s")
            for name, ms in d.pages_ms.items():
                row = r.add(sec, name, ms, "ms", d.healthz_ms, "/healthz", "< 300 ms")
                row.met = ms < 300
            row = r.add(
                sec, "export CSV (all): first byte", d.export_all_ttfb_ms, "ms", d.healthz_ms, "/healthz", "< 300 ms"
            )
            row.met = d.export_all_ttfb_ms < 300
            r.add(
                sec,
                "export CSV (all): whole",
                d.export_all_s,
                "s",
                note=f"{d.export_all_rows:,} rows, {d.export_all_rows / max(d.export_all_s, 1e-9):,.0f} rows/s",
            )

    if "startup" in only:
        print("[startup] start-up to first answer; flow reload", flush=True)
        bot_s, echo_s = await startup.run_startup(workdir, args.repeat)
        row = r.add("start-up", "process start → first answer", bot_s, "s", echo_s, "echo bot", "< 2 s")
        row.met = bot_s < 2
        reload_ms, parse_ms, problems = startup.run_reload(workdir / "flows50", args.flows, max(3, args.repeat))
        row = r.add(
            "start-up",
            f"flow reload, {args.flows} flows",
            reload_ms,
            "ms",
            parse_ms,
            "yaml.safe_load of the files",
            note="; ".join(problems[:3]) or "no problems",
        )
        row.met = not problems
    return r


def table(r: Results) -> str:
    lines = [
        "| section | measure | value | baseline (same run) | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in r.rows:
        base = f"{fmt(row.baseline)} {row.unit} ({row.baseline_name})" if row.baseline is not None else ""
        ratio = f"×{row.ratio:.2f}" if row.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[row.met]
        value = f"{fmt(row.value)} {row.unit}".strip()
        measure = row.measure + (f" ({row.note})" if row.note else "")
        lines.append(f"| {row.section} | {measure} | {value} | {base} | {ratio} | {row.target} | {met} |")
    return "\n".join(lines)


def report(r: Results, args: argparse.Namespace, info: dict[str, str], seconds: float, head: str) -> str:
    scale = (
        f"youth={args.youth}, burst={args.burst} in {args.burst_window:.0f} s, "
        f"participants={args.participants:,}, submissions={args.submissions:,}, flows={args.flows}, "
        f"repeat={args.repeat}"
    )
    return "\n".join(
        [
            "# Benchmark results",
            "",
            head.strip(),
            "",
            "## This run",
            "",
            f"- date: {info['date']}; commit: `{info['commit']}`",
            f"- machine: {info['cpu']}, {info['cores']} cores, {info['memory']} memory; "
            f"load average at the end {info['load']}; Python {info['python']}",
            f"- scale: {scale}{' (smoke)' if args.smoke else ''}; took {seconds:.0f} s",
            "",
            table(r),
            "",
            *[f"- {note}" for note in r.notes],
            "",
            *[f"{block}\n" for block in r.blocks],
        ]
    )


DEFAULT_HEAD = "Written by `make bench` (`python -m bench`); numbers are from the run below."


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    info = machine()
    print(f"bench on {info['cpu']} ({info['cores']} cores, {info['memory']}), commit {info['commit']}", flush=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sammanbot-bench-") as tmp:
        results = asyncio.run(measure(args, Path(tmp)))
    seconds = time.monotonic() - t0
    info = machine() | {"date": info["date"]}
    print()
    print(table(results))
    if args.out:
        head = DEFAULT_HEAD
        analysis = HERE / "ANALYSIS.md"
        if analysis.exists() and not args.smoke:
            head += "\n\n" + analysis.read_text(encoding="utf-8")
        args.out.write_text(report(results, args, info, seconds, head), encoding="utf-8")
        if not args.smoke:
            anonymiser.write_section(args.out, anonymiser.measure(anonymiser.BEFORE_ISSUE_16, 5))
        print(f"\nwritten to {args.out}")
    return 0
