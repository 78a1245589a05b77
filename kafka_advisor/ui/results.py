"""Results, summary first: the verdict at a glance, the core patterns and the exports; details in tabs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from kafka_advisor import diagram, exports, present
from kafka_advisor.engine import evaluate
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import AnswerValue, Report, WhatIf
from kafka_advisor.sizing import retention_words
from kafka_advisor.ui import pages, state
from kafka_advisor.ui.architecture import show_architecture
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
from kafka_advisor.ui.widgets import pattern_link
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


# --------------------------------------------------------------------------- the summary


JUDGEMENT_LOOK = {"endorse": (":material/check_circle:", "green"), "conditions": (":material/rule:", "orange"),
                  "warn": (":material/block:", "red")}
BANNER = {"good-fit": st.success, "fit-with-caveats": st.warning, "poor-fit": st.error}
CARDS_PER_ROW = 3


def reasons_md(reasons: list[present.ReasonView]) -> str:
    """Rules that fired, each with its reasoning, the answers behind it and its chapter sections."""
    blocks = []
    for r in reasons:
        out = f"**{kb_md(r.title)}**  \n{kb_md(r.because)}"
        if r.answers:
            out += "\n\n_Because you answered:_\n" + "\n".join(f"- {kb_md(q)} → **{md_escape(a)}**" for q, a in r.answers)
        if r.refs:
            out += f"\n\n:gray[Chapter {', '.join(section_title(x) for x in r.refs)}]"
        blocks.append(out)
    return "\n\n---\n\n".join(blocks)


def glance(vm: present.ViewModel) -> None:
    """The verdict at a glance: the decision, why, the top risks and what to use instead."""
    v = vm.verdict
    look = LEVELS[v.level]
    body = f"### {v.decision_words}\n:small[{look.label}]"
    instead = [a for _, alts in v.alternative_groups for a in alts]
    if v.system_alternatives:
        heading = v.alternative_groups[0][0]  # the system alternatives come first, under their level's heading
        alts = [kb_md(a) for a in v.system_alternatives]
        # Each alternative is a sentence of its own: one stays inline, several become a list.
        body += f"\n\n**{heading}:** {alts[0]}" if len(alts) == 1 else f"\n\n**{heading}:**\n" + "\n".join(f"- {a}" for a in alts)
    BANNER[v.level](body, icon=look.icon)
    why = [r.title for r in (v.reasons or v.drivers)][:present.TOP_REASONS]
    parts = [a for a in instead if a not in v.system_alternatives]
    columns = [c for c in (("Why", why), ("Top risks", [f"**{r.label}:** {r.text}"
                                                        for r in v.risks[:present.TOP_RISKS]]),
                           ("For parts of the system", parts)) if c[1]]
    if columns:
        for col, (heading, lines) in zip(st.columns(len(columns)), columns, strict=True):
            col.markdown(f"**{heading}**\n" + "\n".join(f"- {kb_md(x)}" for x in lines))
    with st.expander("More on this verdict", icon=":material/help:"):
        st.markdown(kb_md(v.summary))
        for note in v.notes:
            st.info(kb_md(note), icon=":material/lightbulb:")
        if v.reasons:
            st.markdown(reasons_md(v.reasons))
        if v.outweighed:
            st.markdown(f"**{present.OUTWEIGHED_HEADING}**")
            st.markdown(reasons_md(v.outweighed))


def proposals_glance(vm: present.ViewModel) -> None:
    if not vm.proposals:
        return
    st.markdown("**Your proposals, reviewed**")
    lines = []
    for j in vm.proposals:
        icon, colour = JUDGEMENT_LOOK[j.judgement]
        line = f"- :{colour}[{icon} **{j.words}**]: {md_escape(j.label)}"
        if j.alternative:
            line += f" — instead: {kb_md(j.alternative)}"
        lines.append(line)
    st.markdown("\n".join(lines))


def core_cards(vm: present.ViewModel) -> None:
    cards = vm.tiers.get("core", [])
    if not cards:
        st.info("No Kafka pattern is recommended for these answers.", icon=":material/info:")
        return
    st.subheader(vm.core_title, anchor="core")
    for start in range(0, len(cards), CARDS_PER_ROW):
        row = cards[start:start + CARDS_PER_ROW]
        for col, card in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            with col.container(border=True, height="stretch", key=f"core_card_{card.id}"):
                st.markdown(f"**{card.rank}. {kb_md(card.name)}**")
                st.caption(kb_md(_short(card.summary)))
                if card.reasons:
                    st.markdown(f":gray[Why:] {kb_md(card.reasons[0].title)}")
    rest = {t: len(c) for t, c in vm.tiers.items() if t != "core"}
    if rest or vm.discouraged:
        bits = [f"{n} {t}" for t, n in rest.items()] + ([f"{len(vm.discouraged)} discouraged"] if vm.discouraged else [])
        st.caption("Also: " + ", ".join(bits) + " — see the Patterns tab.")


def _short(text: str, limit: int = 170) -> str:
    """The first sentence, or the text cut at a word, for a card."""
    first = text.split(". ")[0].rstrip(".") + "."
    if len(first) <= limit:
        return first
    return text[:limit].rsplit(" ", 1)[0] + "…"


# --------------------------------------------------------------------------- the tabs


def patterns_tab(kb: KnowledgeBase, vm: present.ViewModel) -> None:
    for tier, cards in vm.tiers.items():
        st.subheader(vm.tier_headings[tier], anchor=f"tier-{tier}")
        for card in cards:
            with st.expander(f"{card.rank}. {card.name}", icon=":material/thumb_up:"):
                if card.trigger:
                    st.markdown(f"**When:** {kb_md(card.trigger)}")
                if card.meanwhile:
                    st.markdown(f"**Meanwhile:** {kb_md(card.meanwhile)}")
                if card.caution:
                    st.warning(f"**With care:** {kb_md(card.caution)}", icon=":material/warning:")
                    st.caption("Why the care: " + "; ".join(kb_md(x.title) for x in card.caution_reasons))
                if card.needed_by:
                    st.markdown("**Needed by:** " + ", ".join(kb_md(n) for n in card.needed_by))
                st.markdown(kb_md(card.summary))
                st.caption(f"Chapter {section_title(card.section)}")
                for note in card.notes:
                    st.info(kb_md(note), icon=":material/lightbulb:")
                st.markdown("##### Why it is recommended")
                st.markdown(reasons_md(card.reasons))
                pattern_link(kb, card.id, f"Open {card.name} in the catalogue")
    proposals_detail(vm)
    discouraged(kb, vm)


def proposals_detail(vm: present.ViewModel) -> None:
    if not vm.proposals:
        return
    st.subheader("Your proposals, reviewed", anchor="proposals")
    for j in vm.proposals:
        icon, colour = JUDGEMENT_LOOK[j.judgement]
        body = f":{colour}[{icon} **{j.words}**]: **{md_escape(j.label)}**"
        if j.alternative:
            body += f"  \n**Instead:** {kb_md(j.alternative)}"
        body += "".join(f"  \n- {kb_md(c)}" for c in j.conditions)
        with st.container(border=True):
            st.markdown(body)
            if j.reasons:
                with st.expander(f"Why: {j.label}", icon=":material/help:"):
                    st.markdown(reasons_md(j.reasons))


def discouraged(kb: KnowledgeBase, vm: present.ViewModel) -> None:
    st.subheader("Discouraged patterns", anchor="discouraged")
    if not vm.discouraged:
        st.caption("Nothing in your answers argues against a particular pattern.")
        return
    recommended_ids = {c.id for c in vm.cards}
    for dis in vm.discouraged:
        with st.container(border=True):
            st.markdown(f"{severity_md(dis.severity)} **{kb_md(dis.name)}**")
            st.markdown(f"**Instead:** {kb_md(dis.alternative)}")
            if dis.id not in recommended_ids:
                for note in dis.notes:
                    st.info(kb_md(note), icon=":material/lightbulb:")
            with st.expander(f"Why not {dis.name}?", icon=":material/help:"):
                st.markdown(reasons_md(dis.reasons))
            pattern_link(kb, dis.id, f"Read about {dis.name}")


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
    after = evaluate(kb, _changed(qid, value), inventory=rep.inventory)
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


@st.fragment
def tradeoffs(kb: KnowledgeBase, rep: Report) -> None:
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


def checklist(kb: KnowledgeBase, vm: present.ViewModel) -> None:
    if not vm.items:
        st.caption("No checklist items for these answers.")
        return
    patterns = {i.pattern_id for i in vm.items}
    st.caption(f"{vm.total} items for {len(patterns)} patterns, the ones to do first at the top. Tick what you have "
               "done: ticks stay while you move around and go into the exports.")
    severities, hide = st.columns([3, 2], vertical_alignment="bottom")
    shown = severities.pills("Severity", list(SEVERITIES), selection_mode="multi", default=list(SEVERITIES),
                             format_func=lambda s: SEVERITIES[s].label, key="checklist_severity")
    hide_done = hide.toggle("Hide done items", key="checklist_hide_done")
    for group in vm.checklist:
        st.subheader(group.heading, anchor=f"checklist-{group.phase}", divider="gray")
        for name, items in group.patterns:
            checklist_group(group.phase, name, items, tuple(shown), hide_done)


def item_md(item: present.ItemView) -> str:
    """A checklist line: severity, the text, its config as code, and the inventory parts it is for."""
    line = f"{severity_md(item.severity)} {kb_md(item.text)}"
    if item.config:
        line += f" · `{item.config}`"
    if item.applies_to:
        line += "  \n:gray[For each: " + ", ".join(md_escape(x) for x in item.applies_to) + "]"
    if item.snippet:
        line += "  \n:gray[:material/code: Ready-to-paste config in the Configs tab]"
    return line


@st.fragment
def checklist_group(phase: str, name: str, items: list[present.ItemView], shown: tuple[str, ...],
                    hide_done: bool) -> None:
    """One pattern's items, as a fragment: a tick redraws this group only. Measured in Chromium, every
    checkbox on the page costs about a millisecond to redraw, and the checklist can hold a hundred."""
    checked = state.checked()
    visible = [i for i in items if i.severity in shown and not (hide_done and i.id in checked)]
    if not visible:
        return
    st.markdown(f"**{kb_md(name)}**")
    done = sum(1 for i in items if i.id in checked)
    with st.container(key=f"progress__{phase}__{items[0].pattern_id}"):
        st.progress(done / len(items), text=f"{done} of {len(items)} done")
    for item in visible:
        key = state.CHECK_PREFIX + item.id
        if key not in st.session_state:
            st.session_state[key] = item.id in checked
        st.checkbox(item_md(item), key=key, on_change=_tick, args=(item.id,),
                    help=kb_md(item.why) if item.why else None)


CODE_LANGUAGES = {"java-properties": "properties", "topic-properties": "properties", "connect-worker": "properties",
                  "streams": "properties", "librdkafka": "python", "topic-cli": "bash", "connector-json": "json"}


def configs_tab(vm: present.ViewModel) -> None:
    """Config snippets per pattern, each with the real client's copy button (st.code)."""
    if not vm.snippets:
        st.caption("No config snippets for these answers.")
        return
    st.caption("Values follow from your answers and inventory; each line says why it is there and cites the "
               "chapter. librdkafka snippets are checked by building a real confluent-kafka client; the other keys "
               "against Kafka's own config lists. The zip export holds them as files.")
    by_pattern: dict[str, list[Any]] = {}
    for snip in vm.snippets:
        by_pattern.setdefault(snip.pattern, []).append(snip)
    names = {c.id: c.name for c in vm.cards}
    for pid, snips in by_pattern.items():
        st.subheader(names.get(pid, pid), anchor=False)
        for snip in snips:
            with st.expander(f"{snip.title} · {snip.flavour.replace('-', ' ')}", icon=":material/code:"):
                if snip.flavour == "connector-json":  # JSON holds no comments: they sit above it
                    st.code("\n".join(snip.header), language="bash", wrap_lines=True)
                    st.code(snip.body, language="json")
                else:
                    st.code(snip.text, language=CODE_LANGUAGES.get(snip.flavour, "text"))


def sizing_tab(vm: present.ViewModel) -> None:
    """Each topic's partitions, replication and storage, with the formula and what was assumed."""
    if not vm.sizing:
        st.caption("Nothing to size: no topics are recommended.")
        return
    st.caption("Partitions cover the peak throughput and the widest consumer group; storage covers the retention "
               "with headroom. Where an answer does not say, the assumption is named under each topic.")
    st.dataframe([{"Topic": t.name, "Kind": t.kind, "Partitions": t.partitions, "Replicas": t.replication_factor,
                   "min.insync.replicas": t.min_insync_replicas, "Retention": retention_words(t.retention_ms),
                   "Broker disks": present.human_bytes(t.broker_bytes),
                   "Remote tier": present.human_bytes(t.remote_bytes) if t.tiered else "—",
                   "Example": "yes" if t.example else ""} for t in vm.sizing], hide_index=True)
    for t in vm.sizing:
        with st.expander(f"{t.name}: how it was sized"):
            st.markdown(f"**Partitions** = {md_escape(t.formula)}")
            st.markdown("\n".join(f"- {md_escape(a)}" for a in t.assumptions))


def answers_tab(vm: present.ViewModel) -> None:
    if vm.inventory is not None:
        st.subheader("Your system's parts", anchor=False)
        st.caption(md_escape(vm.inventory.summary))
        if vm.inventory.services:
            st.dataframe([dict(zip(("Service", "Team", "Database", "Produces", "Consumes"), row, strict=True))
                          for row in vm.inventory.services], hide_index=True)
        if vm.inventory.externals:
            st.dataframe([dict(zip(("System", "Kind", "Direction", "Events"), row, strict=True))
                          for row in vm.inventory.externals], hide_index=True)
    for section in vm.answers:
        st.subheader(section.title, anchor=False)
        st.markdown("\n".join(f"- {kb_md(q)} → **{md_escape(a)}**" for q, a in section.rows))
    if vm.unanswered:
        st.caption("Still open: " + "; ".join(kb_md(q) for q in vm.unanswered))
    st.page_link(pages.ASSESS, label="Change answers", icon=":material/edit:")


def _export(name: str, rep: Report, kb: KnowledgeBase, checked: set[str], prefs: dict[str, bool],
            title: str | None) -> bytes:
    """Render one format from the ticks and choices as they are now."""
    ids = {i.id for i in rep.checklist}
    ctx = exports.ExportContext(report=rep, kb=kb, checked=frozenset(checked & ids), title=title,
                                show_discouraged=prefs.get("show_discouraged", False))
    return exports.export(name, ctx)


READY = "export_ready"  # (format, answers key, ticked ids, bytes) of the file last prepared


def _prepare(rep: Report, kb: KnowledgeBase) -> None:
    name = st.session_state["export_format"]  # read at click time: the pick may have changed in the same run
    ticked = frozenset(state.checked() & {i.id for i in rep.checklist})
    st.session_state[READY] = (name, state.answers_key(), ticked, _export(name, rep, kb, set(ticked), state.prefs(),
                                                                          state.title()))


def actions(kb: KnowledgeBase, rep: Report) -> None:
    """Exports and the share link, in the summary: not below a long checklist."""
    with st.container(border=True, key="actions"):
        left, right = st.columns([3, 2])
        with left:
            export_panel(kb, rep)
        with right:
            share(kb)


@st.fragment
def export_panel(kb: KnowledgeBase, rep: Report) -> None:
    """Pick a format and prepare it, then save it. Two steps rather than a deferred download button:
    Streamlit 1.67 stores a deferred button's file without an owner, so under load other sessions'
    clean-up deleted it before the browser fetched it (HTTP 404 in bench/bench_load.py). Bytes given to
    the button belong to this session. A fragment, so preparing redraws only this panel."""
    ctx = exports.ExportContext(report=rep, kb=kb, title=state.title())
    has_dot = diagram.dot_available()
    names = [n for n in exports.EXPORTERS if has_dot or not exports.EXPORTERS[n].needs_dot]
    pick, go = st.columns([3, 2], vertical_alignment="bottom")
    pick.selectbox("Export", names, format_func=lambda n: exports.EXPORTERS[n].label, key="export_format",
                          help="With your checklist ticks as they are now. Formats that draw the diagram need "
                               "Graphviz on the server." if not has_dot else "With your checklist ticks as they are now.")
    go.button("Prepare", key="export_prepare", on_click=_prepare, args=(rep, kb), icon=":material/description:",
              width="stretch")
    ready = st.session_state.get(READY)
    if not ready or ready[1] != state.answers_key():
        return
    name, _, ticked, data = ready
    ex = exports.EXPORTERS[name]
    fresh = ticked == frozenset(state.checked() & {i.id for i in rep.checklist})
    with st.container(key="export_ready_box"):
        note = f"{len(ticked)} of {len(rep.checklist)} checklist items ticked."
        if not fresh:
            note += " Your ticks have changed since: prepare it again to include them."
        st.caption(f"**{ex.label}** is ready. {note}")
        st.download_button(f"Save {exports.filename(name, ctx)}", data=data, file_name=exports.filename(name, ctx),
                           mime=ex.mime, on_click="ignore", icon=":material/download:", key="export_download",
                           type="primary")


def share(kb: KnowledgeBase) -> None:
    query = urlencode(state.share_query(kb))
    base = st.context.url
    st.markdown("**Share**")
    if base:
        with st.expander("Link to these answers and results", icon=":material/link:"):
            st.code(f"{base}?{query}", language=None, wrap_lines=True)
    else:
        st.caption("The address bar holds your answers: copy it to share these results.")


def legend() -> None:
    levels = " ".join(level_md(lv) for lv in LEVELS)
    sev = " ".join(severity_md(s) for s in SEVERITIES)
    st.caption(f"Verdicts: {levels}  \nSeverities: {sev}")


# --------------------------------------------------------------------------- page


TABS = ("Patterns", "Architecture", "Checklist", "Configs", "Sizing", "What if", "Trade-offs", "Answers")


def render() -> None:
    kb = state.get_kb()
    answers = state.answers()
    st.title("Results")
    state.show_flash()
    if not answers and state.inventory() is None:
        st.info("No answers yet. Answer the questionnaire first, load an answers file, or open a shared link.",
                icon=":material/info:")
        st.page_link(pages.ASSESS, label="Start the assessment", icon=":material/arrow_forward:")
        state.mirror_to_url(kb)
        return
    rep = state.report(kb)
    vm = state.memo("view", state.answers_key(), lambda: present.build(rep, kb, title=state.title()))
    name = vm.system or state.title()  # the system's name, else the answers file's title
    if name:
        st.caption(f"Assessment of **{md_escape(name)}**")
    with st.sidebar:
        st.page_link(pages.ASSESS, label="Change answers", icon=":material/edit:")
        legend()
    # Summary first (it fits two screens): the verdict, the user's proposals, the core, and the exports.
    glance(vm)
    proposals_glance(vm)
    core_cards(vm)
    if vm.unanswered:
        n = len(vm.unanswered)
        st.caption(f"{n} relevant question{'s are' if n != 1 else ' is'} still open; answering "
                   f"{'them' if n != 1 else 'it'} may change the advice (see Answers).")
    actions(kb, rep)
    # A keyed tab bar keeps the open tab across reruns (a Preview or a tick must not jump back to Patterns).
    # A keyed tab bar keeps the open tab across reruns (a Preview or a tick must not jump back to Patterns),
    # and only the open tab is drawn: a rerun then builds one tab's elements, not eight.
    containers = st.tabs(list(TABS), key="results_tab", on_change="rerun")
    shown = st.session_state.get("results_tab") or TABS[0]
    draw = {"Patterns": lambda: patterns_tab(kb, vm), "Architecture": lambda: show_architecture(kb, rep),
            "Checklist": lambda: checklist(kb, vm), "Configs": lambda: configs_tab(vm), "Sizing": lambda: sizing_tab(vm),
            "What if": lambda: what_if(kb, rep), "Trade-offs": lambda: tradeoffs(kb, rep),
            "Answers": lambda: answers_tab(vm)}
    with containers[TABS.index(shown) if shown in TABS else 0]:
        draw[shown if shown in TABS else TABS[0]]()
    state.mirror_to_url(kb)


if __name__ == "__main__":  # st.navigation runs page files as __main__
    render()
