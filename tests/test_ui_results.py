"""AppTest: the Results page (verdict, reasons, what-if, diagram, trade-offs, checklist, exports)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_support import CATALOGUE, GOOD, POOR, RESULTS, ROOT, new_app, run, scenario, texts

from kafka_advisor import diagram, system_diagram
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import EXPORTERS
from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.present import checklist_groups
from kafka_advisor.share import answers_to_query, inventory_to_param
from kafka_advisor.ui.results import what_if_md
from kafka_advisor.ui.style import LEVELS, SEVERITIES

TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"


def open_tab(at: AppTest, name: str) -> AppTest:
    """Open a tab of the results page, as a click on it does (only the open tab is drawn)."""
    at.session_state["results_tab"] = name
    return run(at)


def results_for(kb: KnowledgeBase, answers: dict) -> AppTest:  # type: ignore[type-arg]
    at = new_app()
    at.query_params.update(answers_to_query(kb, answers))
    run(at)
    at.switch_page(RESULTS)
    return run(at)


@pytest.fixture(params=[GOOD, POOR], ids=["good-fit-example", "poor-fit-example"])
def case(request: pytest.FixtureRequest, kb: KnowledgeBase) -> tuple[dict, AppTest]:  # type: ignore[type-arg]
    answers = scenario(kb, request.param)
    return answers, results_for(kb, answers)


def test_no_answers_points_to_the_questionnaire() -> None:
    at = run(new_app())
    at.switch_page(RESULTS)
    run(at)
    assert at.title[0].value == "Results"
    assert "No answers yet" in at.info[0].value
    assert [p.proto.page for p in at.get("page_link") if "assessment" in p.proto.label]


def test_verdict_banner_matches_the_engine(kb: KnowledgeBase, case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    answers, at = case
    rep = evaluate(kb, answers)
    box = {"good-fit": at.success, "fit-with-caveats": at.warning, "poor-fit": at.error}[rep.verdict.level]
    banner = next(b for b in box if LEVELS[rep.verdict.level].label in b.value)
    assert banner.proto.icon == LEVELS[rep.verdict.level].icon
    for alternative in rep.verdict.system_alternatives:  # instead of Kafka: in the banner itself
        assert alternative.split()[0] in banner.value
    page = texts(at)
    for alternative in rep.verdict.part_alternatives:  # for parts: next to it, at a glance
        assert alternative.split(":")[0] in page
    # Other verdict boxes are absent: one banner, one colour.
    others = [lv for lv in LEVELS if lv != rep.verdict.level]
    assert not any(LEVELS[lv].label in t for lv in others for t in [b.value for b in [*at.success, *at.warning, *at.error]])


def test_recommended_patterns_ranked_with_reasons(kb: KnowledgeBase, case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    answers, at = case
    rep = evaluate(kb, answers)
    labels = [e.label for e in at.expander]
    tiers = [[r for r in rep.recommended if r.tier == t] for t in ("core", "baseline", "later")]
    ranked = [f"{i}. {r.name}" for recs in tiers for i, r in enumerate(recs, 1)]  # the rank within its tier
    assert [x for x in labels if re.match(r"^\d+\. ", x)] == ranked
    core = [r for r in rep.recommended if r.tier == "core"]
    cards = [m.value for m in at.markdown if re.match(r"^\*\*\d+\. ", m.value)]
    assert cards == [f"**{i}. {r.name}**" for i, r in enumerate(core, 1)]  # the summary's core cards
    page = texts(at)
    for rec in rep.recommended:
        for reason in rec.reasons:
            assert reason.title.split()[0] in page
            for qid in reason.answers:
                assert kb.questions[qid].text.split("?")[0][:30] in page  # the answer that triggered it, by its text
    for dis in rep.discouraged:
        assert f"Why not {dis.name}?" in labels
        assert any(SEVERITIES[dis.severity].label in m.value and dis.name in m.value for m in at.markdown)


def test_why_not_leads_to_the_catalogue_page(kb: KnowledgeBase) -> None:
    answers = scenario(kb, POOR)
    rep = evaluate(kb, answers)
    assert rep.discouraged, "the poor-fit example should discourage something"
    at = results_for(kb, answers)
    dis = rep.discouraged[0]
    link = next(p for p in at.get("page_link") if p.proto.label == f"Read about {dis.name}")
    assert link.proto.query_string == f"pattern={dis.pattern}"
    assert link.proto.page.endswith("catalogue")
    # Following it opens that pattern's own page.
    at.query_params["pattern"] = dis.pattern
    at.switch_page(CATALOGUE)
    run(at)
    assert at.title[0].value == kb.patterns[dis.pattern].name


def test_what_if_reads_as_words_and_apply_changes_the_answer(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    rep = evaluate(kb, answers, with_what_if=True)
    assert rep.what_if
    at = results_for(kb, answers)
    open_tab(at, 'What if')
    first = next(w for w in rep.what_if if not w.fact)  # choices get a Preview button; facts are listed apart
    assert {w.fact for w in rep.what_if} == {True, False}
    line = what_if_md(kb, first)
    assert any(m.value == line for m in at.markdown)
    assert kb.questions[first.question].text.split()[0] in line
    for level in LEVELS:
        assert f" {level}" not in line.replace(LEVELS[level].label, "")  # level ids never reach the user
    for w in rep.what_if:  # the words come from the change's data, not from parsing its prose
        text = what_if_md(kb, w)
        for pid in w.recommends + w.no_longer_recommends + w.discourages + w.no_longer_discourages:
            assert kb.patterns[pid].name.split()[0] in text
        assert (w.verdict is not None) == ("the verdict becomes" in text)
    at.button(key="whatif_0").click()  # a preview first: nothing changes yet
    run(at)
    assert at.session_state["answers"] == answers
    preview = "\n".join(m.value for m in at.markdown)
    assert "**Preview:**" in preview and "After the change" in preview
    after = evaluate(kb, {**answers, first.question: first.to} if first.to not in (None, []) else
                     {k: v for k, v in answers.items() if k != first.question})
    assert LEVELS[after.verdict.level].label in preview
    at.button(key="whatif_cancel").click()
    run(at)
    assert not any("**Preview:**" in m.value for m in at.markdown)
    at.button(key="whatif_0").click()
    run(at)
    at.button(key="whatif_apply").click()
    run(at)
    assert any("Changed" in b.value and kb.questions[first.question].text.split()[0] in b.value for b in at.success)
    changed = at.session_state["answers"].get(first.question)
    assert changed == (first.to if first.to not in (None, []) else None)
    assert at.query_params.get(first.question, None) != answers_to_query(kb, answers).get(first.question)
    at.button(key="whatif_undo").click()  # and undone: the answers are the ones before
    run(at)
    assert at.session_state["answers"] == answers
    assert not [b for b in at.button if b.key == "whatif_undo"]


def test_browser_back_after_apply_brings_the_answers_back(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    rep = evaluate(kb, answers, with_what_if=True)
    first = next(w for w in rep.what_if if not w.fact)
    at = results_for(kb, answers)
    open_tab(at, 'What if')
    before = dict(at.query_params)
    at.button(key="whatif_0").click()
    run(at)
    at.button(key="whatif_apply").click()
    run(at)
    assert at.session_state["answers"] != answers
    assert dict(at.query_params) != before  # the new answers are a new address in the history
    # Back: the browser reruns the page with the earlier address; the app takes its answers again.
    at.query_params.clear()
    at.query_params.update(before)
    run(at)
    assert at.session_state["answers"] == answers
    assert any("Back to the answers" in i.value for i in at.info)
    # Its own address, rerun again, changes nothing (no loop, no message).
    run(at)
    assert at.session_state["answers"] == answers
    assert not any("Back to the answers" in i.value for i in at.info)
    assert at.session_state["answers"].get(first.question) == answers.get(first.question)


def test_architecture_is_drawn_on_the_server_as_inline_svg(kb: KnowledgeBase, case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    answers, at = case
    open_tab(at, 'Architecture')
    assert not at.get("graphviz_chart"), "with dot installed the browser lays out nothing"
    shown = [m.value for m in at.markdown if 'class="architecture-svg"' in m.value]
    assert len(shown) == 1
    rep = evaluate(kb, answers)
    expected = system_diagram.architecture_svg(rep, kb)
    assert expected is not None
    texts_of = re.compile(r"<text\b[^>]*>([^<]*)</text>")
    assert texts_of.findall(shown[0]) == texts_of.findall(expected)  # the same drawing, whatever the zoom
    assert "<script" not in shown[0].lower()


def test_the_twelve_service_system_is_drawn_by_its_own_names(kb: KnowledgeBase) -> None:
    doc = load_answers_doc(kb, TWELVE)
    at = new_app()
    at.query_params.update(answers_to_query(kb, doc.answers) | {"inv": inventory_to_param(doc.inventory)})
    run(at)
    at.switch_page(RESULTS)
    run(at)
    open_tab(at, 'Architecture')
    svg = next(m.value for m in at.markdown if 'class="architecture-svg"' in m.value)
    assert doc.inventory is not None
    for service in doc.inventory.services:
        assert f">{service.name}<" in svg
    assert "Analytics warehouse" in svg


def test_invalid_dot_shows_an_error_instead_of_a_blank() -> None:
    def page() -> None:
        from kafka_advisor.ui.widgets import show_dot

        show_dot("digraph { a -> }", alt="broken")

    at = AppTest.from_function(page, default_timeout=30).run()
    assert not at.exception
    assert not at.get("graphviz_chart")
    assert "could not be drawn" in at.error[0].value


def test_tradeoffs_side_by_side(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    rep = evaluate(kb, answers)
    assert len(rep.recommended) >= 2
    at = results_for(kb, answers)
    open_tab(at, 'Trade-offs')
    compare = at.pills(key="compare")
    assert compare.value == [r.pattern for r in rep.recommended[:3]]
    page = texts(at)
    for rec in rep.recommended[:3]:
        assert kb.patterns[rec.pattern].tradeoffs.cons[0][:25] in page
    compare.set_value([rep.recommended[-1].pattern])
    run(at)
    assert kb.patterns[rep.recommended[-1].pattern].tradeoffs.pros[0][:25] in texts(at)


def test_checklist_ticks_survive_reruns_and_navigation(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    rep = evaluate(kb, answers)
    groups = [(g.phase, items[0].pattern_id, items) for g in checklist_groups(kb, rep) for _, items in g.patterns]
    at = results_for(kb, answers)
    open_tab(at, 'Checklist')
    # Grouped by pattern, recommended patterns first in rank order.
    names = {f"**{p.name}**" for p in kb.patterns.values()}
    shown = [m.value for m in at.markdown if m.value in names]  # the Checklist tab, then the Trade-offs tab
    assert shown[:len(groups)] == [f"**{kb.patterns[p].name}**" for _, p, _ in groups]
    assert [ph for ph, _, _ in groups] == sorted((ph for ph, _, _ in groups), key=["first", "later"].index)
    ranked = [r.pattern for r in rep.recommended]
    with_items = list(dict.fromkeys(p for ph, p, _ in groups if ph == "first"))
    assert [p for p in with_items if p in ranked] == [p for p in ranked if p in with_items]
    item = groups[0][2][0]
    box = at.checkbox(key=f"chk__{item.id}")
    assert not box.value
    box.check()
    run(at)
    assert at.session_state["checked"] == {item.id}
    group = groups[0][2]
    assert [p.proto.text for p in at.get("progress")][:2] == [f"1 of {len(group)} done",
                                                              f"0 of {len(groups[1][2])} done"]
    at.switch_page(CATALOGUE)
    run(at)
    at.switch_page(RESULTS)
    open_tab(run(at), "Checklist")
    assert at.checkbox(key=f"chk__{item.id}").value
    at.checkbox(key=f"chk__{item.id}").uncheck()
    run(at)
    assert at.session_state["checked"] == set()


def test_checklist_filters(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD)
    rep = evaluate(kb, answers)
    at = results_for(kb, answers)
    open_tab(at, 'Checklist')
    assert len(at.checkbox) == len(rep.checklist)
    at.pills(key="checklist_severity").set_value(["high"])
    run(at)
    assert len(at.checkbox) == sum(1 for i in rep.checklist if i.severity == "high")
    at.pills(key="checklist_severity").set_value(list(SEVERITIES))
    run(at)
    at.checkbox(key=f"chk__{rep.checklist[0].id}").check()
    run(at)
    at.toggle(key="checklist_hide_done").set_value(True)
    run(at)
    assert len(at.checkbox) == len(rep.checklist) - 1
    assert rep.checklist[0].id in at.session_state["checked"]  # hidden, not forgotten


def test_every_exporter_is_offered_in_the_summary(case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    _, at = case
    assert diagram.dot_available(), "the test set-up installs Graphviz"
    pick = at.selectbox(key="export_format")
    assert list(pick.options) == [e.label for e in EXPORTERS.values()]
    assert at.button(key="export_prepare").label == "Prepare"


def test_prepared_export_is_saved_with_the_ticks_then(kb: KnowledgeBase, case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    answers, at = case
    open_tab(at, 'Checklist')
    assert not [b for b in at.download_button if b.key == "export_download"], "nothing is ready before a click"
    rep = evaluate(kb, answers)
    if rep.checklist:  # a poor fit has none
        at.checkbox(key=f"chk__{rep.checklist[0].id}").check()
        run(at)
    at.selectbox(key="export_format").set_value("md")
    at.button(key="export_prepare").click()
    run(at)
    save = at.download_button(key="export_download")
    assert save.label.startswith("Save ") and save.label.endswith(".md")
    ticked = 1 if rep.checklist else 0
    assert any(f"{ticked} of {len(rep.checklist)} checklist items ticked" in m.value for m in at.caption)
    at.selectbox(key="export_format").set_value("json")
    at.button(key="export_prepare").click()
    run(at)
    assert at.download_button(key="export_download").label.endswith(".json")


def test_nothing_raw_reaches_the_user(kb: KnowledgeBase, case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    answers, at = case
    page = texts(at)
    # No Python reprs of lists, dicts, booleans or pydantic models.
    for raw in ("['", "{'", "=True", "=False", "None", "Reason(", "WhatIf(", "Recommendation("):
        assert raw not in page, raw
    # Answers appear as labels, never as option values.
    for level in LEVELS:
        assert f"verdict becomes {level}" not in page
    rep = evaluate(kb, answers)
    for dis in rep.discouraged:
        assert f"**{dis.severity}**" not in page  # severities as badges with words, not raw ids


def test_not_sure_answers_show_what_finding_out_would_change(kb: KnowledgeBase) -> None:
    answers = scenario(kb, ROOT / "examples" / "small-team-no-mesh-good-fit.yaml")
    page = texts(open_tab(results_for(kb, answers), "What if"))
    assert "What your \u201cNot sure\u201d answers cost" in page
    section = page.split("What your \u201cNot sure\u201d answers cost", 1)[1]
    assert kb.questions["bad_record_policy"].text in section
    assert "finding out would not change the advice" in section
    # A scenario without "Not sure" answers shows no such section.
    assert "Not sure\u201d answers cost" not in texts(open_tab(results_for(kb, scenario(kb, GOOD)), "What if"))


def test_each_note_is_shown_once(kb: KnowledgeBase, case: tuple[dict, AppTest]) -> None:  # type: ignore[type-arg]
    answers, at = case
    rep = evaluate(kb, answers)
    shown = [i.value for i in at.info]
    for note in rep.notes:  # with the verdict, or inside the card of the pattern it explains
        assert sum(1 for v in shown if note.text[:40] in v) == 1, note.rule


def test_a_cautioned_pattern_shows_its_care_on_the_results_and_catalogue_pages(kb: KnowledgeBase) -> None:
    answers = scenario(kb, GOOD.parent / "cdc-customer360-good-fit.yaml")
    rec = next(r for r in evaluate(kb, answers).recommended if r.caution)
    at = results_for(kb, answers)
    assert any("With care:" in w.value and rec.caution[:40] in w.value.replace("\\", "") for w in at.warning)
    at.query_params["pattern"] = rec.pattern
    at.switch_page(CATALOGUE)
    run(at)
    assert any("With care:" in w.value for w in at.warning), "the pattern's own page repeats the caution"
