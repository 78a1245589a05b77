"""Catalogue: every pattern, filterable by chapter section and searchable; one page per pattern."""

from __future__ import annotations

import streamlit as st

from kafka_advisor import diagram
from kafka_advisor.chapter import AREAS, SECTIONS, area_of
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import Pattern
from kafka_advisor.ui import pages, state
from kafka_advisor.ui.style import kb_md, md_escape, section_title, severity_md
from kafka_advisor.ui.widgets import pattern_link, show_dot

ALL = "all"


def searchable(p: Pattern) -> str:
    parts = [p.name, p.summary, *p.helps_when, *p.hurts_when, *p.tradeoffs.pros, *p.tradeoffs.cons,
             *(i.text for i in p.checklist), *p.alternatives]
    return " ".join(parts).lower()


def matches(p: Pattern, section: str, query: str) -> bool:
    if section != ALL:
        cited = {p.section, *p.refs}
        if section in AREAS:
            if not any(area_of(r) == section for r in cited):
                return False
        elif section not in cited:
            return False
    words = query.lower().split()
    text = searchable(p)
    return all(w in text for w in words)


def section_options(kb: KnowledgeBase) -> list[str]:
    """Chapter areas and the subsections some pattern cites, in chapter order."""
    cited = {r for p in kb.patterns.values() for r in (p.section, *p.refs)}
    cited |= {area_of(r) for r in cited}
    return [ALL, *(s for s in SECTIONS if s in cited)]


def listing(kb: KnowledgeBase) -> None:
    st.title("Pattern catalogue")
    st.caption("The Kafka interaction patterns this advisor knows, with their trade-offs and checklists.")
    search, section = st.columns([3, 2])
    query = search.text_input("Search", placeholder="e.g. outbox, exactly once, schema", key="cat_search",
                              icon=":material/search:")
    chosen = section.selectbox("Chapter section", section_options(kb), key="cat_section",
                               format_func=lambda s: "All sections" if s == ALL else
                               ("\u2003" if s.count(".") == 2 else "") + section_title(s))
    found = [p for p in kb.patterns.values() if matches(p, chosen, query)]
    found.sort(key=lambda p: (list(SECTIONS).index(p.section), p.name))
    st.caption(f"{len(found)} of {len(kb.patterns)} patterns")
    if not found:
        st.info("No pattern matches. Try fewer words or all sections.", icon=":material/search_off:")
    current_area = None
    for p in found:
        area = area_of(p.section)
        if area != current_area:
            st.subheader(section_title(area), anchor=False)
            current_area = area
        with st.container(border=True):
            st.markdown(f"**{kb_md(p.name)}** · :gray[{section_title(p.section)}]")
            st.markdown(kb_md(p.summary))
            pattern_link(kb, p.id, "Open", icon=":material/arrow_forward:")


def detail(kb: KnowledgeBase, p: Pattern) -> None:
    st.page_link(pages.CATALOGUE, label="All patterns", icon=":material/arrow_back:")
    st.title(p.name)
    st.caption(f"Chapter {section_title(p.section)}")
    rep = state.report(kb) if state.answers() else None
    if rep is not None:
        rec = next((r for r in rep.recommended if r.pattern == p.id), None)
        dis = next((d for d in rep.discouraged if d.pattern == p.id), None)
        if rec is not None:
            st.success(f"Recommended for your answers (rank {rep.recommended.index(rec) + 1}).", icon=":material/thumb_up:")
            if rec.caution:
                st.warning(f"**With care:** {kb_md(rec.caution)}", icon=":material/warning:")
        elif dis is not None:
            st.error(f"{severity_md(dis.severity)} Discouraged for your answers. **Instead:** {kb_md(dis.alternative)}",
                     icon=":material/thumb_down:")
    st.markdown(kb_md(p.summary))
    helps, hurts = st.columns(2)
    with helps.container(border=True, height="stretch"):
        st.markdown(":green[**Helps when**]\n" + "\n".join(f"- {kb_md(x)}" for x in p.helps_when))
    with hurts.container(border=True, height="stretch"):
        st.markdown(":red[**Hurts when**]\n" + "\n".join(f"- {kb_md(x)}" for x in p.hurts_when))
    st.subheader("Trade-offs", anchor=False)
    pros, cons = st.columns(2)
    pros.markdown(":green[**Pros**]\n" + "\n".join(f"- {kb_md(x)}" for x in p.tradeoffs.pros))
    cons.markdown(":red[**Cons**]\n" + "\n".join(f"- {kb_md(x)}" for x in p.tradeoffs.cons))
    if p.checklist:
        st.subheader("Checklist", anchor=False)
        for item in p.checklist:
            why = f"  \n:gray[{kb_md(item.why)}]" if item.why else ""
            st.markdown(f"{severity_md(item.severity)} {kb_md(item.text)}{why}")
    st.subheader("Diagram", anchor=False)
    show_dot(diagram.pattern_dot(p), alt=f"{p.name} diagram")
    if p.alternatives:
        st.subheader("Alternatives", anchor=False)
        st.markdown("\n".join(f"- {kb_md(a)}" for a in p.alternatives))
    if p.related:
        st.subheader("Related patterns", anchor=False)
        for rid in p.related:
            pattern_link(kb, rid)
    st.caption("References: " + ", ".join(section_title(r) for r in p.refs))


def render() -> None:
    kb = state.get_kb()
    pid = st.query_params.get("pattern")
    if pid is None:
        if st.session_state.pop("cat_detail_shown", False):
            st.query_params.clear()  # a link back to this page leaves the old ?pattern= in the address bar
        listing(kb)
    elif pid in kb.patterns:
        st.query_params["pattern"] = pid  # a link to the same page does not put it in the address bar
        st.session_state["cat_detail_shown"] = True
        detail(kb, kb.patterns[pid])
    else:
        st.session_state["cat_detail_shown"] = True  # so "All patterns" clears the bad ?pattern= as well
        st.title("Pattern catalogue")
        st.warning(f"There is no pattern called {md_escape(pid)}.", icon=":material/search_off:")
        st.page_link(pages.CATALOGUE, label="All patterns", icon=":material/arrow_back:")


if __name__ == "__main__":  # st.navigation runs page files as __main__
    render()
