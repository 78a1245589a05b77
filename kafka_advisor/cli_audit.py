"""`kafka-advisor audit FILE... [--role ROLE] [--answers ANSWERS.yaml] [--format text|json|sarif] [--fail-on SEVERITY]`.

Exit codes: 0 no finding reaches --fail-on (or no --fail-on), 1 a finding reaches it, 2 bad input (a
file that cannot be read as a config, an unknown role, a bad answers file), each one line on stderr:
file, line, what is expected. `--checks` prints the checks table (Markdown) instead.
Secrets in the configs are masked in every format; nothing is written but standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import audit_checks, sarif
from .audit import AuditResult, audit, text_report
from .audit_parse import read_file
from .audit_roles import ROLE_CHOICES, normalise
from .engine import evaluate
from .loader import KnowledgeBase, load_answers_doc
from .model import Report
from .yamlsource import AdvisorError

PROG = "kafka-advisor audit"
FORMATS = ("text", "json", "sarif")
SEVERITIES = ("low", "medium", "high")


def add_parser(subparsers: Any) -> None:
    """Add the `audit` subcommand to the main CLI's subparsers."""
    p = subparsers.add_parser(
        "audit", help="audit producer, consumer, topic, connector, Connect worker or Streams configs",
        description="Check Kafka configs (.properties, JSON, YAML, a kafka-topics.sh command or a Python dict) for "
                    "typos, bad values, settings that contradict each other and, with --answers, your assessment.")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="config files to audit")
    # No argparse `choices` for --role/--format/--fail-on: a bad value must be our one-line error.
    p.add_argument("--role", metavar="ROLE", help="what the files are (default: detected): " + ", ".join(ROLE_CHOICES))
    p.add_argument("--answers", type=Path, metavar="ANSWERS.yaml",
                   help="judge the configs against this assessment (intent and version checks)")
    p.add_argument("--format", default="text", metavar="FORMAT", help="text (default), json or sarif")
    p.add_argument("--fail-on", metavar="SEVERITY", help="exit 1 when a finding reaches low, medium or high")
    p.add_argument("--checks", action="store_true", help="print the table of checks (Markdown) and exit")


def run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    try:
        fmt, fail_on = _options(args)
        if args.checks:
            sys.stdout.write(checks_markdown())
            return 0
        if not args.files:
            raise AdvisorError(PROG, None, None, "FILE", "missing, expected at least one config file (or --checks)")
        report = _report(kb, args.answers) if args.answers else None
    except AdvisorError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    results: list[AuditResult] = []
    bad_input = False
    for path in args.files:
        try:
            results.append(audit(read_file(path), str(path), role=args.role, report=report))
        except AdvisorError as exc:
            print(exc.one_line(), file=sys.stderr)
            bad_input = True
    if fmt == "sarif":
        sys.stdout.write(sarif.dumps(results))
    elif fmt == "json":
        doc = results[0].to_json() if len(results) == 1 else {"results": [r.to_json() for r in results]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(text_report(r) for r in results))
    if bad_input:
        return 2
    if fail_on:
        hits = [f for r in results for f in r.reaching(fail_on)]
        if hits:
            print(f"{PROG}: failing: {len(hits)} finding(s) at or above {fail_on}", file=sys.stderr)
            return 1
    return 0


def _options(args: argparse.Namespace) -> tuple[str, str | None]:
    fmt = str(args.format).strip().lower()
    if fmt not in FORMATS:
        raise AdvisorError(PROG, None, None, "--format", f"unknown format {args.format!r}, expected one of: {', '.join(FORMATS)}")
    fail_on = str(args.fail_on).strip().lower() if args.fail_on is not None else None
    if fail_on is not None and fail_on not in SEVERITIES:
        raise AdvisorError(PROG, None, None, "--fail-on", f"unknown severity {args.fail_on!r}, expected one of: "
                                                          f"{', '.join(SEVERITIES)}")
    if args.role is not None:
        normalise(str(args.role), PROG)
    return fmt, fail_on


def _report(kb: KnowledgeBase, path: Path) -> Report:
    doc = load_answers_doc(kb, path)
    return evaluate(kb, doc.answers, inventory=doc.inventory)


def checks_markdown() -> str:
    rows = ["| id | severity | finds | fix | needs | source |", "|---|---|---|---|---|---|"]
    for c in audit_checks.table():
        cells = [f"`{c['id']}`", c["severity"], c["title"], c["fix"], c["needs"], c["source"]]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"
