"""Every benchmark in one run, and one table of what that run measured.

Run: `.venv/bin/python bench/run_all.py` (about 30 minutes: the load test is 20 of them) or
`--quick` (short settings everywhere, about 5 minutes). Each bench runs alone, one after the other,
in its own process (so none competes with another for the 2 cores), and prints its own tables as
usual; this script prints the machine, one combined markdown table, then each bench's full output.

Benches: bench_core.py, bench_exports.py, bench_ui.py, bench_load.py, and any other bench/bench_*.py
(shown in full; the combined table says whether it ran).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
KNOWN = ["bench_core.py", "bench_exports.py", "bench_ui.py", "bench_load.py"]  # in this order, then the rest
QUICK_ARGS = {"bench_exports.py": ["--runs", "2"], "bench_ui.py": ["--clicks", "6", "--starts", "1"],
              "bench_load.py": ["--quick"]}
Row = tuple[str, str, str, str]  # measurement, measured, target, result


@dataclass
class Result:
    name: str
    code: int
    seconds: float
    stdout: str
    stderr: str
    extra: dict[str, Any]


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0) if Path("/proc/meminfo").exists() else 0
    try:
        from importlib.metadata import version

        streamlit = version("streamlit")
    except Exception:  # the table is still useful without it
        streamlit = "?"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"Machine: {model}, {os.cpu_count()} cores, {mem / 2**20:.1f} GiB memory; Python "
            f"{platform.python_version()}, Streamlit {streamlit}; {datetime.datetime.now():%Y-%m-%d %H:%M}; "
            f"load average {load:.1f} at the start.")


def tables(text: str) -> list[list[dict[str, str]]]:
    """The markdown tables in a bench's output, each as a list of rows keyed by the header cells."""
    out: list[list[dict[str, str]]] = []
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
            continue
        if len(block) >= 2:
            out.append([dict(zip(block[0], row, strict=False)) for row in block[2:]])
        block = []
    return out


# --------------------------------------------------------------------------- rows from each bench


def core_rows(r: Result) -> list[Row]:
    return [(t["measurement"], f"{float(t['median ms']):,.3f} ms", t["target"], t["result"])
            for t in tables(r.stdout)[0] if t["target"] != "-"]


def exports_rows(r: Result) -> list[Row]:
    return [(f"export {t['format']} ({t['size']}), warm median", f"{t['warm median (ms)']} ms",
             f"≤ {t['target (ms)']} ms", "met" if t["warm within target"] == "yes" else "missed")
            for t in tables(r.stdout)[0]]


def ui_rows(r: Result) -> list[Row]:
    rows = []
    for t in tables(r.stdout)[0]:
        target = re.sub(r"\s*\((met|missed)\)", "", t["target"])
        result = "met" if "(met)" in t["target"] else "missed" if "(missed)" in t["target"] else ""
        rows.append((t["measure"], f"{t['advisor']} vs bare {t['bare app']} ({t['ratio']}x)", target, result))
    return rows


def load_rows(r: Result) -> list[Row]:
    j = r.extra
    if not j:
        return [("load test", "no results", "", "missed")]
    one, many, ramp, n = j["one"], j["many"], j["ramp"], j["many"]["sessions"]
    ratio = many["p95_ms"] / one["p95_ms"]
    over = next((p["sessions"] for p in ramp if p["p95_ms"] > 1000), None)
    rows: list[Row] = [
        (f"errors, {n} sessions for {many['wall_s']:.0f} s", str(many["errors"]), "0", "met" if not many["errors"] else "missed"),
        (f"cross-session leaks, {n} sessions", str(many["leaks"]), "0", "met" if not many["leaks"] else "missed"),
        (f"server response p95, {n} sessions vs 1", f"{many['p95_ms']:,.0f} vs {one['p95_ms']:,.0f} ms ({ratio:.2f}x)",
         "≤ 2x", "met" if ratio <= 2 else "missed"),
        (f"server response p50, {n} sessions vs 1", f"{many['p50_ms']:,.0f} vs {one['p50_ms']:,.0f} ms", "-", ""),
        (f"server CPU per interaction, {n} sessions", f"{many['cpu_ms_per_interaction']:.1f} ms", "-", ""),
        (f"server memory per session, {n} sessions", f"{many['rss_growth_mib'] / n:.1f} MiB", "-", ""),
        ("sessions at which p95 exceeds 1 s", str(over) if over else f"not reached by {ramp[-1]['sessions']}", "-", ""),
        (f"closed loop, {j['closed']['sessions']} sessions without think time", f"{j['closed_throughput']:.1f} interactions/s",
         "-", ""),
    ]
    b = j.get("browser")
    if b:
        rows.append(("wizard Next: server time for Chromium's BackMsg vs the driver's",
                     f"{b['replay_ms']:.0f} vs {b['protocol_ms']:.0f} ms ({b['replay_ms'] / b['protocol_ms']:.2f}x)", "≈ 1x", ""))
        rows.append(("wizard Next: Chromium click to page vs the driver's server time",
                     f"{b['browser_ms']:.0f} vs {b['protocol_ms']:.0f} ms ({b['browser_ms'] / b['protocol_ms']:.1f}x)", "-", ""))
    return rows


EXTRACT: dict[str, Callable[[Result], list[Row]]] = {
    "bench_core.py": core_rows, "bench_exports.py": exports_rows, "bench_ui.py": ui_rows, "bench_load.py": load_rows}


# --------------------------------------------------------------------------- main


def run(name: str, quick: bool) -> Result:
    cmd = [sys.executable, str(BENCH / name), *(QUICK_ARGS.get(name, []) if quick else [])]
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "summary.json"
        if name == "bench_load.py":
            cmd += ["--json", str(summary)]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=BENCH.parent)
        seconds = time.monotonic() - t0
        if summary.exists():
            extra = json.loads(summary.read_text())
    return Result(name, done.returncode, seconds, done.stdout, done.stderr, extra)


def combined(results: list[Result]) -> list[str]:
    lines = ["| bench | measurement | measured | target | result |", "|---|---|---|---|---|"]
    for r in results:
        bench = r.name.removesuffix(".py")
        try:
            rows = EXTRACT[r.name](r) if r.name in EXTRACT else [("ran", f"{r.seconds:.0f} s", "-", "")]
        except (IndexError, KeyError, ValueError, ZeroDivisionError) as exc:  # output not as expected
            rows = [("its output could not be read", type(exc).__name__, "-", "missed")]
        if not r.stdout.strip():
            rows = [("failed", f"exit code {r.code}", "-", "missed")]
        lines += [f"| {bench} | {m} | {v} | {t} | {res} |" for m, v, t, res in rows]
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short settings for every bench (a smoke run)")
    ap.add_argument("--only", nargs="*", help="run only these bench files (e.g. bench_core.py)")
    args = ap.parse_args()
    found = sorted(p.name for p in BENCH.glob("bench_*.py"))
    names = [n for n in KNOWN if n in found] + [n for n in found if n not in KNOWN]
    if args.only:
        names = [n for n in names if n in args.only]
    head = machine()
    started = time.monotonic()
    results = [run(name, args.quick) for name in names]
    print(f"{head} Whole run {time.monotonic() - started:.0f} s"
          f"{' (--quick: short settings)' if args.quick else ''}: "
          + ", ".join(f"{r.name} {r.seconds:.0f} s" for r in results) + ".\n")
    print("\n".join(combined(results)))
    for r in results:
        print(f"\n### {r.name} (exit {r.code}, {r.seconds:.0f} s)\n")
        print(r.stdout.rstrip() or "(no output)")
        if r.code not in (0, 1) or not r.stdout.strip():
            print("\nstderr (last lines):\n\n" + "\n".join(r.stderr.rstrip().splitlines()[-15:]))
    # bench_load exits 1 when a load target is missed; a crash anywhere (no output) fails the run.
    return 1 if any(not r.stdout.strip() or r.code not in (0, 1) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
