"""The hostile-input corpus: every case is one clear line, in the CLI and in the app's upload.

Layout of tests/bad_inputs/ (see its README.md):
- answers/NAME.yaml + answers/NAME.err: an answers file and the one line `evaluate` must print;
  `{file}` in the golden stands for the path as given. The same bytes go through the app's upload.
- answers/NAME.err without a .yaml: the bytes come from generated.py (too big or too odd to commit).
- kb/NAME.yaml + kb/NAME.err: a knowledge-base file; its first line `# target: rules/x.yaml` says
  where it goes in a copy of the shipped knowledge base, and `validate` must print the golden line.
- fs/NAME.err: file-system cases set up by FS_CASES below (FIFOs, devices, permissions, full disks);
  they run inside their temporary folder, so paths in the goldens are relative to it.

The CLI runs in a subprocess under a 256 MB address-space cap and a time limit, so a blow-up fails
the test instead of the machine. Set UPDATE_BAD_INPUTS=1 to write missing goldens (review them!).
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from generated import GENERATED

from kafka_advisor.loader import KnowledgeBase, parse_answers
from kafka_advisor.yamlsource import MAX_LINE, AdvisorError, parse_bytes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "bad_inputs"
GOOD = ROOT / "examples" / "order-platform-good-fit.yaml"
MEMORY_CAP = 256 * 2**20  # address space: the interpreter and libraries take about 60 MB of it
TIME_LIMIT = 20  # seconds; generous for a loaded CI machine, the cases take well under 1 s
UPDATE = os.environ.get("UPDATE_BAD_INPUTS") == "1"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file-size limit must fail a write, not kill


def cli(*args: str, stdout: int | None = subprocess.PIPE, preexec: Callable[[], None] = _limits,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess. Tests run it inside their temporary folder with relative paths, so
    an error line (cut at 300 characters) is the same whatever the folder is called."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kafka_advisor", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=TIME_LIMIT, preexec_fn=preexec, cwd=cwd, env=env, check=False)


def one_line_error(out: subprocess.CompletedProcess[str], lines: int = 1) -> str:
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    got = out.stderr.rstrip("\n").split("\n")
    assert out.returncode == 2, (out.returncode, out.stderr[-2000:])
    assert len(got) == lines, out.stderr[-2000:]
    assert all(len(line) <= MAX_LINE for line in got), [len(line) for line in got]
    return got[0]


def check_golden(golden: Path, actual: str) -> None:
    if UPDATE and not golden.exists():
        golden.write_text(actual + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden {golden.name}; run with UPDATE_BAD_INPUTS=1 and review it"
    assert actual == golden.read_text(encoding="utf-8").rstrip("\n")


# --------------------------------------------------------------------------- answers files


def _answer_cases() -> list[str]:
    files = {p.stem for p in (CORPUS / "answers").glob("*.yaml")}
    return sorted(files | {n for n in GENERATED if not n.startswith("kb-")})


def _answer_bytes(name: str) -> bytes:
    path = CORPUS / "answers" / f"{name}.yaml"
    return path.read_bytes() if path.exists() else GENERATED[name]()


def test_corpus_is_complete() -> None:
    goldens = {p.stem for p in (CORPUS / "answers").glob("*.err")}
    assert set(_answer_cases()) == goldens, "every answers case needs a golden, every golden a case"
    kb_goldens = {p.stem for p in (CORPUS / "kb").glob("*.err")}
    assert set(_kb_cases()) == kb_goldens, "every kb case needs a golden, every golden a case"
    files = {p.stem for p in (CORPUS / "answers").glob("*.yaml")}
    assert not (files & set(GENERATED)), "a case is both a file and generated"
    assert {p.stem for p in (CORPUS / "fs").glob("*.err")} == set(FS_CASES)
    total = len(goldens) + len(kb_goldens) + len(FS_CASES)
    assert total >= 80, total


@pytest.mark.parametrize("name", _answer_cases())
def test_answers_case_in_cli(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(_answer_bytes(name))
    line = one_line_error(cli("evaluate", path.name, "--no-what-if", cwd=tmp_path))
    check_golden(CORPUS / "answers" / f"{name}.err", line.replace(path.name, "{file}", 1))


@pytest.mark.parametrize("name", _answer_cases())
def test_answers_case_in_process_budget(kb: KnowledgeBase, name: str) -> None:
    """The upload path's parser itself: the same line, within 1 s and 200 MB of Python allocations."""
    raw = _answer_bytes(name)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(AdvisorError) as err:
            parse_answers(kb, parse_bytes(raw, f"{name}.yaml"))  # the CLI's limits; the upload's are tighter
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    golden = (CORPUS / "answers" / f"{name}.err").read_text(encoding="utf-8").rstrip("\n")
    assert err.value.one_line() == golden.replace("{file}", f"{name}.yaml")
    assert elapsed < 5, elapsed  # the budget is 1 s (bench/bench_core.py measures it); 5 s absorbs CI noise
    assert peak < 200 * 2**20, peak


# --------------------------------------------------------------------------- knowledge base files


def _kb_cases() -> list[str]:
    files = {p.stem for p in (CORPUS / "kb").glob("*.yaml")}
    return sorted(files | {n.removeprefix("kb-") for n in GENERATED if n.startswith("kb-")})


def copy_kb(dest: Path) -> Path:
    for sub in ("questions", "rules", "patterns"):
        shutil.copytree(ROOT / sub, dest / sub)
    return dest


@pytest.mark.parametrize("name", _kb_cases())
def test_kb_case_in_validate(tmp_path: Path, name: str) -> None:
    source = CORPUS / "kb" / f"{name}.yaml"
    raw = source.read_bytes() if source.exists() else GENERATED[f"kb-{name}"]()
    first = raw.split(b"\n", 1)[0].decode()
    assert first.startswith("# target: "), f"{source.name}: first line must be '# target: <folder>/<file>'"
    root = copy_kb(tmp_path / "kb")
    target = root / first.removeprefix("# target: ").strip()
    target.write_bytes(raw)
    out = cli("--kb", root.name, "validate", cwd=root.parent)
    line = one_line_error(out, lines=2)
    assert out.stderr.rstrip("\n").split("\n")[1] == "kafka-advisor: knowledge base has 1 error(s)"
    check_golden(CORPUS / "kb" / f"{name}.err", line)


# --------------------------------------------------------------------------- file system


def _no_dac_override() -> None:
    """As root, drop the capabilities that bypass file permissions, so 'permission denied' is real."""
    _limits()
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone for the exec'd program too
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _fsize_limit() -> None:
    _limits()
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # a disk that fills after 4 KiB


def _fs_permission_dir(d: Path) -> tuple[list[str], dict]:
    locked = d / "locked"
    locked.mkdir()
    shutil.copy(GOOD, locked / "a.yaml")
    locked.chmod(0)
    return ["evaluate", str(locked / "a.yaml")], {"preexec": _no_dac_override}


def _fs_permission_file(d: Path) -> tuple[list[str], dict]:
    f = d / "secret.yaml"
    shutil.copy(GOOD, f)
    f.chmod(0)
    return ["evaluate", str(f)], {"preexec": _no_dac_override}


def _fs_fifo(d: Path) -> tuple[list[str], dict]:
    os.mkfifo(d / "pipe.yaml")  # no writer: reading it would block forever
    return ["evaluate", str(d / "pipe.yaml")], {}


def _fs_long_name(d: Path) -> tuple[list[str], dict]:
    return ["evaluate", str(d / ("n" * 300 + ".yaml"))], {}


def _fs_output_fifo(d: Path) -> tuple[list[str], dict]:
    os.mkfifo(d / "out.md")
    return ["export", str(GOOD), "--to", "md", "-o", str(d / "out.md")], {}


def _fs_output_symlink_to_fifo(d: Path) -> tuple[list[str], dict]:
    os.mkfifo(d / "pipe")
    (d / "link.md").symlink_to(d / "pipe")
    return ["export", str(GOOD), "--to", "md", "-o", str(d / "link.md")], {}


def _fs_full_disk_output(d: Path) -> tuple[list[str], dict]:
    return ["export", str(GOOD), "--to", "md", "-o", str(d / "report.md")], {"preexec": _fsize_limit}


def _fs_output_parent_missing(d: Path) -> tuple[list[str], dict]:
    return ["export", str(GOOD), "--to", "md", "-o", str(d / "no" / "such" / "dir" / "r.md")], {}


def _fs_device(dev: str) -> Callable[[Path], tuple[list[str], dict]]:
    return lambda d: (["evaluate", dev], {})


def _fs_output_device(d: Path) -> tuple[list[str], dict]:
    return ["export", str(GOOD), "--to", "md", "-o", "/dev/null"], {}


def _fs_stdout_full(d: Path) -> tuple[list[str], dict]:
    return ["evaluate", str(GOOD), "--no-what-if"], {"stdout": "/dev/full"}


def _fs_export_stdout_full(d: Path) -> tuple[list[str], dict]:
    return ["export", str(GOOD), "--to", "md", "-o", "-"], {"stdout": "/dev/full"}


def _fs_kb_folder_unreadable(d: Path) -> tuple[list[str], dict]:
    root = copy_kb(d / "kb")
    (root / "patterns").chmod(0)
    return ["--kb", str(root), "validate"], {"preexec": _no_dac_override}


FS_CASES: dict[str, Callable[[Path], tuple[list[str], dict]]] = {
    "permission-denied-folder": _fs_permission_dir,
    "permission-denied-file": _fs_permission_file,
    "fifo-without-writer": _fs_fifo,
    "name-too-long": _fs_long_name,
    "dev-zero": _fs_device("/dev/zero"),
    "dev-urandom": _fs_device("/dev/urandom"),
    "output-fifo": _fs_output_fifo,
    "output-symlink-to-fifo": _fs_output_symlink_to_fifo,
    "output-device": _fs_output_device,
    "output-file-size-limit": _fs_full_disk_output,
    "output-parent-missing": _fs_output_parent_missing,
    "stdout-full-disk": _fs_stdout_full,
    "export-stdout-full-disk": _fs_export_stdout_full,
    "kb-folder-unreadable": _fs_kb_folder_unreadable,
}


@pytest.mark.parametrize("name", sorted(FS_CASES))
def test_file_system_case(tmp_path: Path, name: str) -> None:
    args, opts = FS_CASES[name](tmp_path)
    args = [a.replace(f"{tmp_path}/", "") for a in args]  # relative to the test's folder, where it runs
    opts["cwd"] = tmp_path
    target = opts.pop("stdout", None)
    lines = 2 if args[0] == "--kb" else 1
    try:
        if target is not None:
            with open(target, "w") as sink:
                out = cli(*args, stdout=sink.fileno(), **opts)
        else:
            out = cli(*args, **opts)
        line = one_line_error(out, lines=lines)
    finally:
        for p in tmp_path.rglob("*"):  # let pytest clean up what we locked
            if not p.is_symlink():
                p.chmod(0o755)
    check_golden(CORPUS / "fs" / f"{name}.err", line)
    for fifo in ("out.md", "pipe"):  # refused, never replaced by a regular file
        if (tmp_path / fifo).exists() or (tmp_path / fifo).is_symlink():
            assert (tmp_path / fifo).is_fifo()
    assert not list(tmp_path.glob(".report.md.*")), "a failed export left a temporary file behind"


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    out = cli("export", str(GOOD), "--to", "md", "-o", str(link))
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8").startswith("# Kafka Pattern Advisor report")
