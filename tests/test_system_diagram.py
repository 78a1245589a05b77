"""The user's own system as a diagram (system_diagram): names, size, readability, escaping, the SVG sanitiser.

Rendering goes through the real `dot` binary; these tests are skipped only where Graphviz is missing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kafka_advisor import diagram, system_diagram
from kafka_advisor.engine import evaluate
from kafka_advisor.exports import ExportContext, export
from kafka_advisor.inventory import Inventory, Service, from_data
from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.model import Report
from kafka_advisor.system_diagram import Edge, architecture, architecture_dot, architecture_svg, measure, page_svg
from kafka_advisor.ui.architecture import sized, wrapper_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
SVG = "{http://www.w3.org/2000/svg}"
A4_WIDTH_PX, A4_HEIGHT_PX = 1047, 718  # 277 mm x 190 mm printable on A4 landscape, at 96 px per inch
needs_dot = pytest.mark.skipif(not diagram.dot_available(), reason="Graphviz dot is not installed")


def report_for(kb: KnowledgeBase, path: Path) -> Report:
    doc = load_answers_doc(kb, path)
    return evaluate(kb, doc.answers, inventory=doc.inventory)


def svg_texts(svg: str) -> list[str]:
    """Every text the reader sees, decoded (entities resolved): what the browser draws."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def twelve(kb: KnowledgeBase) -> Report:
    return report_for(kb, TWELVE)


# --------------------------------------------------------------------------- the 12-service example


@needs_dot
def test_the_12_service_example_draws_the_users_own_system(kb: KnowledgeBase, twelve: Report) -> None:
    svg = architecture_svg(twelve, kb)
    assert svg is not None
    texts = svg_texts(svg)
    shown = "\n".join(texts)
    assert twelve.inventory is not None
    for s in twelve.inventory.services:
        assert s.name in texts or any(s.name in t.split(", ") for t in texts), s.name
        assert f"{s.team} team" in texts, s.team
    assert "Analytics warehouse" in texts
    for generic in ("Write model", "Service database", "Another team", "Your service", "Consuming service",
                    "Serving database", "Payments"):
        assert generic not in shown, generic
    # The parts the core patterns add, once each.
    for part in ("Schema Registry", "Debezium outbox relay", "Object storage (tiered)", "Kafka Connect"):
        assert texts.count(part) == 1, part
    assert "9 outbox tables → 10 topics" in texts  # the nine services that own a database and publish
    assert "sink: Analytics warehouse" in texts


@needs_dot
def test_the_12_service_example_is_readable_on_screen_and_on_a4(kb: KnowledgeBase, twelve: Report) -> None:
    for show in (False, True):
        svg = architecture_svg(twelve, kb, show_discouraged=show)
        assert svg is not None
        screen = measure(svg, 1400)
        a4 = measure(svg, A4_WIDTH_PX, A4_HEIGHT_PX)
        assert screen.nodes <= 20, screen
        assert screen.smallest_px >= 11, screen
        assert a4.smallest_px >= 11, a4
        assert a4.width_px <= A4_WIDTH_PX + 0.5 and a4.height_px <= A4_HEIGHT_PX + 0.5, a4


def test_the_dot_text_is_deterministic(kb: KnowledgeBase, twelve: Report) -> None:
    again = report_for(kb, TWELVE)  # a new report object from the same file
    for show in (False, True):
        first = architecture_dot(twelve, kb, show_discouraged=show)
        assert first == architecture_dot(again, kb, show_discouraged=show)
        assert first == architecture_dot(twelve, kb, show_discouraged=show)
    assert 'rankdir="LR"' in first and f'fontname="{system_diagram.FONT}"' in first


@needs_dot
def test_show_discouraged_adds_one_note_each_and_changes_nothing_else(kb: KnowledgeBase, twelve: Report) -> None:
    off = architecture(twelve, kb)
    on = architecture(twelve, kb, show_discouraged=True)
    assert twelve.discouraged
    added = [n for n in on.nodes if n not in off.nodes]
    assert on.nodes[: len(off.nodes)] == off.nodes and on.edges == off.edges and on.clusters == off.clusters
    assert [n.kind for n in added] == ["discouraged"] * len(twelve.discouraged)
    assert [n.lines[0] for n in added] == [f"Not recommended: {d.name}" for d in twelve.discouraged]
    # In DOT the toggle adds one line (the notes' group) and removes none.
    dot_off, dot_on = architecture_dot(twelve, kb).splitlines(), architecture_dot(twelve, kb, show_discouraged=True).splitlines()
    assert [line for line in dot_off if line not in dot_on] == []
    assert len([line for line in dot_on if line not in dot_off]) == 1
    svg_off, svg_on = architecture_svg(twelve, kb), architecture_svg(twelve, kb, show_discouraged=True)
    assert svg_off is not None and svg_on is not None
    assert measure(svg_on, 1400).nodes - measure(svg_off, 1400).nodes == len(twelve.discouraged)
    assert measure(svg_on, 1400).edges == measure(svg_off, 1400).edges


# --------------------------------------------------------------------------- a small inventory, exactly


def test_a_two_service_inventory_gives_exactly_the_expected_drawing(kb: KnowledgeBase, twelve: Report) -> None:
    inv = from_data({"services": [
        {"name": "orders", "team": "checkout", "database": "postgresql", "produces": ["order-placed"]},
        {"name": "shipping", "team": "fulfilment", "consumes": ["order-placed"]},
    ]})
    # The same core patterns as the 12-service example (outbox, registry, tiered storage, Connect...).
    rep = twelve.model_copy(update={"inventory": inv})
    expected_nodes = {
        ("svc1", "service", ("orders", "PostgreSQL + outbox"), "c1"),
        ("svc2", "service", ("shipping", "no database"), "c2"),
        ("topic1", "topic", ("order-placed",), "kafka"),
        ("registry", "schema-registry", ("Schema Registry", "one schema per topic"), "kafka"),
        ("tiered", "object-storage", ("Object storage (tiered)", "older log segments"), "kafka"),
        ("relay", "connector", ("Debezium outbox relay", "1 outbox table → 1 topic"), None),
    }
    expected_edges = {
        ("svc1", "relay", ""),  # the outbox row, relayed by Debezium
        ("relay", "topic1", ""),
        ("topic1", "svc2", ""),  # shipping reads the topic (drawn with the arrow reversed: it stays left)
        ("topic1", "tiered", "older segments"),
    }
    d = architecture(rep, kb)
    assert {(n.id, n.kind, n.lines, n.cluster) for n in d.nodes} == expected_nodes
    assert {(e.src, e.dst, e.label) for e in d.edges} == expected_edges
    assert [(c.id, c.title) for c in d.clusters] == [("c1", "checkout team"), ("c2", "fulfilment team"), ("kafka", "Kafka")]
    assert next(e for e in d.edges if e.dst == "svc2").back
    if diagram.dot_available():
        svg = architecture_svg(rep, kb)
        assert svg is not None
        seen = measure(svg, 1400)
        assert (seen.nodes, seen.edges) == (len(expected_nodes), len(expected_edges))


def test_parallel_edges_become_one_with_a_count(kb: KnowledgeBase, twelve: Report) -> None:
    # Twenty services in one team: identical ones share a box, and their edges to the relay become one.
    services = [{"name": f"svc-{i}", "team": "core", "database": "postgresql", "produces": [f"e{i % 3}"],
                 "consumes": [f"e{(i + 1) % 3}"]} for i in range(20)]
    rep = twelve.model_copy(update={"inventory": from_data({"services": services})})
    d = architecture(rep, kb)
    boxes = [n for n in d.nodes if n.kind == "service"]
    assert len(boxes) == 1 and boxes[0].lines[1] == "20 services, each PostgreSQL + outbox"
    to_relay = [e for e in d.edges if e.dst == "relay"]
    assert [(e.src, e.label) for e in to_relay] == [(boxes[0].id, "×20")]
    assert len({(e.src, e.src_port, e.dst, e.dst_port) for e in d.edges}) == len(d.edges)


@needs_dot
def test_a_large_inventory_collapses_to_at_most_20_boxes(kb: KnowledgeBase, twelve: Report) -> None:
    events = [f"event-{i}" for i in range(40)]
    services = [{"name": f"service-{i}", "team": f"team-{i % 25}", "database": ["postgresql", "mysql", "none"][i % 3],
                 "produces": events[i % 40: i % 40 + 1], "consumes": events[(i * 7) % 40:(i * 7) % 40 + 2]}
                for i in range(60)]
    externals = [{"name": f"system-{i}", "kind": ["warehouse", "lake", "search"][i % 3],
                  "direction": ["sink", "source", "both"][i % 3], "events": events[i:i + 3]} for i in range(8)]
    rep = twelve.model_copy(update={"inventory": from_data({"services": services, "externals": externals})})
    svg = architecture_svg(rep, kb)
    assert svg is not None
    seen = measure(svg, 1400)
    assert seen.nodes <= 20 and seen.edges <= 60, seen
    assert seen.smallest_px >= 11


def test_without_core_patterns_one_box_says_so(kb: KnowledgeBase) -> None:
    rep = report_for(kb, ROOT / "examples" / "crud-app-poor-fit.yaml")
    assert not [r for r in rep.recommended if r.tier == "core"]
    d = architecture(rep, kb)
    assert [n.lines[0] for n in d.nodes] == ["No Kafka architecture recommended"]
    shown = architecture(rep, kb, show_discouraged=True)
    assert len(shown.nodes) == 1 + len(rep.discouraged)


def test_without_an_inventory_the_core_fragments_are_drawn(kb: KnowledgeBase) -> None:
    rep = report_for(kb, ROOT / "examples" / "order-platform-good-fit.yaml")
    assert rep.inventory is None
    core = {r.pattern for r in rep.recommended if r.tier == "core"}
    d = architecture(rep, kb)
    fragment_labels = {n.label for pid in core for n in kb.patterns[pid].diagram.nodes}
    later_only = {n.label for r in rep.recommended if r.tier != "core" for n in kb.patterns[r.pattern].diagram.nodes}
    drawn = {n.lines[0] for n in d.nodes}
    assert "Schema Registry" in drawn and "Debezium + Outbox Event Router" in drawn
    assert not (later_only - fragment_labels) & drawn  # baseline and later patterns add no box
    assert "No inventory given" in d.notes[0]


# --------------------------------------------------------------------------- every example


@needs_dot
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_renders_through_dot(kb: KnowledgeBase, path: Path) -> None:
    rep = report_for(kb, path)
    for show in (False, True):
        svg = architecture_svg(rep, kb, show_discouraged=show)
        assert svg is not None and svg.startswith("<svg")
        seen = measure(svg, 1400)
        assert seen.nodes == len(architecture(rep, kb, show_discouraged=show).nodes)
    if rep.inventory is not None:
        texts = svg_texts(architecture_svg(rep, kb) or "")
        assert all(any(s.name in t for t in texts) for s in rep.inventory.services)


@needs_dot
def test_the_diagram_exports_draw_the_users_system(kb: KnowledgeBase, twelve: Report) -> None:
    ctx = ExportContext(report=twelve, kb=kb)
    dot = export("dot", ctx).decode()
    assert dot == architecture_dot(twelve, kb)
    assert "Analytics warehouse" in dot and "Write model" not in dot
    assert export("svg", ctx).lstrip().startswith(b"<?xml")
    assert export("png", ctx).startswith(b"\x89PNG")


# --------------------------------------------------------------------------- hostile names


HOSTILE = ["<script>alert(1)</script>", '"}; digraph x {', "&amp;", "\u202eevil.exe", "{system_name|x} \\N back\\slash"]


def hostile_report(twelve: Report, *, bypass: bool = False) -> Report:
    """Services, teams and a sink named to break DOT, HTML or SVG. `bypass` skips validation, so a newline
    (which the inventory refuses) reaches the writer too."""
    if bypass:
        services = [Service.model_construct(name='"};\n digraph x {', team="<b>team</b>\r\n", database="postgresql",
                                            log_capture="yes", produces=["a"], consumes=[], domain="")]
        return twelve.model_copy(update={"inventory": Inventory.model_construct(services=services, externals=[])})
    services = [{"name": name, "team": HOSTILE[(i + 1) % len(HOSTILE)], "database": "postgresql",
                 "produces": [f"ev-{i}"], "consumes": [f"ev-{(i + 1) % len(HOSTILE)}"]} for i, name in enumerate(HOSTILE)]
    externals = [{"name": "<img src=x onerror=alert(1)>", "kind": "warehouse", "events": ["ev-0"]}]
    return twelve.model_copy(update={"inventory": from_data({"services": services, "externals": externals})})


def test_hostile_names_are_escaped_text_in_dot(kb: KnowledgeBase, twelve: Report) -> None:
    dot = architecture_dot(hostile_report(twelve), kb)
    assert "<script>" not in dot and "&lt;script&gt;alert(1)&lt;/script&gt;" in dot
    assert '"}; digraph x {' not in dot and "&quot;}; digraph x {" in dot
    assert "&amp;amp;" in dot  # the typed "&amp;" is drawn as those five characters
    assert "\u202e" not in dot and "&lt;U+202E&gt;evil.exe" in dot  # the override, visible instead of obeyed
    assert "\\\\N back\\\\slash" in dot  # Graphviz would expand \N to the node id
    assert "<img" not in dot and "&lt;img src=x onerror=alert(1)&gt;" in dot


@needs_dot
def test_hostile_names_are_only_text_in_the_svg(kb: KnowledgeBase, twelve: Report) -> None:
    for rep in (hostile_report(twelve), hostile_report(twelve, bypass=True)):
        svg = architecture_svg(rep, kb)
        assert svg is not None
        assert "<script" not in svg.lower() and "<img" not in svg.lower() and "<b>" not in svg
        assert re.search(r"<[^>]*\son\w+\s*=", svg) is None  # in a tag (text content has &lt; for "<")
        assert not [a for e in ET.fromstring(svg).iter() for a in e.attrib if a.lower().startswith("on")]
        seen = measure(svg, 1400)
        assert seen.nodes == len(architecture(rep, kb).nodes)  # no node was injected
    texts = svg_texts(architecture_svg(hostile_report(twelve), kb) or "")
    assert "<script>alert(1)</script>" in texts  # drawn, as text
    assert "<img src=x onerror=alert(1)>" in " ".join(texts)  # wrapped over two lines


# --------------------------------------------------------------------------- the SVG sanitiser and measure


EVIL_SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz -->
<svg width="100pt" height="50pt" viewBox="0 0 100 50" onload="alert(1)" xmlns="http://www.w3.org/2000/svg"
     xmlns:xlink="http://www.w3.org/1999/xlink">
<script>alert(2)</script>
<g id="graph0" class="graph" onclick="alert(3)">
<title>secret_node_id</title>
<a xlink:href="javascript:alert(4)" href="https://evil.example"><text font-size="12" x="1" y="2">kept</text></a>
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
<rect style="fill:url(javascript:alert(5))" width="1" height="1"/>
<use xlink:href="#x"/>
</g>
</svg>"""


def test_page_svg_removes_everything_that_is_not_drawing() -> None:
    out = page_svg(EVIL_SVG)
    assert out.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    for gone in ("<?xml", "DOCTYPE", "<!--", "<script", "alert", "onload", "onclick", "<title", "secret_node_id",
                 "href", "<a", "foreignObject", "javascript"):
        assert gone not in out, gone
    assert ">kept</text>" in out and 'width="100pt"' in out
    assert "\n" not in out  # one line: Markdown cannot end the HTML block early
    ET.fromstring(out)  # still well-formed


def test_page_svg_refuses_what_it_cannot_read() -> None:
    with pytest.raises(diagram.DiagramError):
        page_svg("<svg><unclosed></svg>")
    with pytest.raises(diagram.DiagramError):
        page_svg("<html/>")


def test_measure_reports_what_the_reader_sees() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="150pt" viewBox="0 0 300 150">'
           '<g class="graph"><g class="node"><text font-size="12">a</text></g><g class="node"><text font-size="18">b</text>'
           '</g><g class="edge"><text font-size="9">c</text></g></g></svg>')
    natural = measure(svg, 2000)  # 400 px natural width: shown at 400 px, not blown up
    assert natural.scale == 1.0 and natural.width_px == pytest.approx(400)
    assert natural.smallest_px == pytest.approx(12)  # 9 pt
    assert (natural.nodes, natural.edges) == (2, 1)
    half = measure(svg, 200)
    assert half.scale == pytest.approx(0.5) and half.smallest_px == pytest.approx(6)
    boxed = measure(svg, 2000, 100)  # 200 px natural height into 100 px
    assert boxed.scale == pytest.approx(0.5) and boxed.height_px == pytest.approx(100)


def test_the_zoom_sizes_the_svg_and_the_wrapper_scrolls() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="150pt" viewBox="0 0 300 150"><g/></svg>'
    fit = sized(svg, None)
    assert 'width="400" height="200" style="max-width:100%;height:auto"' in fit
    assert 'width="800" height="400" style="max-width:none"' in sized(svg, 2.0)
    page = wrapper_html(svg, 1.5)
    assert page.startswith('<div class="architecture-svg"') and "overflow-x:auto" in page and 'width="600"' in page


def test_edges_keep_their_meaning_when_written_reversed() -> None:
    # A consumer edge is written consumer -> topic with dir=back, so the cluster clipping swaps ends too.
    back = system_diagram._edge_dot(Edge("topics", "svc1", src_port="all", back=True, ltail="cluster_kafka"))
    assert back.startswith('"svc1" -> "topics":"all":w') and 'dir="back"' in back and 'lhead="cluster_kafka"' in back
