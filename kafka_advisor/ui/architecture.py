"""Results page: "Your architecture", the user's own system drawn on the server (system_diagram)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import streamlit as st

from kafka_advisor import diagram, exports, system_diagram
from kafka_advisor.exports import ExportContext
from kafka_advisor.inventory import to_data
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import Report
from kafka_advisor.ui import state
from kafka_advisor.ui.style import md_escape
from kafka_advisor.ui.widgets import pattern_link

# "fit": at most the page's width and never wider than drawn (a small diagram is not blown up); the others
# are the natural size times the factor, scrolled sideways inside the wrapper.
ZOOMS: dict[str, float | None] = {"fit": None, "100 %": 1.0, "150 %": 1.5, "200 %": 2.0}
ALT = "Architecture diagram of your system"
_SVG_SIZE = re.compile(r'\A<svg\b([^>]*?)\swidth="([0-9.]+)pt"\sheight="([0-9.]+)pt"')


def _show_discouraged_changed() -> None:
    state.prefs()["show_discouraged"] = bool(st.session_state.get("show_discouraged"))


def memo_key(rep: Report, show: bool) -> tuple[Any, ...]:
    """(answers, inventory, toggle): the DOT and SVG change with nothing else."""
    answers = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in rep.answers.items()))
    inventory = json.dumps(to_data(rep.inventory), sort_keys=True) if rep.inventory is not None else ""
    return answers, inventory, show


def sized(svg: str, zoom: float | None) -> str:
    """The SVG with a CSS size for the zoom: the viewBox scales the drawing, the wrapper scrolls it."""
    m = _SVG_SIZE.match(svg)
    if m is None:  # not Graphviz's usual first tag: show it as it is
        return svg
    width, height = float(m.group(2)) * system_diagram.PX_PER_PT, float(m.group(3)) * system_diagram.PX_PER_PT
    if zoom is None:
        size = f'width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto"'
    else:
        size = f'width="{width * zoom:.0f}" height="{height * zoom:.0f}" style="max-width:none"'
    return f"<svg{m.group(1)} {size}" + svg[m.end():]


def wrapper_html(svg: str, zoom: float | None) -> str:
    """Safe to pass to st.markdown(unsafe_allow_html=True): page_svg removed scripts, handlers and links, and
    every label in the SVG was escaped when the DOT was written."""
    return (f'<div class="architecture-svg" role="img" aria-label="{html.escape(ALT)}" '
            f'style="overflow-x:auto;width:100%">{sized(svg, zoom)}</div>')


def _svg_or_problem(rep: Report, kb: KnowledgeBase, show: bool) -> tuple[str | None, str | None]:
    try:
        return system_diagram.architecture_svg(rep, kb, show_discouraged=show), None
    except diagram.DiagramError as exc:
        return None, exc.one_line()


@st.fragment
def show_architecture(kb: KnowledgeBase, rep: Report) -> None:
    """The user's architecture (a fragment: the toggle and the zoom redraw only this section)."""
    st.header("Your architecture", anchor="architecture")
    if "show_discouraged" not in st.session_state:  # the toggle's own value is dropped on page switches
        st.session_state["show_discouraged"] = state.prefs().get("show_discouraged", False)
    show = st.toggle("Also draw the discouraged patterns (dashed red)", key="show_discouraged",
                     disabled=not rep.discouraged, on_change=_show_discouraged_changed,
                     help="Each discouraged pattern as one note. The diagram exports follow this choice.")
    key = memo_key(rep, show)
    dot = state.memo("architecture_dot", key, lambda: system_diagram.architecture_dot(rep, kb, show_discouraged=show))
    if not diagram.dot_available():
        # No Graphviz on the server: the browser's own Graphviz draws the same DOT.
        st.graphviz_chart(dot, width="stretch", alt=ALT)
        _links(kb, rep, None)
        return
    svg, problem = state.memo("architecture_svg", key, lambda: _svg_or_problem(rep, kb, show))
    if svg is None:
        st.error(f"The diagram could not be drawn: {md_escape(problem or 'no output')}", icon=":material/error:")
        return
    zoom_col, open_col = st.columns([3, 1], vertical_alignment="bottom")
    zoom = zoom_col.select_slider("Zoom", options=list(ZOOMS), value="fit", key="architecture_zoom",
                                  help="Fit shows the whole drawing; larger sizes scroll sideways.")
    ctx = ExportContext(report=rep, kb=kb, title=state.title())
    open_col.download_button("Open full size (SVG)", data=svg.encode("utf-8"), file_name=exports.filename("svg", ctx),
                             mime="image/svg+xml", on_click="ignore", icon=":material/open_in_full:",
                             key="architecture_download")
    st.markdown(wrapper_html(svg, ZOOMS[zoom]), unsafe_allow_html=True)
    _links(kb, rep, system_diagram.measure(svg, 1400))


def _links(kb: KnowledgeBase, rep: Report, seen: system_diagram.Readability | None) -> None:
    """How big the drawing is, and each core pattern's own diagram in the catalogue."""
    inventory = rep.inventory is not None and not rep.inventory.is_empty()
    what = "your services, events and systems" if inventory else "the core patterns' generic parts (no inventory given)"
    count = f"{seen.nodes} boxes and {seen.edges} arrows, drawn" if seen is not None else "Drawn"
    st.caption(f"{count} from {what}.")
    core = [r.pattern for r in rep.kafka_recommended if r.tier == "core"]
    if not core:
        return
    st.caption("Each core pattern's own diagram, in the catalogue:")
    with st.container(horizontal=True, key="architecture_links"):
        for pid in core:
            pattern_link(kb, pid, icon=":material/schema:")
