"""The server under load: `streamlit run app.py` on a free loopback port, read through /proc."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_browser import STREAMLIT_FLAGS, free_port, stop  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]


def makefile_flags() -> list[str]:
    """The Makefile's STREAMLIT_FLAGS (what `make run` serves with), less the port; the tests' copy if unreadable."""
    m = re.search(r"^STREAMLIT_FLAGS\s*:?=\s*((?:.*\\\n)*.*)$", (ROOT / "Makefile").read_text(), re.M)
    flags = m.group(1).replace("\\\n", " ").split() if m else []
    if "--server.port" in flags:
        i = flags.index("--server.port")
        del flags[i:i + 2]
    return flags if flags and not any("$(" in f for f in flags) else list(STREAMLIT_FLAGS)


def streamlit_bin() -> list[str]:
    exe = Path(sys.executable).parent / "streamlit"  # .venv/bin/streamlit when run with .venv/bin/python
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "streamlit"]


@contextlib.contextmanager
def serving(log: Path, script: Path = ROOT / "app.py", cpus: str | None = None,
            extra: list[str] | None = None) -> Iterator[Server]:
    """The app in its own process group (teardown kills the group), ready once /_stcore/health says ok;
    `cpus` (a taskset list such as "0") pins it, and its threads and children, to those cores; `extra`
    are more `streamlit run` flags (for experiments, such as `--runner.postScriptGC false`)."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    pin = ["taskset", "-c", cpus] if cpus else []  # taskset execs the command: the pid stays the server's
    with log.open("wb") as out:
        proc = subprocess.Popen([*pin, *streamlit_bin(), "run", str(script), "--server.port", str(port),
                                 *makefile_flags(), *(extra or [])],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not become healthy in 60 s; see {log}")
            time.sleep(0.05)
        yield Server(url, proc)
    finally:
        stop(proc)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(the process's own user+system CPU, that of its reaped children such as `dot`), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / TICKS, (cutime + cstime) / TICKS


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait), from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICKS


def driver_cpu() -> float:
    t = os.times()
    return t.user + t.system
