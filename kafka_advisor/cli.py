"""Command line: `python -m kafka_advisor evaluate|validate|test|questions|patterns|export`.

Exit codes: 0 success, 1 a check failed (--fail-on, failing examples), 2 bad input or an invalid
knowledge base. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .engine import evaluate
from .examples import run_examples
from .inventory import summary_of
from .lint import lint
from .loader import DEFAULT_ROOT, KnowledgeBase, KnowledgeBaseError, load_answers_doc, load_kb
from .model import SEVERITY_RANK, Report
from .yamlsource import AdvisorError, os_problem

PROG = "kafka-advisor"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints usage plus a message over several lines; we promise one line.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Decide whether and how to use Apache Kafka.")
    parser.add_argument("--kb", type=Path, default=DEFAULT_ROOT, metavar="DIR",
                        help="knowledge base root holding questions/, rules/, patterns/ (default: the shipped one)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evaluate", help="evaluate an answers file and print the report")
    ev.add_argument("answers", type=Path,
                    help="answers YAML (title: ..., answers: {question_id: value}, optional inventory: ...)")
    ev.add_argument("--format", choices=["json", "markdown"], default="markdown")
    ev.add_argument("--fail-on", choices=["low", "medium", "high"],
                    help="exit 1 when a discouraged pattern reaches this severity (for CI gating)")
    ev.add_argument("--no-what-if", action="store_true", help="skip the what-if exploration")

    sub.add_parser("validate", help="load and lint the knowledge base (exit 2 on findings)")
    sub.add_parser("test", help="run every rule example (exit 1 on a failure)")
    sc = sub.add_parser("score", help="score the expert scenario benchmark (scenarios/*.yaml)")
    sc.add_argument("--dir", type=Path, default=None, metavar="DIR", help="scenario folder (default: scenarios/)")
    sc.add_argument("--format", choices=["text", "json"], default="text")
    sc.add_argument("-v", "--verbose", action="store_true", help="also list each scenario's misses and extras")
    sc.add_argument("--tuning-only", action="store_true", help="with -v: list only the scenarios rules may be tuned to")
    for name, what in (("questions", "the questionnaire"), ("patterns", "the pattern catalogue")):
        p = sub.add_parser(name, help=f"print {what}")
        p.add_argument("--format", choices=["json"], default="json")
    try:
        from . import cli_export
    except ImportError:  # the exports package is optional for the core CLI
        pass
    else:
        cli_export.add_parser(sub)
    from . import cli_audit, cli_configs

    cli_audit.add_parser(sub)
    cli_configs.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        kb = load_kb(args.kb)
    except KnowledgeBaseError as exc:
        for err in exc.errors:
            print(err.one_line(), file=sys.stderr)
        print(f"{PROG}: knowledge base has {len(exc.errors)} error(s)", file=sys.stderr)
        return 2
    try:
        code = _COMMANDS[args.command](args, kb)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not in the interpreter's exit
    except AdvisorError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `| head` closed the pipe: not an error worth a traceback
        _drop_stdout()
        return 0
    except OSError as exc:  # `> /dev/full`: the report could not be written
        _drop_stdout()
        print(AdvisorError("<stdout>", None, None, "", f"cannot write the output ({os_problem(exc)}), "
                           "expected a writable standard output").one_line(), file=sys.stderr)
        return 2
    return code


def inventory_lines(kb: KnowledgeBase, report: Report) -> list[str]:
    """Markdown lines saying what the inventory holds and which answers came from it; none without one."""
    from .exports.common import md
    from .present import answer_text, question_text

    inv = report.inventory
    if inv is None or inv.is_empty():
        return []
    out = [f"Inventory: {summary_of(inv)}", ""]
    if report.derived:
        out += ["Answered from the inventory, not asked:", ""]
        out += [f"- {md(question_text(kb, q))} = {md(answer_text(kb, q, report.answers.get(q)))} (from the inventory)"
                for q in report.derived]
        out.append("")
    return out


def with_inventory_lines(markdown: str, lines: list[str]) -> str:
    """The report with the inventory lines under its title (the first line), or unchanged without any."""
    if not lines:
        return markdown
    head, sep, rest = markdown.partition("\n\n")
    return head + "\n\n" + "\n".join(lines) + "\n" + rest if sep else markdown + "\n" + "\n".join(lines) + "\n"


def _drop_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit cannot fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _evaluate(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    doc = load_answers_doc(kb, args.answers)
    title = doc.title
    report = evaluate(kb, doc.answers, with_what_if=not args.no_what_if, inventory=doc.inventory)
    if args.format == "json":
        from .exports.jsonfile import dumps  # bidi and zero-width characters as \u escapes: safe in a terminal

        print(dumps(report.to_json()))
    else:
        from .exports import ExportContext, export

        text = export("md", ExportContext(report=report, kb=kb, title=title)).decode("utf-8")
        sys.stdout.write(with_inventory_lines(text, inventory_lines(kb, report)))
    if args.fail_on:
        limit = SEVERITY_RANK[args.fail_on]
        hits = [d for d in report.discouraged if SEVERITY_RANK[d.severity] <= limit]
        if hits:
            names = ", ".join(f"{d.pattern} ({d.severity})" for d in hits)
            print(f"{PROG}: failing: discouraged at or above {args.fail_on}: {names}", file=sys.stderr)
            return 1
    return 0


def _validate(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    findings = lint(kb)
    for f in findings:
        print(f.one_line(), file=sys.stderr)
    n_items = len(kb.items)
    summary = (f"{len(kb.questions)} questions in {len(kb.sections)} sections, {len(kb.rules)} rules, "
               f"{len(kb.patterns)} patterns, {n_items} checklist items")
    if findings:
        print(f"{PROG}: {len(findings)} finding(s); {summary}", file=sys.stderr)
        return 2
    print(f"ok: {summary}; every subsection 7.1.1-7.4.3 cited")
    return 0


def _test(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    results = run_examples(kb)
    failed = [r for r in results if not r.ok]
    for r in failed:
        for f in r.failures:
            print(f"FAIL {r.test_id}: {f}", file=sys.stderr)
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _questions(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    doc = {
        "sections": [
            {**s.model_dump(mode="json"),
             "questions": [kb.questions[q].model_dump(mode="json", by_alias=True, exclude_none=True)
                           for q in kb.questions if kb.section_of[q] == s.id]}
            for s in kb.sections
        ]
    }
    print(json.dumps(doc, indent=2, ensure_ascii=False))
    return 0


def _patterns(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    doc = {"patterns": [p.model_dump(mode="json", by_alias=True, exclude_none=True) for p in kb.patterns.values()]}
    print(json.dumps(doc, indent=2, ensure_ascii=False))
    return 0


def _score(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    from . import benchmark

    scores = benchmark.score_all(kb, args.dir or benchmark.SCENARIOS)
    t = benchmark.totals(scores)
    if args.format == "json":
        doc = {"totals": t.__dict__, "scenarios": [
            {"id": s.scenario.id, "strict": s.strict, "verdict": s.report.verdict.level,
             "expected_verdict": s.scenario.expect.verdict, "missed": s.missed, "unwarned": s.unwarned,
             "extra": s.extra, "core": s.core, "total": len(s.report.recommended)} for s in scores]}
        print(json.dumps(doc, indent=2))
        return 0
    print(benchmark.table(t))
    tuned = [s for s in scores if not benchmark.held_out(s.scenario.id)]
    held = [s for s in scores if benchmark.held_out(s.scenario.id)]
    for name, part in (("first tuning set", tuned), ("later batches (scored blind once, since seen)", held)):
        pt = benchmark.totals(part)
        print(f"\n{name}: {pt.scenarios} scenarios, strict {pt.strict}, recall {pt.recall:.0%}, "
              f"warn recall {pt.warn_recall:.0%}, precision {pt.precision:.0%}, core {pt.mean_core:.1f}")
    if args.verbose:
        print()
        shown = tuned if args.tuning_only else scores
        print("\n".join(benchmark.misses(shown)) or "every scenario matches, with nothing extra")
    return 0


def _export(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    from . import cli_export

    return cli_export.run(args, kb)


def _audit(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    from . import cli_audit

    return cli_audit.run(args, kb)


def _configs(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    from . import cli_configs

    return cli_configs.run(args, kb)


_COMMANDS = {
    "evaluate": _evaluate,
    "validate": _validate,
    "test": _test,
    "questions": _questions,
    "patterns": _patterns,
    "export": _export,
    "score": _score,
    "audit": _audit,
    "configs": _configs,
}
