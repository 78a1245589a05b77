"""Results: verdict, patterns with their reasons, what-if, diagram, trade-offs, checklist, exports."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from kafka_advisor import diagram, exports
from kafka_advisor.engine import evaluate
from kafka_advisor.exports.common import JUDGEMENT_WORDS, PHASE_HEADINGS
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import AnswerValue, ConfigValue, Report, ReportItem, WhatIf
from kafka_advisor.ui import pages, state
from kafka_advisor.ui.style import (
    LEVELS,
    SEVERITIES,
    answer_md,
    kb_md,
    level_md,
    md_escape,
    section_title,
    severity_md,
)
from kafka_advisor.ui.widgets import pattern_link, show_dot, show_reasons, verdict_banner
from kafka_advisor.whatif import unsure_costs

WHAT_IF_SHOWN = 6


# --------------------------------------------------------------------------- callbacks


def _tick(item_id: str) -> None:
    if st.session_state.get(state.CHECK_PREFIX + item_id):
        state.checked().add(item_id)
    else:
        state.checked().discard(item_id)


PREVIEW, UNDO = "whatif_preview", "whatif_undo_answers"  # (question, value) shown; answers before the change


def _changed(qid: str, value: AnswerValue | None) -> dict[str, AnswerValue]:
    new = dict(state.answers())
    if value is None or value == []:
        new.pop(qid, None)
    else:
        new[qid] = value
    return new


def _preview(qid: str, value: AnswerValue | None) -> None:
    st.session_state[PREVIEW] = (qid, value)


def _cancel() -> None:
    st.session_state.pop(PREVIEW, None)


def _apply(qid: str, value: AnswerValue | None) -> None:
    st.session_state[UNDO] = (dict(state.answers()), state.title())
    st.session_state.pop(PREVIEW, None)
    state.replace_answers(_changed(qid, value), new_title=state.title())
    q = state.get_kb().questions[qid]
    state.flash("success", f"Changed **{kb_md(q.text)}** to **{answer_md(q, value)}**. The results below follow "
                           "the new answer; the Assess page has it too. **Undo** below brings the old answer back.")


def _undo() -> None:
    before, title = st.session_state.pop(UNDO)
    state.replace_answers(before, new_title=title)
    state.flash("info", "The change is undone: the results follow your previous answers again.")


# --------------------------------------------------------------------------- sections


def verdict(kb: KnowledgeBase, rep: Report) -> None:
    verdict_banner(rep.verdict)
    if rep.verdict.risks:
        st.markdown("**Top risks**\n" + "\n".join(f"- **{RISK_WORDS.get(r.kind, r.kind)}:** {kb_md(r.text)}"
                                                   for r in rep.verdict.risks[:3]))
    if rep.verdict.reasons:
        with st.expander("Why this verdict", icon=":material/help:"):
            show_reasons(kb, rep.verdict.reasons)
    proposals(kb, rep)
    if rep.unanswered:
        n = len(rep.unanswered)
        st.caption(f"{n} relevant question{'s are' if n != 1 else ' is'} still open; answering "
                   f"{'them' if n != 1 else 'it'} may change the advice.")
    for note in rep.notes:
        if note.pattern is None:  # the others sit with the pattern they explain
            st.info(kb_md(note.text), icon=":material/lightbulb:")


def pattern_notes(rep: Report, pid: str) -> None:
    for note in rep.notes:
        if note.pattern == pid:
            st.info(kb_md(note.text), icon=":material/lightbulb:")


RISK_WORDS = {"operations": "Operations", "cost": "Cost", "data-loss": "Data loss", "skills": "Skills",
              "complexity": "Complexity", "latency": "Latency"}
JUDGEMENT_LOOK = {"endorse": (":material/check_circle:", st.success), "conditions": (":material/rule:", st.warning),
                  "warn": (":material/block:", st.error)}
TIER_TITLES = {"core": "Core", "baseline": "Baseline", "later": "Later"}
TIER_CAPTIONS = {"core": "The few patterns that shape this architecture.",
                 "baseline": "Always-on hygiene: keep it short and keep it on.",
                 "later": "Worth it when the system grows; each says when."}


def proposals(kb: KnowledgeBase, rep: Report) -> None:
    if not rep.proposals:
        return
    st.subheader("Your proposals, reviewed", anchor="proposals")
    for j in rep.proposals:
        title, (icon, box) = JUDGEMENT_WORDS[j.judgement], JUDGEMENT_LOOK[j.judgement]
        body = f"**{title}: {md_escape(j.label)}**"
        if j.alternative:
            body += f"  \n**Instead:** {kb_md(j.alternative)}"
        body += "".join(f"  \n- {kb_md(c)}" for c in j.conditions)
        box(body, icon=icon)
        if j.reasons:
            with st.expander(f"Why: {j.label}", icon=":material/help:"):
                show_reasons(kb, j.reasons)


def recommended(kb: KnowledgeBase, rep: Report) -> None:
    st.header("Recommended patterns", anchor="recommended")
    if not rep.recommended:
        st.info("No Kafka pattern is recommended for these answers.", icon=":material/info:")
        return
    rank = 0
    for tier in TIER_TITLES:
        recs = [r for r in rep.recommended if r.tier == tier]
        if not recs:
            continue
        st.subheader(TIER_TITLES[tier], anchor=f"tier-{tier}")
        st.caption(TIER_CAPTIONS[tier])
        for rec in recs:
            rank += 1
            pattern = kb.patterns[rec.pattern]
            with st.expander(f"{rank}. {rec.name}", icon=":material/thumb_up:"):
                if rec.trigger:
                    st.markdown(f"**When:** {kb_md(rec.trigger)}")
                if rec.required_by:
                    st.markdown("**Needed by:** " + ", ".join(kb_md(kb.patterns[p].name) for p in rec.required_by))
                st.markdown(kb_md(pattern.summary))
                st.caption(f"Chapter {section_title(pattern.section)}")
                pattern_notes(rep, rec.pattern)
                st.markdown("##### Why it is recommended")
                show_reasons(kb, rec.reasons)
                if rec.pairs_with:
                    st.caption("Pairs with: " + ", ".join(kb_md(kb.patterns[p].name) for p in rec.pairs_with))
                pattern_link(kb, rec.pattern, f"Open {rec.name} in the catalogue")


def discouraged(kb: KnowledgeBase, rep: Report) -> None:
    st.header("Discouraged patterns", anchor="discouraged")
    if not rep.discouraged:
        st.caption("Nothing in your answers argues against a particular pattern.")
        return
    for dis in rep.discouraged:
        with st.container(border=True):
            st.markdown(f"{severity_md(dis.severity)} **{kb_md(dis.name)}**")
            st.markdown(f"**Instead:** {kb_md(dis.alternative)}")
            if dis.pattern not in {r.pattern for r in rep.recommended}:
                pattern_notes(rep, dis.pattern)
            with st.expander(f"Why not {dis.name}?", icon=":material/help:"):
                show_reasons(kb, dis.reasons)
            pattern_link(kb, dis.pattern, f"Read about {dis.name}")


def what_if_md(kb: KnowledgeBase, w: WhatIf) -> str:
    q = kb.questions[w.question]
    def names(ids: list[str]) -> str:
        return kb_md(", ".join(kb.patterns[p].name for p in ids))  # pattern names come from the knowledge base

    parts = [f"the verdict becomes {level_md(w.verdict)}"] if w.verdict is not None else []
    for verb, ids in (("recommends", w.recommends), ("no longer recommends", w.no_longer_recommends),
                      ("discourages", w.discourages), ("no longer discourages", w.no_longer_discourages)):
        if ids:
            parts.append(f"{verb} {names(ids)}")
    effect = "; ".join(parts)
    question = f"**{kb_md(q.text)}**"
    if q.type == "multi" and isinstance(w.to, list):
        before = w.from_ if isinstance(w.from_, list) else []
        added = [v for v in w.to if v not in before]
        dropped = [v for v in before if v not in w.to]
        if added:
            return f"If you also chose **{md_escape(q.label_of(added[0]))}** for {question}: {effect}."
        if dropped:
            return f"If you did not choose **{md_escape(q.label_of(dropped[0]))}** for {question}: {effect}."
    if w.from_ is None:
        return f"If you answered {question} with **{answer_md(q, w.to)}**: {effect}."
    return f"If {question} were **{answer_md(q, w.to)}** instead of {answer_md(q, w.from_)}: {effect}."


def unsure(kb: KnowledgeBase, rep: Report) -> None:
    """What each "Not sure" answer costs: the answers that would change the advice once known."""
    costs = unsure_costs(rep)
    if not costs:
        return
    st.subheader("What your \u201cNot sure\u201d answers cost", anchor=False)
    lines = []
    for qid, changes in costs.items():
        question = f"**{kb_md(kb.questions[qid].text)}**"
        if not changes:
            lines.append(f"- {question}: finding out would not change the advice.")
            continue
        lines.append(f"- {question}: finding out matters.")
        lines += [f"    - {what_if_md(kb, w)}" for w in changes]
    st.markdown("\n".join(lines))


def what_if(kb: KnowledgeBase, rep: Report) -> None:
    st.header("What if", anchor="what-if")
    if not rep.what_if:
        st.caption("No single change to your answers would change the advice.")
        return
    st.caption("Single answers that would change the verdict or the patterns, the most consequential first.")
    unsure(kb, rep)
    if UNDO in st.session_state:
        st.button("Undo the last change", key="whatif_undo", on_click=_undo, icon=":material/undo:")
    preview = st.session_state.get(PREVIEW)
    if preview is not None:
        what_if_preview(kb, rep, *preview)
    choices = [w for w in rep.what_if if not w.fact]
    facts = [w for w in rep.what_if if w.fact]
    for i, w in enumerate(choices[:WHAT_IF_SHOWN]):
        text, button = st.columns([6, 1], vertical_alignment="center")
        text.markdown(what_if_md(kb, w))
        button.button("Preview", key=f"whatif_{i}", on_click=_preview, args=(w.question, w.to), type="tertiary",
                      icon=":material/preview:", help="Compare the result before and after this change first")
    rest = choices[WHAT_IF_SHOWN:]
    if rest:  # one list, not a row of widgets each: the page stays quick to redraw
        with st.expander(f"{len(rest)} more"):
            st.markdown("\n".join(f"- {what_if_md(kb, w)}" for w in rest))
    if facts:
        # Facts about the system are not levers: they are offered for checking, not for applying.
        with st.expander(f"If your system were different ({len(facts)})", icon=":material/fact_check:"):
            st.caption("These answers describe your system rather than a choice you make. If one is wrong, "
                       "correct it on the Assess page; these are the ones that would change the advice.")
            st.markdown("\n".join(f"- {what_if_md(kb, w)}" for w in facts))


def what_if_preview(kb: KnowledgeBase, rep: Report, qid: str, value: AnswerValue | None) -> None:
    """Before and after, side by side: the verdict, the core and the discouraged patterns."""
    after = evaluate(kb, _changed(qid, value))
    q = kb.questions[qid]
    with st.container(border=True, key="whatif_preview_box"):
        st.markdown(f"**Preview:** {kb_md(q.text)} → **{answer_md(q, value)}**")
        cols = st.columns(2)
        for col, title, r in ((cols[0], "Now", rep), (cols[1], "After the change", after)):
            core = [x.name for x in r.recommended if x.tier == "core"]
            col.markdown(f"**{title}:** {level_md(r.verdict.level)}  \n"
                         f"Core: {kb_md(', '.join(core)) if core else 'none'}  \n"
                         f"Discouraged: {kb_md(', '.join(d.name for d in r.discouraged)) or 'none'}")
        apply_col, cancel_col = st.columns(2)
        apply_col.button("Apply this change", key="whatif_apply", on_click=_apply, args=(qid, value), type="primary",
                         icon=":material/published_with_changes:")
        cancel_col.button("Cancel", key="whatif_cancel", on_click=_cancel)


def _prefs() -> dict[str, bool]:
    """Display choices that the exports follow; a plain dict, so a deferred download reads it live."""
    return st.session_state.setdefault("prefs", {})


def _show_discouraged_changed() -> None:
    _prefs()["show_discouraged"] = bool(st.session_state.get("show_discouraged"))


@st.fragment
def architecture(kb: KnowledgeBase, rep: Report) -> None:
    """The recommended architecture (a fragment: the toggle redraws only the diagram)."""
    st.header("Recommended architecture", anchor="architecture")
    if "show_discouraged" not in st.session_state:  # the toggle's own value is dropped on page switches
        st.session_state["show_discouraged"] = _prefs().get("show_discouraged", False)
    show = st.toggle("Also draw the discouraged patterns (dashed red)", key="show_discouraged",
                     disabled=not rep.discouraged, on_change=_show_discouraged_changed,
                     help="The diagram exports follow this choice.")
    dot = state.memo("report_dot", (state.answers_key(), show), lambda: diagram.report_dot(rep, kb, show_discouraged=show))
    show_dot(dot, alt="Recommended Kafka architecture")


@st.fragment
def tradeoffs(kb: KnowledgeBase, rep: Report) -> None:
    st.header("Trade-offs", anchor="trade-offs")
    if not rep.recommended:
        st.caption("No recommended patterns to compare.")
        return
    names = {r.pattern: r.name for r in rep.recommended}
    chosen = st.pills("Patterns to compare side by side", list(names), selection_mode="multi",
                      default=list(names)[:3], format_func=names.__getitem__, key="compare")
    if not chosen:
        st.caption("Pick one or more patterns above.")
    per_row = 3
    for start in range(0, len(chosen), per_row):
        for col, pid in zip(st.columns(per_row), chosen[start:start + per_row], strict=False):
            t = kb.patterns[pid].tradeoffs
            with col.container(border=True, height="stretch"):
                st.markdown(f"**{kb_md(names[pid])}**")
                st.markdown(":green[**Pros**]\n" + "\n".join(f"- {kb_md(p)}" for p in t.pros))
                st.markdown(":red[**Cons**]\n" + "\n".join(f"- {kb_md(c)}" for c in t.cons))


def _config_value(v: ConfigValue) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _config_md(item: ReportItem) -> str:
    parts = [f"{scope.replace('_', ' ')}: `{k}={_config_value(v)}`" for scope, kv in item.config.items() for k, v in kv.items()]
    return " · ".join(parts)


def checklist_groups(kb: KnowledgeBase, rep: Report) -> list[tuple[str, str, list[ReportItem]]]:
    """(phase, pattern, items): "do first" before "later", recommended patterns first in rank order."""
    order = [r.pattern for r in rep.recommended]
    groups: dict[tuple[str, str], list[ReportItem]] = {}
    for item in rep.checklist:
        groups.setdefault((item.phase, item.pattern), []).append(item)
    ranked = sorted(groups, key=lambda k: (list(PHASE_HEADINGS).index(k[0]), order.index(k[1]) if k[1] in order else len(order),
                                           kb.patterns[k[1]].name))
    return [(phase, pid, groups[(phase, pid)]) for phase, pid in ranked]


def checklist(kb: KnowledgeBase, rep: Report) -> None:
    st.header("Checklist", anchor="checklist")
    if not rep.checklist:
        st.caption("No checklist items for these answers.")
        return
    groups = checklist_groups(kb, rep)
    st.caption(f"{len(rep.checklist)} items for {len({pid for _, pid, _ in groups})} patterns, the ones to do first "
               "at the top. Tick what you have done: ticks stay while you move around and go into the exports.")
    severities, hide = st.columns([3, 2], vertical_alignment="bottom")
    shown = severities.pills("Severity", list(SEVERITIES), selection_mode="multi", default=list(SEVERITIES),
                             format_func=lambda s: SEVERITIES[s].label, key="checklist_severity")
    hide_done = hide.toggle("Hide done items", key="checklist_hide_done")
    phase = None
    for item_phase, pid, items in groups:
        if item_phase != phase:
            phase = item_phase
            st.subheader(PHASE_HEADINGS[phase], anchor=f"checklist-{phase}", divider="gray")
        checklist_group(kb, phase, pid, items, tuple(shown), hide_done)


@st.fragment
def checklist_group(kb: KnowledgeBase, phase: str, pid: str, items: list[ReportItem], shown: tuple[str, ...],
                    hide_done: bool) -> None:
    """One pattern's items, as a fragment: a tick redraws this group only. Measured in Chromium, every
    checkbox on the page costs about a millisecond to redraw, and the checklist can hold a hundred."""
    checked = state.checked()
    visible = [i for i in items if i.severity in shown and not (hide_done and i.id in checked)]
    if not visible:
        return
    st.subheader(kb.patterns[pid].name, anchor=False)
    done = sum(1 for i in items if i.id in checked)
    with st.container(key=f"progress__{phase}__{pid}"):
        st.progress(done / len(items), text=f"{done} of {len(items)} done")
    for item in visible:
        key = state.CHECK_PREFIX + item.id
        if key not in st.session_state:
            st.session_state[key] = item.id in checked
        config = f" · {_config_md(item)}" if item.config else ""
        st.checkbox(f"{severity_md(item.severity)} {kb_md(item.text)}{config}", key=key, on_change=_tick,
                    args=(item.id,), help=kb_md(item.why) if item.why else None)


def _export(name: str, rep: Report, kb: KnowledgeBase, checked: set[str], prefs: dict[str, bool],
            title: str | None) -> bytes:
    """Render one format from the ticks and choices as they are now."""
    ids = {i.id for i in rep.checklist}
    ctx = exports.ExportContext(report=rep, kb=kb, checked=frozenset(checked & ids), title=title,
                                show_discouraged=prefs.get("show_discouraged", False))
    return exports.export(name, ctx)


READY = "export_ready"  # (format, answers key, ticked ids, bytes) of the file last prepared


def _prepare(name: str, rep: Report, kb: KnowledgeBase) -> None:
    ticked = frozenset(state.checked() & {i.id for i in rep.checklist})
    st.session_state[READY] = (name, state.answers_key(), ticked, _export(name, rep, kb, set(ticked), _prefs(),
                                                                          state.title()))


def export_buttons(kb: KnowledgeBase, rep: Report) -> None:
    st.header("Export and share", anchor="export")
    export_panel(kb, rep)
    share(kb)


@st.fragment
def export_panel(kb: KnowledgeBase, rep: Report) -> None:
    """Prepare a format, then save it. Two steps rather than a deferred download button: Streamlit 1.67
    stores a deferred button's file without an owner, so under load other sessions' clean-up deleted
    it before the browser fetched it (HTTP 404 in bench/bench_load.py). Bytes given to the button
    belong to this session. A fragment, so preparing redraws only this panel."""
    ctx = exports.ExportContext(report=rep, kb=kb, title=state.title())
    has_dot = diagram.dot_available()
    names = list(exports.EXPORTERS)
    st.caption("Pick a format to prepare it with your ticks as they are now, then save it.")
    per_row = 4
    for start in range(0, len(names), per_row):
        for col, name in zip(st.columns(per_row), names[start:start + per_row], strict=False):
            ex = exports.EXPORTERS[name]
            missing = ex.needs_dot and not has_dot
            col.button(ex.label, key=f"export_{name}", on_click=_prepare, args=(name, rep, kb), disabled=missing,
                       help="Needs Graphviz (dot) on the server" if missing else None, width="stretch")
    ready = st.session_state.get(READY)
    if not ready or ready[1] != state.answers_key():
        return
    name, _, ticked, data = ready
    ex = exports.EXPORTERS[name]
    fresh = ticked == frozenset(state.checked() & {i.id for i in rep.checklist})
    with st.container(border=True, key="export_ready_box"):
        note = f"{len(ticked)} of {len(rep.checklist)} checklist items ticked."
        if not fresh:
            note += " Your ticks have changed since: prepare it again to include them."
        st.markdown(f"**{ex.label}** is ready. {note}")
        st.download_button(f"Save {exports.filename(name, ctx)}", data=data, file_name=exports.filename(name, ctx),
                           mime=ex.mime, on_click="ignore", icon=":material/download:", key="export_download",
                           type="primary")


def share(kb: KnowledgeBase) -> None:
    st.subheader("Share", anchor=False)
    query = urlencode(state.share_query(kb))
    base = st.context.url
    if base:
        st.caption("This link opens the same answers and results:")
        st.code(f"{base}?{query}", language=None, wrap_lines=True)
    else:
        st.caption("The address bar holds your answers: copy it to share these results.")


def legend() -> None:
    levels = " ".join(level_md(lv) for lv in LEVELS)
    sev = " ".join(severity_md(s) for s in SEVERITIES)
    st.caption(f"Verdicts: {levels}  \nSeverities: {sev}")


# --------------------------------------------------------------------------- page


def render() -> None:
    kb = state.get_kb()
    answers = state.answers()
    st.title("Results")
    state.show_flash()
    if not answers:
        st.info("No answers yet. Answer the questionnaire first, load an answers file, or open a shared link.",
                icon=":material/info:")
        st.page_link(pages.ASSESS, label="Start the assessment", icon=":material/arrow_forward:")
        state.mirror_to_url(kb)
        return
    rep = state.report(kb)
    name = kb.system_name(rep.answers) or state.title()
    if name:
        st.caption(f"Assessment of **{md_escape(str(name))}**")
    verdict(kb, rep)
    with st.sidebar:
        st.subheader("On this page")
        st.markdown("\n".join(f"- [{t}](#{a})" for t, a in (
            ("Export and share", "export"), ("Recommended", "recommended"), ("Discouraged", "discouraged"),
            ("What if", "what-if"), ("Architecture", "architecture"), ("Trade-offs", "trade-offs"),
            ("Checklist", "checklist"))))
        st.page_link(pages.ASSESS, label="Change answers", icon=":material/edit:")
        legend()
    # Summary first: the verdict, the proposals and the exports come before the details, so the
    # share link and the files are not below a long checklist.
    export_buttons(kb, rep)
    recommended(kb, rep)
    discouraged(kb, rep)
    what_if(kb, rep)
    architecture(kb, rep)
    tradeoffs(kb, rep)
    checklist(kb, rep)
    state.mirror_to_url(kb)


if __name__ == "__main__":  # st.navigation runs page files as __main__
    render()
