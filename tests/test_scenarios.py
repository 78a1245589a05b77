"""Golden scenarios: each examples/*.yaml evaluates to the verdict its name promises, and its whole
outcome (verdict, ranked patterns, discouragements, checklist) matches the reviewed golden file.

Regenerate after a deliberate knowledge change with `UPDATE_GOLDEN=1 pytest tests/test_scenarios.py`
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kafka_advisor.engine import evaluate
from kafka_advisor.loader import load_answers_doc, load_kb

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "scenarios"
SCENARIOS = sorted((ROOT / "examples").glob("*.yaml"))
KB = load_kb()
PROMISE = {"good-fit": "good-fit", "poor-fit": "poor-fit", "caveats": "fit-with-caveats"}


def outcome(path: Path) -> dict:
    doc = load_answers_doc(KB, path)
    report = evaluate(KB, doc.answers, with_what_if=True, inventory=doc.inventory)
    return {
        "verdict": report.verdict.level,
        "alternatives": report.verdict.alternatives,
        "recommended": [[r.pattern, r.score, r.tier] for r in report.recommended],
        "proposals": [[j.proposal, j.judgement] for j in report.proposals],
        "risks": [r.kind for r in report.verdict.risks],
        "discouraged": [[d.pattern, d.severity] for d in report.discouraged],
        "fired": report.fired,
        "checklist": [[i.id, i.applies_to] if i.applies_to else i.id for i in report.checklist],
        "what_if": [[w.question, w.to, w.effect] for w in report.what_if],
    }


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 8
    promised = {next(v for k, v in PROMISE.items() if k in p.stem) for p in SCENARIOS}
    assert promised == set(PROMISE.values())


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_keeps_its_promise(path: Path) -> None:
    promise = [v for k, v in PROMISE.items() if k in path.stem]
    assert len(promise) == 1, f"{path.name}: name must say good-fit, caveats or poor-fit"
    got = outcome(path)
    assert got["verdict"] == promise[0]
    if promise[0] == "poor-fit":
        assert got["alternatives"], "a poor fit names the alternative"
    else:
        assert got["recommended"], "a fit recommends patterns"
    assert got["fired"], "the verdict has reasons"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_matches_golden(path: Path) -> None:
    golden = GOLDEN / f"{path.stem}.json"
    got = outcome(path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden file for {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert got == json.loads(golden.read_text(encoding="utf-8"))
