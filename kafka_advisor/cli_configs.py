"""`kafka-advisor configs ANSWERS.yaml [--flavor F ...] [--format text|json]`: the report's config snippets.

Every bad input (missing file, invalid answers, unknown flavour, a broken snippet template) is one line
on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .configs import kafka_version, snippets_for
from .engine import evaluate
from .loader import KnowledgeBase, KnowledgeBaseError, load_answers_doc
from .snippet_model import FLAVOURS
from .yamlsource import AdvisorError

PROG = "kafka-advisor configs"


def add_parser(subparsers: Any) -> None:
    """Add the `configs` subcommand to the main CLI's subparsers."""
    p = subparsers.add_parser("configs", help="print config snippets for the recommended patterns",
                              description="Evaluate an answers file and print ready-to-use configuration for "
                                          "every recommended pattern, filled from the answers and the inventory.")
    p.add_argument("answers", type=Path,
                   help="answers YAML (title: ..., answers: {question_id: value}, optional inventory: ...)")
    # No argparse `choices`: an unknown flavour must be our one-line error, not a usage dump.
    p.add_argument("--flavor", "--flavour", dest="flavors", action="append", default=[], metavar="F",
                   help="only these flavours (repeat or comma-separate): " + ", ".join(FLAVOURS))
    p.add_argument("--format", dest="format", default="text", metavar="FORMAT", help="text (default) or json")


def run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    try:
        sys.stdout.write(_configs(args, kb))
    except AdvisorError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except KnowledgeBaseError as exc:  # a snippet template is broken: the first problem, as one line
        print(exc.errors[0].one_line(), file=sys.stderr)
        return 2
    return 0


def _flavours(raw: list[str]) -> list[str] | None:
    names = [part.strip().lower() for item in raw for part in item.split(",") if part.strip()]
    for name in names:
        if name not in FLAVOURS:
            raise AdvisorError(PROG, None, None, "--flavor", f"unknown flavour {name!r}, expected one of: "
                                                             f"{', '.join(FLAVOURS)}")
    return names or None


def _configs(args: argparse.Namespace, kb: KnowledgeBase) -> str:
    fmt = str(args.format).strip().lower()
    if fmt not in ("text", "json"):
        raise AdvisorError(PROG, None, None, "--format", f"unknown format {args.format!r}, expected text or json")
    flavours = _flavours(list(args.flavors or []))
    doc = load_answers_doc(kb, args.answers)
    report = evaluate(kb, doc.answers, inventory=doc.inventory)
    snippets = snippets_for(report, kb, flavours=flavours)
    if fmt == "json":
        version = kafka_version(kb, report.answers)
        out = {"title": doc.title, "kafka_version": version.answer, "kafka_version_note": version.describe(),
               "snippets": [s.to_json() for s in snippets]}
        return json.dumps(out, indent=2, ensure_ascii=True) + "\n"  # \u escapes: safe in any terminal
    if not snippets:
        return "# No config snippets: no recommended pattern has one" + (" in these flavours" if flavours else "") + ".\n"
    return "\n".join(f"# ===== {s.path}\n{s.text}" for s in snippets)
