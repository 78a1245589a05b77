"""Golden files for the text exports and the DOT diagram, on two example scenarios.

The knowledge base is still growing, so goldens are regenerated on purpose and reviewed by eye:
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_exports*.py tests/test_diagram.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from kafka_advisor.engine import evaluate
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.loader import KnowledgeBase, load_answers_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SCENARIOS = ("order-platform-good-fit", "crud-app-poor-fit")
FILES = {"md": "report.md", "json": "report.json", "csv": "checklist.csv", "adr": "adr.md", "tasks": "tasks.md",
         "dot": "diagram.dot"}
FIXED_DATE = "1736899200"  # 2025-01-15, through SOURCE_DATE_EPOCH


def scenario_context(kb: KnowledgeBase, scenario: str) -> ExportContext:
    """The report of an example, with its first and last checklist items ticked.

    The poor-fit scenario also draws its discouraged patterns, so both diagram modes have a golden.
    """
    title, answers = load_answers_file(kb, ROOT / "examples" / f"{scenario}.yaml")
    report = evaluate(kb, answers, with_what_if=True)
    checked = frozenset({report.checklist[0].id, report.checklist[-1].id}) if report.checklist else frozenset()
    return ExportContext(report=report, kb=kb, checked=checked, title=title, show_discouraged="poor-fit" in scenario)


@pytest.mark.parametrize("fmt", FILES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_export_matches_its_golden_file(kb: KnowledgeBase, scenario: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_DATE)
    got = export(fmt, scenario_context(kb, scenario)).decode("utf-8")
    path = GOLDEN / scenario / FILES[fmt]
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got.encode("utf-8"))  # bytes: the CSV keeps its CRLF line ends
    assert path.exists(), f"no golden file {path}; create it with UPDATE_GOLDEN=1 and review it"
    want = path.read_bytes().decode("utf-8")
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "now"))[:60])
        pytest.fail(f"{scenario} {fmt} differs from {path.name} (UPDATE_GOLDEN=1 to accept after review):\n{diff}")


def test_goldens_cover_both_verdict_extremes(kb: KnowledgeBase) -> None:
    levels = {scenario_context(kb, s).report.verdict.level for s in SCENARIOS}
    assert levels == {"good-fit", "poor-fit"}
