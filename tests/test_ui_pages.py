"""AppTest: every page renders without an exception; a broken knowledge base shows its error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_ui_support import ASSESS, CATALOGUE, GOOD, POOR, RESULTS, ROOT, new_app, run, scenario

from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.share import answers_to_query
from kafka_advisor.ui.state import ROOT_ENV

PAGES = {ASSESS: "Assess your system", RESULTS: "Results", CATALOGUE: "Pattern catalogue"}


@pytest.mark.parametrize("example", [None, GOOD, POOR], ids=["no-answers", "good-fit", "poor-fit"])
@pytest.mark.parametrize("page", list(PAGES), ids=["assess", "results", "catalogue"])
def test_every_page_renders(kb: KnowledgeBase, page: str, example: Path | None) -> None:
    at = new_app()
    if example is not None:
        at.query_params.update(answers_to_query(kb, scenario(kb, example)))
    run(at)
    at.switch_page(page)
    run(at)
    assert at.title[0].value == PAGES[page]
    assert not at.error or page == RESULTS  # the results page shows a poor fit as an error box


def test_every_wizard_step_and_the_review_render(kb: KnowledgeBase) -> None:
    at = new_app()
    at.query_params.update(answers_to_query(kb, scenario(kb, GOOD)))
    run(at)
    for i in range(len(kb.sections) + 1):
        at.session_state["step"] = i
        run(at)
        assert at.header[0].value == (f"{i + 1}. {kb.sections[i].title}" if i < len(kb.sections) else "Review your answers")


@pytest.fixture
def broken_root(tmp_path: Path) -> Path:
    for sub in ("questions", "patterns", "rules"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    victim = sorted((tmp_path / "patterns").glob("*.yaml"))[0]
    victim.write_text(victim.read_text().replace("summary:", "sumary:", 1))
    return tmp_path


@pytest.mark.parametrize("page", list(PAGES), ids=["assess", "results", "catalogue"])
def test_broken_knowledge_base_shows_the_loader_error(broken_root: Path, page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = sorted((broken_root / "patterns").glob("*.yaml"))[0].name
    monkeypatch.setenv(ROOT_ENV, str(broken_root))
    at = run(new_app())
    if page != ASSESS:
        at.switch_page(page)
        run(at)
    assert "could not be loaded" in at.error[0].value
    lines = at.code[0].value.splitlines()
    assert lines and all(line.startswith("patterns/") for line in lines if not line.startswith("…"))
    # The loader's own lines: file, line, column, field, what is expected.
    assert any(line.startswith(f"patterns/{victim}:") and "'sumary'" in line for line in lines), lines
    assert at.title[0].value == "Kafka Pattern Advisor"
    assert not at.button and not at.radio  # nothing else renders
