"""Architecture diagrams as Graphviz DOT, composed from the patterns' diagram fragments.

DOT text is the core output (stable, diffable, golden-tested); SVG, PNG and PDF are rendered at
the edge by the `dot` binary. Node ids are the knowledge base's own ids, so the same report always
gives the same DOT. Every label goes through `_html()`: whatever a user typed is drawn as text.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .loader import KnowledgeBase
from .model import AnswerValue, Diagram, Pattern, Report
from .textsafety import CONTROL, FORMAT_CONTROLS
from .yamlsource import AdvisorError

# --------------------------------------------------------------------------- the style table


@dataclass(frozen=True)
class KindStyle:
    caption: str  # what the legend and the node's second line call this kind
    shape: str
    fill: str
    font: str
    border: str
    style: str = "filled"


# One row per node kind: the only place shapes and colours are decided.
STYLES: dict[str, KindStyle] = {
    "service": KindStyle("service", "box", "#E8F0FE", "#1A3D7C", "#3D6FD8", "rounded,filled"),
    "topic": KindStyle("topic", "cds", "#FFF4DD", "#6B4300", "#D99A06"),
    "connector": KindStyle("connector", "component", "#E6F6EC", "#14532D", "#22A05A"),
    "database": KindStyle("database", "cylinder", "#EFEBFF", "#3B1F7A", "#7C5CD6"),
    "stream-processor": KindStyle("stream processor", "hexagon", "#FDE8F1", "#7A1747", "#D6408A"),
    "schema-registry": KindStyle("schema registry", "note", "#E0F5F7", "#0E4F57", "#1AA3B2"),
    "object-storage": KindStyle("object storage", "folder", "#F3EFE6", "#4A4030", "#9C8B66"),
    "external": KindStyle("external system", "box3d", "#F1F3F5", "#343A40", "#868E96"),
}

# Parts of a discouraged pattern, drawn only on request: dashed red, never mistaken for advice.
DISCOURAGED = KindStyle("not recommended", "note", "#FFF1F1", "#A31515", "#D32F2F", "dashed,filled")

# Clusters: known groups get a title and a tint; `domain-<name>` becomes "<Name> domain".
GROUPS: dict[str, tuple[str, str, str]] = {  # group -> (title, fill, border)
    "kafka": ("Kafka cluster", "#FFFBF2", "#D99A06"),
    "connect": ("Kafka Connect workers", "#F3FBF6", "#22A05A"),
}
# When a diagram has both source and sink connectors, the Connect workers are drawn as two boxes, one on each
# side of Kafka: a single box holding both would span the whole width and every data edge would cross it.
CONNECT_SPLIT: dict[str, tuple[str, str, str]] = {
    "connect": ("Kafka Connect workers (source side)", "#F3FBF6", "#22A05A"),
    "connect_sinks": ("Kafka Connect workers (sink side)", "#F3FBF6", "#22A05A"),
}
DOMAIN_TINT = ("#F7F5FF", "#7C5CD6")
OTHER_TINT = ("#F8F9FA", "#ADB5BD")

FONT = "Arial"  # metric-compatible Liberation Sans on Linux, so dot, browsers and WeasyPrint agree on widths
EDGE_COLOUR = "#5F6B7A"
LABEL_WIDTH = 22  # characters per line in a node before wrapping
LABEL_MAX = 90  # longer names are cut with an ellipsis: the full text is in the reports
FORMATS = ("svg", "png", "pdf")
# PNG: 150 dpi keeps a small diagram crisp; `size` scales a large one down to at most 2400 px a side (16 in at
# 150 dpi). dot's PNG time grows with the pixel count (cairo drawing plus zlib: about 40 ms per megapixel here),
# and at 2400 px the 9 pt edge labels of an 18-pattern diagram are still about 10 px high.
PNG_OPTIONS = ["-Gdpi=150", "-Gsize=16,16"]

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\|([^{}]*)\}")


class DiagramError(AdvisorError):
    """A diagram could not be rendered (no `dot`, a bad format, dot failed): one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__("diagram", None, None, "", message)


# --------------------------------------------------------------------------- text and escaping


def _marker(m: re.Match[str]) -> str:
    return f"<U+{ord(m.group()):04X}>"


def show_format_controls(text: str) -> str:
    """Each format control as a visible `<U+202E>`: the reader sees that something was there, and what.

    Visible rather than dropped: a dropped override would make a spoofed name look clean. ASCII, so every
    format can show it, and no Markup language reads `<U+...>` as a tag or an autolink.
    """
    return FORMAT_CONTROLS.sub(_marker, text)


_UNUSUAL = re.compile(f"{CONTROL.pattern}|{FORMAT_CONTROLS.pattern}")


def one_line(text: str) -> str:
    """One line of visible text for any output: control characters (newlines, tabs, NUL...) become spaces and
    format controls visible markers. The one place every renderer (exports, diagrams, the app) cleans user text."""
    if _UNUSUAL.search(text) is None:  # nearly all text: one scan instead of two substitutions
        return " ".join(text.split())
    return " ".join(CONTROL.sub(" ", show_format_controls(text)).split())


_clean = one_line  # its former private name (tests/test_diagram.py uses it)


def _esc(text: str) -> str:
    """Escape for a Graphviz HTML-like label; decimal entities only (old Graphviz lacks &#x..;).

    Backslashes are doubled: Graphviz expands \\N, \\G and \\L even inside HTML labels (and after entities).
    """
    return (text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _lines(text: str, width: int = LABEL_WIDTH, limit: int = LABEL_MAX, br: str = "<BR/>") -> str:
    """Cut, wrap and escape a label; lines joined with `br`."""
    text = one_line(text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    # Topic names such as payments.payment-settled.v1 read better whole: widen up to 1.5x before breaking them.
    longest = max((len(w) for w in text.split()), default=0)
    width = max(width, min(longest, width * 3 // 2))
    parts = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]
    return br.join(_esc(p) for p in parts)


def fill_placeholders(label: str, answers: Mapping[str, AnswerValue]) -> str:
    """`{system_name|Your service}` -> the typed name, or the fallback when it was not answered."""

    def sub(m: re.Match[str]) -> str:
        value = answers.get(m.group(1))
        if isinstance(value, str | int | float) and not isinstance(value, bool) and one_line(str(value)):
            return str(value)
        return m.group(2)

    return _PLACEHOLDER.sub(sub, label)


def _q(ident: str) -> str:
    """A quoted DOT id (our ids are generated, but quote anyway so nothing can break out)."""
    return '"' + ident.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if slug != text:  # keep ids unique when different names slug alike
        slug = f"{slug}_{hashlib.sha1(text.encode()).hexdigest()[:6]}"
    return slug


class Html(str):
    """An HTML-like label that is already escaped: written as <...> rather than quoted."""


def _attrs(**kw: str) -> str:
    parts = [f"{key}=<{value}>" if isinstance(value, Html) else f"{key}={_q(value)}" for key, value in kw.items()]
    return "[" + ", ".join(parts) + "]"


# --------------------------------------------------------------------------- composition


@dataclass
class _Node:
    id: str
    kind: str
    label: str
    group: str | None
    discouraged: bool = False


@dataclass
class _Edge:
    src: str
    dst: str
    labels: list[str]
    dashed: bool
    discouraged: bool = False


@dataclass
class _Note:
    id: str
    text: str
    anchor: str | None


class _Composer:
    """Merges fragments: a node id seen twice is one node; edges between the same ends share a line."""

    def __init__(self, answers: Mapping[str, AnswerValue]) -> None:
        self.answers = answers
        self.nodes: dict[str, _Node] = {}
        self.edges: dict[tuple[str, str], _Edge] = {}
        self.notes: list[_Note] = []

    def add(self, diagram: Diagram, *, discouraged: bool = False) -> list[str]:
        added: list[str] = []
        for n in diagram.nodes:
            if n.id not in self.nodes:
                label = fill_placeholders(n.label, self.answers)
                self.nodes[n.id] = _Node(n.id, n.kind, label, n.group, discouraged)
                added.append(n.id)
        for e in diagram.edges:
            key = (e.from_, e.to)
            label = one_line(fill_placeholders(e.label, self.answers))
            old = self.edges.get(key)
            if old is None:
                self.edges[key] = _Edge(e.from_, e.to, [label] if label else [], e.style == "dashed", discouraged)
            elif old.discouraged == discouraged:
                if label and label not in old.labels:
                    old.labels.append(label)
                old.dashed = old.dashed and e.style == "dashed"
        return added

    def dot(self, title: str, subtitle: str, *, legend: bool) -> str:
        heading = self._heading(title, subtitle, self._legend() if legend else "")
        # mclimit: more passes of crossing minimisation; a few ms, and 16 crossings became 6 for eleven patterns.
        out = [
            "digraph architecture {",
            "  graph " + _attrs(rankdir="LR", newrank="true", splines="true", nodesep="0.35", ranksep="0.65", mclimit="5",
                                pad="0.3",
                                fontname=FONT, fontsize="12", labelloc="t", labeljust="l", label=heading, bgcolor="white") + ";",
            "  node " + _attrs(fontname=FONT, fontsize="11", margin="0.14,0.06", penwidth="1.3") + ";",
            "  edge " + _attrs(fontname=FONT, fontsize="9", color=EDGE_COLOUR, fontcolor="#3A4350", arrowsize="0.7",
                               penwidth="1.1") + ";",
        ]
        groups, styles = self._groups()
        for node in groups.pop(None, []):
            out.append("  " + self._node(node))
        for group, members in groups.items():
            assert group is not None
            name, fill, border = styles.get(group) or _group_style(group)
            out.append(f"  subgraph {_q('cluster_' + _slug(group))} {{")
            heading = Html("<B>" + _lines(name, 40) + "</B>")
            out.append("    graph " + _attrs(label=heading, style="rounded,filled", fillcolor=fill, color=border,
                                              fontcolor="#333333", margin="12") + ";")
            if group == "kafka":
                # All of Kafka in one column: producers on its left, consumers on its right. Left to rank freely,
                # topics spread over several columns and the cluster box sat in the way of every other edge.
                out.append('    rank="same";')
            out.extend("    " + self._node(node) for node in members)
            out.append("  }")
        pinned = self._pinned(groups)
        if pinned:
            # The schema registry is shared infrastructure beside Kafka, not a step after the last consumer.
            out.append('  {rank="same"; ' + " ".join(_q(i) for i in pinned) + "}")
        d = DISCOURAGED
        for note in self.notes:
            out.append(f"  {_q(note.id)} " + _attrs(shape="note", style=d.style, fillcolor=d.fill, color=d.border,
                                                     fontcolor=d.font, fontsize="10", label=Html(note.text)) + ";")
            if note.anchor:
                link = _attrs(style="dotted", color=d.border, arrowhead="none")
                out.append(f"  {_q(note.id)} -> {_q(note.anchor)} {link};")
        for edge in self.edges.values():
            # Producers and consumers both talk to the registry: its edges must not push consumers left of Kafka.
            out.append("  " + self._edge(edge, free=edge.dst in pinned[1:]))
        out.append("}")
        return "\n".join(out) + "\n"

    def _groups(self) -> tuple[dict[str | None, list[_Node]], dict[str, tuple[str, str, str]]]:
        """Nodes by cluster (None: no cluster), and the cluster titles that differ from `_group_style`."""
        sinks = {e.dst for e in self.edges.values() if self.nodes[e.src].kind == "topic"}
        connect = [n for n in self.nodes.values() if n.group == "connect"]
        split = any(n.id in sinks for n in connect) and not all(n.id in sinks for n in connect)
        groups: dict[str | None, list[_Node]] = {}
        for node in self.nodes.values():
            group = "connect_sinks" if split and node.group == "connect" and node.id in sinks else node.group
            groups.setdefault(group, []).append(node)
        return groups, (CONNECT_SPLIT if split else {})

    def _pinned(self, groups: Mapping[str | None, list[_Node]]) -> list[str]:
        """The first Kafka node and every schema registry, drawn in one column; empty when there is nothing to pin."""
        kafka = groups.get("kafka", [])
        registries = [n.id for n in self.nodes.values() if n.kind == "schema-registry" and n.group != "kafka"]
        return [kafka[0].id, *registries] if kafka and registries else []

    @staticmethod
    def _heading(title: str, subtitle: str, legend: str) -> Html:
        # Title, pattern list and legend sit in the graph label, so the legend never disturbs the layout.
        rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="16"><B>{_lines(title, 90, 160)}</B></FONT></TD></TR>']
        if subtitle:
            sub = _lines(subtitle, 140, 400)
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="#555555">{sub}</FONT></TD></TR>')
        if legend:
            rows.append(f'<TR><TD ALIGN="LEFT">{legend}</TD></TR>')
        return Html('<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(rows) + "</TABLE>")

    def _node(self, node: _Node) -> str:
        s = STYLES[node.kind]
        caption = s.caption
        font, border, style, fill = s.font, s.border, s.style, s.fill
        if node.discouraged:
            font, border, fill = DISCOURAGED.font, DISCOURAGED.border, DISCOURAGED.fill
            style = style.replace("filled", "dashed,filled") if "dashed" not in style else style
            caption += " · not recommended"
        label = Html(f'<B>{_lines(node.label)}</B><BR/><FONT POINT-SIZE="8" COLOR="{font}">{_esc(caption)}</FONT>')
        attrs = _attrs(shape=s.shape, style=style, fillcolor=fill, color=border, fontcolor=font, label=label)
        return f"{_q(node.id)} {attrs};"

    @staticmethod
    def _edge(edge: _Edge, *, free: bool = False) -> str:
        attrs: dict[str, str] = {}
        if edge.labels:
            attrs["label"] = Html(_lines(" / ".join(edge.labels), 26, 80))
        if edge.discouraged:
            attrs.update(color=DISCOURAGED.border, fontcolor=DISCOURAGED.font, style="dashed")
        elif edge.dashed:
            attrs["style"] = "dashed"
        if free:
            attrs["constraint"] = "false"
        return f"{_q(edge.src)} -> {_q(edge.dst)}" + (" " + _attrs(**attrs) if attrs else "") + ";"

    def _legend(self) -> str:
        """One row of colour chips for the kinds drawn (and the discouraged style when shown)."""
        chips = []
        for kind, s in STYLES.items():
            if any(n.kind == kind for n in self.nodes.values()):
                chips.append((s, s.caption, ""))
        if any(n.discouraged for n in self.nodes.values()) or any(n.id.startswith("_discouraged") for n in self.notes):
            chips.append((DISCOURAGED, DISCOURAGED.caption, ' STYLE="dashed"'))
        if not chips:
            return ""
        cells = "".join(f'<TD BGCOLOR="{s.fill}" COLOR="{s.border}" BORDER="1" WIDTH="14" HEIGHT="12"{extra}> </TD>'
                        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{_esc(caption)}</FONT></TD>'
                        for s, caption, extra in chips)
        return f'<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>{cells}</TR></TABLE>'


def _group_style(group: str) -> tuple[str, str, str]:
    if group in GROUPS:
        return GROUPS[group]
    if group.startswith("domain-") and len(group) > 7:
        name = group[7:].replace("-", " ").replace("_", " ")
        return (f"{name[:1].upper()}{name[1:]} domain", *DOMAIN_TINT)
    return (group[:1].upper() + group[1:], *OTHER_TINT)


# --------------------------------------------------------------------------- public API


def report_dot(report: Report, kb: KnowledgeBase, *, show_discouraged: bool = False) -> str:
    """One architecture diagram for the recommended patterns, shared nodes merged."""
    comp = _Composer(report.answers)
    for rec in report.kafka_recommended:
        pattern = kb.patterns.get(rec.pattern)
        if pattern is not None:
            comp.add(pattern.diagram)
    hidden = 0
    recommended = {r.pattern for r in report.recommended}
    for dis in report.discouraged:
        pattern = kb.patterns.get(dis.pattern)
        if pattern is None:
            continue
        if not show_discouraged:
            hidden += 1
            continue
        added = comp.add(pattern.diagram, discouraged=True)
        left = '<BR ALIGN="LEFT"/>'
        # A pattern can be recommended and still discouraged (low) for part of the system: a caution, not a veto.
        verdict = "⚠ Caution" if dis.pattern in recommended else "✗ Not recommended"
        text = (f"<B>{verdict}: {_lines(dis.name, 40, 120, left)}</B> ({_esc(dis.severity)}){left}"
                f"{_lines('Instead: ' + dis.alternative, 44, 240, left)}{left}")
        comp.notes.append(_Note(f"_discouraged:{dis.pattern}", text, added[0] if added else None))
    if not comp.nodes and not comp.notes:
        message = "No Kafka pattern is recommended for these answers."
        if hidden:
            message += f" {hidden} discouraged pattern{'s are' if hidden != 1 else ' is'} not drawn."
        comp.notes.append(_Note("_empty", _lines(message, 40, 200), None))
    system = kb.system_name(report.answers)
    title = f"{system}: recommended Kafka architecture" if system else "Recommended Kafka architecture"
    names = [r.name for r in report.kafka_recommended]
    subtitle = ", ".join(names) if names else ""
    return comp.dot(title, subtitle, legend=True)


def pattern_dot(pattern: Pattern) -> str:
    """The pattern's own fragment, for the catalogue (placeholders show their fallback text)."""
    comp = _Composer({})
    comp.add(pattern.diagram)
    return comp.dot(pattern.name, f"section {pattern.section}", legend=False)


def _dot_binary() -> str | None:
    # KAFKA_ADVISOR_DOT points at another Graphviz build (or a missing one, to test the fallback).
    return shutil.which(os.environ.get("KAFKA_ADVISOR_DOT", "dot"))


def dot_available() -> bool:
    return _dot_binary() is not None


def render(dot: str, fmt: str) -> bytes:
    """DOT -> svg/png/pdf bytes through Graphviz's `dot`; cached, since the UI re-renders the same text."""
    if fmt not in FORMATS:
        raise DiagramError(f"unknown diagram format {fmt!r}, expected one of: {', '.join(FORMATS)}")
    binary = _dot_binary()
    if binary is None:
        raise DiagramError(f"the Graphviz 'dot' program is needed to render {fmt.upper()} and was not found on PATH; "
                           "install Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz, "
                           "see the README) or export DOT instead")
    return _render(binary, dot, fmt)


@functools.lru_cache(maxsize=32)
def _render(binary: str, dot: str, fmt: str) -> bytes:
    extra = PNG_OPTIONS if fmt == "png" else []
    try:
        done = subprocess.run([binary, f"-T{fmt}", *extra], input=dot.encode("utf-8", "replace"),
                              capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiagramError(f"dot could not render {fmt}: {exc}") from None
    if done.returncode != 0 or not done.stdout:
        first = next(iter(_meaningful(done.stderr.decode("utf-8", "replace").splitlines())), "no output")
        raise DiagramError(f"dot failed to render {fmt}: {first}")
    return done.stdout


def _meaningful(lines: Iterable[str]) -> Iterable[str]:
    return (line.strip() for line in lines if line.strip() and not line.lower().startswith("warning"))
