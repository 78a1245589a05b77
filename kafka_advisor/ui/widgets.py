"""Widgets shared by the pages: diagrams, pattern links, verdict banner, reasons."""

from __future__ import annotations

import streamlit as st

from kafka_advisor import diagram
from kafka_advisor.exports.common import DECISION_WORDS
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import Reason, Verdict
from kafka_advisor.ui import pages
from kafka_advisor.ui.style import LEVELS, answer_md, kb_md, md_escape, section_title


def dot_problem(dot: str) -> str | None:
    """Why this DOT would not draw, or None. Invalid DOT renders as a silent blank in the browser."""
    if not diagram.dot_available():
        return None  # nothing to check with; the browser's own Graphviz still draws valid DOT
    try:
        diagram.render(dot, "svg")  # cached by the diagram module
    except Exception as exc:  # a DiagramError has one_line(); anything else is still a blank chart
        return exc.one_line() if hasattr(exc, "one_line") else str(exc)
    return None


def show_dot(dot: str, *, alt: str) -> bool:
    """Draw a diagram after checking it on the server; False (with a message) when it cannot be drawn."""
    problem = dot_problem(dot)
    if problem is not None:
        st.error(f"The diagram could not be drawn: {md_escape(problem)}", icon=":material/error:")
        return False
    st.graphviz_chart(dot, width="stretch", alt=alt)
    return True


def pattern_link(kb: KnowledgeBase, pid: str, label: str | None = None, *, icon: str = ":material/menu_book:") -> None:
    """A link to the pattern's page in the catalogue."""
    name = kb.patterns[pid].name if pid in kb.patterns else pid
    st.page_link(pages.CATALOGUE, label=label or name, icon=icon, query_params={"pattern": pid})


def verdict_banner(verdict: Verdict) -> None:
    look = LEVELS[verdict.level]
    box = {"good-fit": st.success, "fit-with-caveats": st.warning, "poor-fit": st.error}[verdict.level]
    summary = verdict.summary
    body = f"### {DECISION_WORDS[verdict.decision]}\n:small[{look.label}]\n\n{kb_md(summary)}"
    for heading, alternatives in verdict.alternative_groups():
        body += f"\n\n**{heading}:**\n" + "\n".join(f"- {kb_md(a)}" for a in alternatives)
    box(body, icon=look.icon)


def reason_md(kb: KnowledgeBase, r: Reason) -> str:
    """One rule that fired: its title, its reasoning, the answers that triggered it, its chapter."""
    out = f"**{kb_md(r.title)}**  \n{kb_md(r.because)}"
    triggers = [f"- {kb_md(kb.questions[q].text)} → **{answer_md(kb.questions[q], v)}**"
                for q, v in r.answers.items() if q in kb.questions]
    if triggers:
        out += "\n\n_Because you answered:_\n" + "\n".join(triggers)
    if r.refs:
        out += f"\n\n:gray[Chapter {', '.join(section_title(x) for x in r.refs)}]"
    return out


def show_reasons(kb: KnowledgeBase, reasons: list[Reason]) -> None:
    for i, r in enumerate(reasons):
        if i:
            st.divider()
        st.markdown(reason_md(kb, r))
