"""`kafka-advisor export ANSWERS.yaml --to FORMAT -o PATH [--checked ID,ID]`.

Every bad input (missing file, unknown format, unknown --checked id, unwritable path, no `dot`)
is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from .engine import evaluate
from .exports import EXPORTERS, ExportContext, export
from .loader import KnowledgeBase, load_answers_doc
from .yamlsource import AdvisorError, file_kind, os_problem

PROG = "kafka-advisor export"


def add_parser(subparsers: Any) -> None:
    """Add the `export` subcommand to the main CLI's subparsers."""
    p = subparsers.add_parser("export", help="export a report: " + ", ".join(EXPORTERS),
                              description="Evaluate an answers file and write the report in one format.")
    p.add_argument("answers", type=Path,
                   help="answers YAML (title: ..., answers: {question_id: value}, optional inventory: ...)")
    # No argparse `choices`: an unknown format must be our one-line error, not a usage dump.
    p.add_argument("--to", dest="to", required=True, metavar="FORMAT", help="one of: " + ", ".join(EXPORTERS))
    p.add_argument("-o", "--output", type=Path, metavar="PATH",
                   help="file to write (default: standard output; '-' also means standard output)")
    p.add_argument("--checked", default="", metavar="ID,ID", help="checklist item ids to mark as done")
    p.add_argument("--show-discouraged", action="store_true",
                   help="draw discouraged patterns in the diagram (dashed red, with the alternative)")


def run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    try:
        data = _export(args, kb)
        _write(data, args.output)
    except AdvisorError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    return 0


def _export(args: argparse.Namespace, kb: KnowledgeBase) -> bytes:
    fmt = str(args.to).strip().lower()
    if fmt not in EXPORTERS:
        raise AdvisorError(PROG, None, None, "--to", f"unknown format {args.to!r}, expected one of: {', '.join(EXPORTERS)}")
    doc = load_answers_doc(kb, args.answers)
    title = doc.title
    report = evaluate(kb, doc.answers, with_what_if=True, inventory=doc.inventory)
    checked = _checked(args.checked, {i.id for i in report.checklist}, kb)
    ctx = ExportContext(report=report, kb=kb, checked=checked, title=title,
                        show_discouraged=bool(getattr(args, "show_discouraged", False)))
    return export(fmt, ctx)


def _checked(raw: str | None, in_report: set[str], kb: KnowledgeBase) -> frozenset[str]:
    ids = [part.strip() for part in (raw or "").split(",") if part.strip()]
    for item in ids:
        if item not in in_report:
            where = "belongs to a pattern not in this report" if item in kb.items else "is not a checklist item"
            shown = ", ".join(sorted(in_report)[:8]) + (", ..." if len(in_report) > 8 else "")
            raise AdvisorError(PROG, None, None, "--checked",
                               f"{item!r} {where}, expected ids from this report's checklist ({shown or 'none'})")
    return frozenset(ids)


def _write(data: bytes, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = _target(Path(output))
    # Write next to the target and rename: a failed export never leaves half a file behind.
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise AdvisorError(str(output), None, None, "", f"cannot write ({os_problem(exc)}), expected a writable path") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AdvisorError(str(output), None, None, "", f"cannot write ({os_problem(exc)}), expected a writable path") from None


def _target(path: Path) -> Path:
    """The regular file to replace: through a symlink to its target; never a FIFO, device or folder."""
    try:
        info = os.stat(path) if os.path.lexists(path) else None  # follows a symlink to what it names
        real = Path(os.path.realpath(path))
    except FileNotFoundError:  # a dangling symlink: write its target
        info, real = None, Path(os.path.realpath(path))
    except (OSError, ValueError) as exc:
        problem = os_problem(exc) if isinstance(exc, OSError) else "invalid file name"
        raise AdvisorError(str(path), None, None, "", f"{problem}, expected a writable file path for -o") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise AdvisorError(str(path), None, None, "", "is a directory, expected a file path for -o")
    kind = file_kind(info.st_mode) if info is not None else None
    if kind is not None:
        # Replacing it would destroy the pipe or device; writing into it could block: say so instead.
        raise AdvisorError(str(path), None, None, "", f"{kind}, expected a regular file path for -o "
                           "(use -o - for standard output)")
    return real


def main(argv: list[str] | None = None) -> int:
    """`python -m kafka_advisor.cli_export ...`: the same command without the main CLI."""
    from .loader import DEFAULT_ROOT, KnowledgeBaseError, load_kb

    parser = argparse.ArgumentParser(prog=PROG)
    parser.add_argument("--kb", type=Path, default=DEFAULT_ROOT, metavar="DIR")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["export", *(sys.argv[1:] if argv is None else argv)])
    try:
        kb = load_kb(args.kb)
    except KnowledgeBaseError as exc:
        print(exc.errors[0].one_line(), file=sys.stderr)
        return 2
    return run(args, kb)


if __name__ == "__main__":
    sys.exit(main())
