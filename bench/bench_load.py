"""Load test of the Streamlit server: many concurrent sessions speak Streamlit's websocket protocol.

Run: `.venv/bin/python bench/bench_load.py` (50 sessions for 5 minutes, then a ramp; about 20 minutes)
or `--quick` (5 sessions for 20 s, a short ramp; about 2 minutes). Prints markdown tables.

Each session is one virtual user (bench/load_user.py) walking the whole wizard with real widget
changes and Next clicks, opening the results, ticking a checklist item, downloading the Markdown
export and starting over, with a think time between interactions. The driver (bench/stproto.py)
renders nothing, so the times are the server's: BackMsg sent to `script_finished` received.

Phases: on one fresh server, a warm-up walk, then 1 session (the baseline), then N sessions; on a
second fresh server, a closed loop (a few sessions, no think time: the maximum throughput) and a
ramp of session counts until p95 passes 1 s; on a third, the same Next clicks timed in Chromium and
through the protocol, to show that the protocol's times are what a browser sees, less drawing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_server import Server, cpu_seconds, driver_cpu, machine_busy_seconds, rss_bytes, serving  # noqa: E402
from load_user import SCRIPT_KINDS, Recorder, VirtualUser  # noqa: E402

from kafka_advisor.loader import KnowledgeBase, load_answers_file, load_kb  # noqa: E402
from kafka_advisor.model import AnswerValue  # noqa: E402

LOG_DIR = ROOT / "test-artifacts"
SCENARIO = ROOT / "examples" / "order-platform-good-fit.yaml"
MiB = 1024 * 1024


def pct(xs: list[float], q: float) -> float:
    """Percentile with linear interpolation (q in 0..100); NaN when there are no samples."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


@dataclass
class Phase:
    name: str
    sessions: int
    think: float
    rec: Recorder
    wall: float
    server_cpu: float  # the streamlit process itself, seconds
    child_cpu: float  # its children (dot), seconds
    driver_cpu: float
    other_cpu: float  # every other process on the machine (other people's work shares these 2 cores)
    rss_before: int
    rss_end: int  # every session of the phase still connected
    rss_peak: int
    idle_cores: float = 0.0  # what the server burns with no session at all (Streamlit's file polling)

    @property
    def interactions(self) -> int:
        return self.rec.count()

    def p(self, q: float, kind: str | None = None) -> float:
        xs = self.rec.script_runs() if kind is None else self.rec.samples[kind]
        return pct(xs, q) * 1000

    def cpu_ms(self) -> float:
        """Server CPU per interaction, less what the idle server would have spent in the same time."""
        busy = self.server_cpu + self.child_cpu - self.idle_cores * self.wall
        return max(busy, 0.0) * 1000 / max(self.interactions, 1)

    def dot_ms(self) -> float:
        return self.child_cpu * 1000 / max(self.interactions, 1)

    def cores(self) -> float:
        return (self.server_cpu + self.child_cpu) / self.wall

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "sessions": self.sessions, "interactions": self.interactions,
                "errors": len(self.rec.errors), "leaks": len(self.rec.leaks), "walks": self.rec.walks,
                "p50_ms": self.p(50), "p95_ms": self.p(95), "cpu_ms_per_interaction": self.cpu_ms(),
                "server_cores": self.cores(), "rss_growth_mib": (self.rss_end - self.rss_before) / MiB,
                "wall_s": self.wall}


def run_id() -> str:
    return "".join(random.choices(string.ascii_uppercase + string.digits, k=4))


async def idle_rate(server: Server, seconds: float) -> float:
    """Cores the server uses with no interaction going on."""
    (a, _), t0 = cpu_seconds(server.proc.pid), time.monotonic()
    await asyncio.sleep(seconds)
    return (cpu_seconds(server.proc.pid)[0] - a) / (time.monotonic() - t0)


async def run_phase(server: Server, kb: KnowledgeBase, scenario: dict[str, AnswerValue], *, name: str, sessions: int,
                    think: float, duration: float, max_walks: int | None = None, idle: float = 0.0) -> Phase:
    pid, rec, hold = server.proc.pid, Recorder(), asyncio.Event()
    rid = run_id()
    t0 = time.monotonic()
    deadline = t0 + (duration if max_walks is None else 24 * 3600)
    users = [VirtualUser(server.url, kb, scenario, rec, index=i, run_id=rid, think=think, deadline=deadline,
                         max_walks=max_walks, seed=random.randrange(1000)) for i in range(sessions)]
    spread = min(max(2 * think, 0.05 * sessions), duration / 4)  # people arrive over a few seconds, not at once
    rss_before, (cpu0, child0), drv0, busy0 = rss_bytes(pid), cpu_seconds(pid), driver_cpu(), machine_busy_seconds()
    peak = rss_before

    async def start(u: VirtualUser, delay: float) -> None:
        await asyncio.sleep(delay)
        await u.run(hold)

    tasks = [asyncio.create_task(start(u, spread * i / sessions)) for i, u in enumerate(users)]
    while not all(u.finished.is_set() for u in users):
        await asyncio.sleep(0.5)
        peak = max(peak, rss_bytes(pid))
    wall = time.monotonic() - t0
    (cpu1, child1), drv1, busy1, rss_end = cpu_seconds(pid), driver_cpu(), machine_busy_seconds(), rss_bytes(pid)
    hold.set()
    await asyncio.gather(*tasks)
    other = (busy1 - busy0) - (cpu1 - cpu0) - (child1 - child0) - (drv1 - drv0)
    return Phase(name, sessions, think, rec, wall, cpu1 - cpu0, child1 - child0, drv1 - drv0, max(other, 0.0),
                 rss_before, rss_end, max(peak, rss_end), idle)


# --------------------------------------------------------------------------- report


def fmt(x: float, digits: int = 0) -> str:
    return "–" if x != x else f"{x:,.{digits}f}"  # NaN (no samples) as a dash


def main_table(one: Phase, many: Phase, p95_ratio_target: float) -> list[str]:
    n = many.sessions
    r50, r95 = many.p(50) / one.p(50), many.p(95) / one.p(95)
    errors_ok = not many.rec.errors and not one.rec.errors
    leaks_ok = not many.rec.leaks and not one.rec.leaks
    rss = (many.rss_end - many.rss_before) / MiB / n
    rows = [
        f"| measure | 1 session | {n} sessions | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
        f"| interactions (walks completed) | {one.interactions} ({one.rec.walks}) | {many.interactions} "
        f"({many.rec.walks}) | | | |",
        f"| errors | {len(one.rec.errors)} | {len(many.rec.errors)} | | 0 | {'met' if errors_ok else 'missed'} |",
        f"| cross-session leaks | {len(one.rec.leaks)} | {len(many.rec.leaks)} | | 0 | "
        f"{'met' if leaks_ok else 'missed'} |",
        f"| server response p50, ms | {fmt(one.p(50))} | {fmt(many.p(50))} | {r50:.2f} | | |",
        f"| server response p95, ms | {fmt(one.p(95))} | {fmt(many.p(95))} | {r95:.2f} | ≤ {p95_ratio_target:g}x | "
        f"{'met' if r95 <= p95_ratio_target else 'missed'} |",
        f"| Markdown export p50 / p95, ms | {fmt(one.p(50, 'export'))} / {fmt(one.p(95, 'export'))} | "
        f"{fmt(many.p(50, 'export'))} / {fmt(many.p(95, 'export'))} | | | |",
        f"| server CPU per interaction, ms, net of idle (of it `dot`) | {fmt(one.cpu_ms(), 1)} ({fmt(one.dot_ms(), 1)}) | "
        f"{fmt(many.cpu_ms(), 1)} ({fmt(many.dot_ms(), 1)}) | | | |",
        f"| server CPU busy, cores of 2 (idle server: {one.idle_cores:.3f}) | {one.cores():.2f} | {many.cores():.2f} "
        "| | | |",
        f"| driver CPU per interaction, ms | {fmt(one.driver_cpu * 1000 / max(one.interactions, 1), 1)} | "
        f"{fmt(many.driver_cpu * 1000 / max(many.interactions, 1), 1)} | | | |",
        f"| other processes' CPU, cores (others' work on this machine) | {one.other_cpu / one.wall:.2f} | "
        f"{many.other_cpu / many.wall:.2f} | | | |",
        f"| server RSS growth per session, MiB (peak growth / N) | | {rss:.1f} "
        f"({(many.rss_peak - many.rss_before) / MiB / n:.1f}) | | | |",
        f"| server RSS at the end, MiB | {one.rss_end / MiB:.0f} | {many.rss_end / MiB:.0f} | | | |",
    ]
    return rows


def kinds_table(one: Phase, many: Phase) -> list[str]:
    rows = [f"| interaction | count (1) | p50 (1) | p95 (1) | count ({many.sessions}) | p50 ({many.sessions}) "
            f"| p95 ({many.sessions}) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in (*SCRIPT_KINDS, "export"):
        rows.append(f"| {kind} | {len(one.rec.samples[kind])} | {fmt(one.p(50, kind))} | {fmt(one.p(95, kind))} | "
                    f"{len(many.rec.samples[kind])} | {fmt(many.p(50, kind))} | {fmt(many.p(95, kind))} |")
    return rows


def ramp_table(points: list[Phase], limit_ms: float, cap: int) -> list[str]:
    rows = ["| sessions | interactions | errors | leaks | p50 ms | p95 ms | server CPU, cores | CPU ms per interaction "
            "| others' CPU, cores | p95 ≤ 1 s |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for ph in points:
        rows.append(f"| {ph.sessions} | {ph.interactions} | {len(ph.rec.errors)} | {len(ph.rec.leaks)} | "
                    f"{fmt(ph.p(50))} | {fmt(ph.p(95))} | {ph.cores():.2f} | {fmt(ph.cpu_ms(), 1)} | "
                    f"{ph.other_cpu / ph.wall:.2f} | {'yes' if ph.p(95) <= limit_ms else 'no'} |")
    over = next((ph.sessions for ph in points if ph.p(95) > limit_ms), None)
    under = [ph.sessions for ph in points if ph.p(95) <= limit_ms]
    rows.append("")
    if over is None:
        rows.append(f"p95 stayed within {limit_ms / 1000:g} s up to {max(under)} sessions (the ramp's cap is {cap}).")
    else:
        rows.append(f"p95 first exceeds {limit_ms / 1000:g} s at **{over} sessions** "
                    f"(last count within it: {max(under) if under else 'none'}).")
    return rows


def browser_table(b: dict[str, Any]) -> list[str]:
    pinned = "server on one core, Chromium and the driver on the other" if b["pinned"] else "not pinned"
    return [f"\nBrowser check: one session, wizard Next, median of {b['clicks']} ({pinned}):\n",
            "| measure | ms | ratio to the driver |", "|---|---:|---:|",
            f"| Chromium: click to updated page | {b['browser_ms']:.0f} | {b['browser_ms'] / b['protocol_ms']:.2f} |",
            f"| Chromium: BackMsg sent to last ForwardMsg read (DevTools) | {b['browser_wire_ms']:.0f} | "
            f"{b['browser_wire_ms'] / b['protocol_ms']:.2f} |",
            f"| server: Chromium's own BackMsg replayed, to script_finished | {b['replay_ms']:.0f} | "
            f"{b['replay_ms'] / b['protocol_ms']:.2f} |",
            f"| server: the driver's BackMsg, to script_finished | {b['protocol_ms']:.0f} | 1.00 |",
            "", "Chromium downloading the Markdown export from the results page (complete files / clicks): "
            f"alone {b['downloads_alone'][0]} / {b['downloads_alone'][1]}; while 4 protocol sessions walk the wizard "
            f"without think time {b['downloads_busy'][0]} / {b['downloads_busy'][1]}."]


def error_kinds(errors: list[str]) -> Counter[str]:
    """Errors grouped by what went wrong: without the user and walk, with ids masked."""
    return Counter(re.sub(r"[0-9a-f]{16,}", "#", e.split(": ", 1)[-1]) for e in errors)


def print_errors(phases: list[Phase]) -> None:
    lines: list[str] = []
    for ph in {id(p): p for p in phases}.values():  # the 1- and N-session runs are also ramp points
        for kind, n in error_kinds(ph.rec.errors).most_common():
            lines.append(f"- {ph.name}: {n} x {kind}")
        lines += [f"- {ph.name}: leak: {leak}" for leak in ph.rec.leaks[:5]]
    if lines:
        print("\nErrors and leaks by kind:\n")
        print("\n".join(lines))


# --------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, help="concurrent sessions of the main run (default 50; quick 5)")
    ap.add_argument("--duration", type=float, help="seconds of the main run (default 300; quick 20)")
    ap.add_argument("--think", type=float, help="mean think time between interactions, s (default 2; quick 0.2)")
    ap.add_argument("--ramp", help="session counts of the ramp, comma-separated (default 1,10,25,50,75,100,150,200)")
    ap.add_argument("--stage-duration", type=float, help="seconds per ramp stage (default 120; quick 15)")
    ap.add_argument("--baseline-walks", type=int, help="whole walks of the 1-session baseline (default 2; quick 1)")
    ap.add_argument("--closed-loop", type=int, default=4, help="sessions of the closed loop (no think time)")
    ap.add_argument("--closed-duration", type=float, help="seconds of the closed loop (default 30; quick 10)")
    ap.add_argument("--browser-clicks", type=int, help="Next clicks timed in Chromium and by protocol (default 16)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium comparison")
    ap.add_argument("--scenario", type=Path, default=SCENARIO, help="answers file the users walk with")
    ap.add_argument("--server-flags", default="", help="more `streamlit run` flags, e.g. '--runner.postScriptGC false'")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here (for bench/run_all.py)")
    ap.add_argument("--quick", action="store_true", help="a short smoke run (about 2 minutes)")
    args = ap.parse_args()
    quick = args.quick
    defaults = {"sessions": (50, 5), "duration": (300.0, 20.0), "think": (2.0, 0.2), "stage_duration": (120.0, 15.0),
                "ramp": ("1,10,25,50,75,100,150,200", "1,5,10"), "baseline_walks": (2, 1),
                "closed_duration": (30.0, 10.0), "browser_clicks": (16, 8)}
    for name, (full, short) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    return args


async def load_phases(args: argparse.Namespace, kb: KnowledgeBase, scenario: dict[str, AnswerValue]) \
        -> tuple[Phase, Phase, Phase, list[Phase]]:
    limit_ms = 1000.0
    extra = args.server_flags.split()
    with serving(LOG_DIR / "bench-load-a.log", extra=extra) as server:
        await run_phase(server, kb, scenario, name="warm-up", sessions=1, think=0, duration=0, max_walks=1)
        idle = await idle_rate(server, 3 if args.quick else 10)
        one = await run_phase(server, kb, scenario, name="1 session", sessions=1, think=args.think, duration=0,
                              max_walks=args.baseline_walks, idle=idle)
        many = await run_phase(server, kb, scenario, name=f"{args.sessions} sessions", sessions=args.sessions,
                               think=args.think, duration=args.duration, idle=idle)
    points: list[Phase] = []
    with serving(LOG_DIR / "bench-load-b.log", extra=extra) as server:
        await run_phase(server, kb, scenario, name="warm-up", sessions=1, think=0, duration=0, max_walks=1)
        closed = await run_phase(server, kb, scenario, name="closed loop", sessions=args.closed_loop, think=0,
                                 duration=args.closed_duration, idle=idle)
        over = False  # once p95 passes the limit, larger counts are not run (the measured 1 and N still show)
        for n in sorted({int(x) for x in args.ramp.split(",")} | {1, args.sessions}):
            if n in (1, args.sessions):
                ph = one if n == 1 else many
            elif over:
                continue
            else:
                ph = await run_phase(server, kb, scenario, name=f"ramp {n}", sessions=n, think=args.think,
                                     duration=args.stage_duration, idle=idle)
            points.append(ph)
            print(f"  ramp {n}: p95 {ph.p(95):.0f} ms, {len(ph.rec.errors)} errors", file=sys.stderr)
            over = over or ph.p(95) > limit_ms
    return one, many, closed, points


def main() -> int:
    # SIGTERM (a stopped `make bench`) unwinds like Ctrl-C, so the servers' process groups are killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    kb = load_kb()
    scenario = load_answers_file(kb, args.scenario)[1]
    started = time.monotonic()
    one, many, closed, points = asyncio.run(load_phases(args, kb, scenario))
    browser = None
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        from load_browser import browser_vs_protocol

        browser = browser_vs_protocol(kb, scenario, args.browser_clicks, LOG_DIR / "bench-load-c.log")
    runtime = time.monotonic() - started

    print(f"Load test: `{args.scenario.relative_to(ROOT) if args.scenario.is_relative_to(ROOT) else args.scenario}`, "
          f"think time {args.think:g} s (±50 %), {many.sessions} sessions for {args.duration:g} s; "
          f"{os.cpu_count()} cores; whole run {runtime:.0f} s"
          f"{'; server flags ' + args.server_flags if args.server_flags else ''}.\n")
    print("\n".join(main_table(one, many, 2.0)))
    print("\nResponse time per kind of interaction, ms (export: click to file received, over HTTP):\n")
    print("\n".join(kinds_table(one, many)))
    print(f"\nRamp ({args.stage_duration:g} s per stage; the 1- and {many.sessions}-session rows are the runs above):\n")
    print("\n".join(ramp_table(points, 1000.0, max([args.sessions, *(int(x) for x in args.ramp.split(","))]))))
    print(f"\nClosed loop: {closed.sessions} sessions without think time for {closed.wall:.0f} s: "
          f"**{closed.interactions / closed.wall:.1f} interactions/s**, p50 {fmt(closed.p(50))} ms, "
          f"p95 {fmt(closed.p(95))} ms, server CPU {closed.cores():.2f} cores, {fmt(closed.cpu_ms(), 1)} ms CPU per "
          f"interaction, {len(closed.rec.errors)} errors, {len(closed.rec.leaks)} leaks.")
    if browser is not None:
        print("\n".join(browser_table(browser)))
    print_errors([one, many, closed, *points])
    if args.json:
        args.json.write_text(json.dumps({
            "one": one.summary(), "many": many.summary(), "closed": closed.summary(),
            "closed_throughput": closed.interactions / closed.wall, "ramp": [p.summary() for p in points],
            "browser": browser, "runtime_s": runtime}, indent=2))
    ok = not (one.rec.errors or many.rec.errors or one.rec.leaks or many.rec.leaks)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
