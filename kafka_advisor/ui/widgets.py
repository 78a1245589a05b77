"""Widgets shared by the pages: diagrams and pattern links."""

from __future__ import annotations

import streamlit as st

from kafka_advisor import diagram
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.ui import pages
from kafka_advisor.ui.style import md_escape


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
