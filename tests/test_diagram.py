"""The diagram composer: merging, clusters, styles, escaping, discouraged parts, rendering through dot."""

from __future__ import annotations

import html
import re
import struct
import typing
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kafka_advisor import diagram
from kafka_advisor.diagram import STYLES, DiagramError, dot_available, pattern_dot, render, report_dot
from kafka_advisor.engine import evaluate
from kafka_advisor.loader import KnowledgeBase, load_answers_file
from kafka_advisor.model import Discouragement, NodeKind, Pattern, Recommendation, Report, Verdict

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
SCENARIOS = ("order-platform-good-fit", "crud-app-poor-fit")
EVIL = [
    'say "hi"', "{braces} and {system_name|x}", "<b>angle</b> <script>alert(1)</script>", '"]; x [label="pwned"',
    "line one\nline two\r\n\tthree", "=HYPERLINK(\"http://evil\")", "emoji 🚀🔥 ok", "RTL שלום עולם مرحبا",
    "back\\slash \\N \\G \\l", "&amp; &#60; &lt;", "x" * 10_000,
]


# --------------------------------------------------------------------------- synthetic patterns


def _pattern(pid: str, nodes: list[tuple[str, str, str, str | None]], edges: list[tuple[str, str, str]]) -> Pattern:
    return Pattern.model_validate({
        "id": pid, "name": pid.replace("-", " ").title(), "section": "7.1.1", "summary": "s", "helps_when": ["h"],
        "hurts_when": ["h"], "tradeoffs": {"pros": ["p"], "cons": ["c"]}, "refs": ["7.1.1"],
        "diagram": {"nodes": [{"id": i, "kind": k, "label": lab, "group": g} for i, k, lab, g in nodes],
                    "edges": [{"from": a, "to": b, "label": lab} for a, b, lab in edges]},
    })


APP = ("app_service", "service", "{system_name|Your service}", None)
SRC = ("source_db", "database", "{source_db_name|Source database}", None)
REG = ("schema_registry", "schema-registry", "Schema Registry", None)
SERVING = ("serving_db", "database", "Serving database", None)
LAKE = ("object_store", "object-storage", "Object storage / lake", None)
DOWN = ("downstream_service", "service", "Consuming service", None)

TEN = [
    _pattern("events", [APP, ("ev_topic", "topic", "order-events", "kafka"), DOWN],
             [("app_service", "ev_topic", "events"), ("ev_topic", "downstream_service", "events")]),
    _pattern("cqrs",
             [APP, ("cq_cmds", "topic", "commands", "kafka"), ("cq_proj", "stream-processor", "Projector", None), SERVING],
             [("app_service", "cq_cmds", "commands"), ("cq_cmds", "cq_proj", "consume"), ("cq_proj", "serving_db", "upsert")]),
    _pattern("sourcing", [APP, ("es_log", "topic", "entity-events", "kafka"), ("es_snap", "topic", "snapshots", "kafka")],
             [("app_service", "es_log", "append"), ("es_log", "es_snap", "snapshots"), ("es_snap", "app_service", "rebuild")]),
    _pattern("hot-cold", [("hc_tier", "topic", "tiered topic", "kafka"), LAKE, DOWN],
             [("hc_tier", "object_store", "tiering"), ("object_store", "downstream_service", "history")]),
    _pattern("cdc",
             [SRC, ("cdc_src", "connector", "Debezium source", "connect"), ("cdc_topic", "topic", "cdc.customers", "kafka"), REG],
             [("source_db", "cdc_src", "CDC"), ("cdc_src", "cdc_topic", "change events"),
              ("cdc_src", "schema_registry", "schemas")]),
    _pattern("sink",
             [("cdc_topic", "topic", "cdc.customers", "kafka"), ("sk_jdbc", "connector", "JDBC sink", "connect"), SERVING],
             [("cdc_topic", "sk_jdbc", "consume"), ("sk_jdbc", "serving_db", "upsert")]),
    _pattern("outbox",
             [APP, ("ob_table", "database", "outbox table", None), ("ob_relay", "connector", "Outbox relay", "connect"),
              ("ev_topic", "topic", "order-events", "kafka")],
             [("app_service", "ob_table", "same transaction"), ("ob_table", "ob_relay", "CDC"),
              ("ob_relay", "ev_topic", "events")]),
    _pattern("mesh",
             [("dm_orders", "service", "Orders service", "domain-orders"), ("dm_orders_t", "topic", "orders.v1", "domain-orders"),
              ("dm_pay", "service", "Payments service", "domain-payments"), REG],
             [("dm_orders", "dm_orders_t", "publish"), ("dm_orders_t", "dm_pay", "subscribe"),
              ("dm_orders_t", "schema_registry", "contract")]),
    _pattern("idempotence", [APP, ("ev_topic", "topic", "order-events", "kafka")],
             [("app_service", "ev_topic", "idempotent produce")]),
    _pattern("eos",
             [("eos_app", "stream-processor", "Streams app", None), ("ev_topic", "topic", "order-events", "kafka"),
              ("eos_out", "topic", "enriched", "kafka"), ("eos_crm", "external", "External CRM", None)],
             [("ev_topic", "eos_app", "read_committed"), ("eos_app", "eos_out", "transactional writes"),
              ("eos_out", "eos_crm", "webhook")]),
]
RR = _pattern("request-reply", [APP, ("rr_req", "topic", "requests", "kafka"), ("rr_resp", "service", "Responder", None)],
              [("app_service", "rr_req", "request"), ("rr_req", "rr_resp", "consume")])


class FakeKB:
    """report_dot reads only kb.patterns and the system name (the shipped questionnaire's role)."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self.patterns = {p.id: p for p in patterns}

    def system_name(self, answers: typing.Mapping[str, typing.Any]) -> str | None:
        value = answers.get("system_name")
        return value if isinstance(value, str) and value.strip() else None


def _report(recommended: list[Pattern], answers: dict[str, typing.Any] | None = None,
            discouraged: list[Pattern] = ()) -> Report:  # type: ignore[assignment]
    return Report(
        verdict=Verdict(level="good-fit", summary="fits", alternatives=[]),
        recommended=[Recommendation(pattern=p.id, name=p.name, score=10, reasons=[]) for p in recommended],
        discouraged=[Discouragement(pattern=p.id, name=p.name, severity="high", alternative="A synchronous REST call",
                                    reasons=[]) for p in discouraged],
        checklist=[], notes=[], unanswered=[], answers=answers or {},
    )


def _dot(report: Report, patterns: list[Pattern], **kw: bool) -> str:
    return report_dot(report, typing.cast(KnowledgeBase, FakeKB(patterns)), **kw)


def _svg_nodes(svg: bytes) -> dict[str, str]:
    """Graphviz SVG: node id (its <title>) -> all text drawn in that node."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            title = g.findtext(f"{SVG}title") or ""
            out[html.unescape(title)] = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
    return out


def _text(dot: str) -> str:
    """The words of a DOT file as a reader sees them: line breaks and entities resolved."""
    return " ".join(html.unescape(re.sub(r"<BR[^>]*>", " ", dot)).split())


def _node_lines(dot: str) -> list[str]:
    return [line for line in dot.splitlines() if line.strip().startswith('"') and "->" not in line and "shape=" in line]


# --------------------------------------------------------------------------- style table


def test_style_table_has_one_row_per_node_kind_and_distinct_looks() -> None:
    kinds = set(typing.get_args(NodeKind))
    assert set(STYLES) == kinds
    looks = {(s.shape, s.fill) for s in STYLES.values()}
    assert len(looks) == len(kinds), "two kinds would look the same"
    assert len({s.shape for s in STYLES.values()}) == len(kinds)


# --------------------------------------------------------------------------- composition


def test_shared_nodes_merge_and_groups_become_one_cluster_each() -> None:
    dot = _dot(_report(TEN), TEN)
    ids = [line.split('"')[1] for line in _node_lines(dot)]
    assert len(ids) == len(set(ids)), "a node is defined twice"
    for shared in ("app_service", "schema_registry", "serving_db", "ev_topic", "cdc_topic"):
        assert ids.count(shared) == 1
    assert dot.count('subgraph "cluster_kafka"') == 1
    assert dot.count('subgraph "cluster_connect"') == 1
    assert 'subgraph "cluster_domain_orders' in dot and 'subgraph "cluster_domain_payments' in dot
    assert "Orders domain" in dot and "Kafka Connect workers" in dot and "Kafka cluster" in dot


def test_edges_between_the_same_ends_share_one_line_with_both_labels() -> None:
    a = _pattern("a", [APP, ("t", "topic", "t", "kafka")], [("app_service", "t", "events")])
    b = _pattern("b", [APP, ("t", "topic", "t", "kafka")], [("app_service", "t", "snapshots")])
    dot = _dot(_report([a, b]), [a, b])
    edges = [line for line in dot.splitlines() if '"app_service" -> "t"' in line]
    assert len(edges) == 1
    assert "events / snapshots" in edges[0]


def test_user_names_fill_the_placeholders_and_fall_back_when_unanswered() -> None:
    cdc = TEN[4]
    named = _dot(_report([TEN[0], cdc], {"system_name": "Billing hub", "source_db_name": "Legacy Oracle"}), TEN)
    assert "Billing hub" in named and "Legacy Oracle" in named
    assert "Billing hub: recommended Kafka architecture" in named
    plain = _dot(_report([TEN[0], cdc]), TEN)
    assert "Your service" in plain and "Source database" in plain and "{system_name" not in plain


def test_the_same_report_gives_the_same_dot_and_ids_come_from_the_knowledge_base() -> None:
    one = _dot(_report(TEN), TEN)
    two = _dot(_report(TEN), TEN)
    assert one == two
    ids = {line.split('"')[1] for line in _node_lines(one)}
    kb_ids = {n.id for p in TEN for n in p.diagram.nodes}
    assert ids == kb_ids


def test_a_legend_names_each_kind_drawn_and_only_those() -> None:
    small = _pattern("small", [APP, ("t", "topic", "t", "kafka")], [("app_service", "t", "events")])
    dot = _dot(_report([small]), [small])
    assert ">service<" in dot and ">topic<" in dot
    assert ">connector<" not in dot and ">not recommended<" not in dot
    full = _dot(_report(TEN), TEN)
    for style in STYLES.values():
        assert f">{style.caption}<" in full


def test_discouraged_parts_are_drawn_only_on_request_dashed_red_with_the_alternative() -> None:
    report = _report(TEN[:2], discouraged=[RR])
    hidden = _dot(report, [*TEN, RR])
    assert "rr_req" not in hidden and "synchronous REST" not in hidden
    shown = _dot(report, [*TEN, RR], show_discouraged=True)
    req = next(line for line in shown.splitlines() if line.strip().startswith('"rr_req"'))
    assert "dashed" in req and diagram.DISCOURAGED.border in req
    assert "Instead: A synchronous REST call" in _text(shown) and "Not recommended: Request Reply" in _text(shown)
    # a shared node keeps its normal style: only the discouraged pattern's own parts turn red
    app = next(line for line in shown.splitlines() if line.strip().startswith('"app_service"'))
    assert diagram.DISCOURAGED.border not in app


def test_an_empty_report_says_so_instead_of_drawing_nothing() -> None:
    text = _text(_dot(_report([], discouraged=[RR]), [RR]))
    assert "No Kafka pattern is recommended" in text and "1 discouraged pattern is not drawn" in text


# --------------------------------------------------------------------------- escaping


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_a_label_never_carries_markup_of_its_own(text: str) -> None:
    label = diagram._lines(text)
    bare = label.replace("<BR/>", "\n")
    assert "<" not in bare and ">" not in bare and '"' not in bare
    assert "\\" not in bare.replace("\\\\", ""), "a lone backslash would let Graphviz expand \\N or \\G"
    shown = "".join(html.unescape(bare.replace("\\\\", "\\")).split())
    cleaned = "".join(diagram._clean(text).split())
    assert cleaned.startswith(shown.removesuffix("…")), (shown, cleaned)


@pytest.mark.parametrize("name", EVIL, ids=range(len(EVIL)))
def test_hostile_names_render_as_text_in_the_svg(name: str) -> None:
    report = _report(TEN[:5], {"system_name": name, "source_db_name": name})
    dot = _dot(report, TEN)
    assert len(_node_lines(dot)) == len(_node_lines(_dot(_report(TEN[:5]), TEN))), "the name added or removed nodes"
    nodes = _svg_nodes(render(dot, "svg"))
    assert "pwned" not in nodes and "x" not in nodes
    expected = diagram._clean(name)[:12]
    drawn = " ".join(nodes["app_service"].split())
    assert drawn.replace(" ", "").startswith(expected.replace(" ", "")), (drawn, expected)


# --------------------------------------------------------------------------- rendering


def test_ten_patterns_read_left_to_right_and_every_node_is_drawn() -> None:
    dot = _dot(_report(TEN, {"system_name": "Order platform"}), TEN)
    assert 'rankdir="LR"' in dot
    svg = render(dot, "svg")
    root = ET.fromstring(svg)
    width, height = (float(root.get(k, "0").removesuffix("pt")) for k in ("width", "height"))
    assert width > height, "a left-to-right diagram should be wider than tall"
    drawn = _svg_nodes(svg)
    assert {n.id for p in TEN for n in p.diagram.nodes} <= set(drawn)
    png = render(dot, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", png[16:24])
    assert 800 <= w <= 2400 and 300 <= h <= 2400, (w, h)


def _centres(svg: bytes) -> dict[str, float]:
    """Graphviz SVG: node id -> the x of its shape's centre (left to right is the data flow)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        xs: list[float] = []
        for shape in g:
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("points") or shape.get("d") or "")]
            xs += numbers[0::2]
        out[html.unescape(g.findtext(f"{SVG}title") or "")] = (min(xs) + max(xs)) / 2
    return out


ORDERS = ("t_orders", "topic", "orders", "kafka")
FLOW = [
    _pattern("produce", [APP, ORDERS, ("t_audit", "topic", "audit", "kafka"), DOWN, REG],
             [("app_service", "t_orders", "produce"), ("t_orders", "t_audit", "copy"),
              ("t_orders", "downstream_service", "consume"), ("t_audit", "downstream_service", "consume"),
              ("app_service", "schema_registry", "register"), ("downstream_service", "schema_registry", "fetch schema")]),
    _pattern("ingest", [SRC, ("src_conn", "connector", "Source connector", "connect"), ORDERS],
             [("source_db", "src_conn", "read"), ("src_conn", "t_orders", "records")]),
    _pattern("export", [ORDERS, ("snk_conn", "connector", "Sink connector", "connect"), SERVING],
             [("t_orders", "snk_conn", "consume"), ("snk_conn", "serving_db", "upsert")]),
]


def test_kafka_is_one_column_with_producers_left_and_consumers_right() -> None:
    """A topic-to-topic edge and a consumer that reads the registry must not pull Kafka apart or push consumers left."""
    x = _centres(render(_dot(_report(FLOW[:1]), FLOW), "svg"))
    assert abs(x["t_orders"] - x["t_audit"]) < 1, "topics of one Kafka cluster share a column"
    assert abs(x["schema_registry"] - x["t_orders"]) < 1, "the registry sits beside Kafka"
    assert x["app_service"] < x["t_orders"] < x["downstream_service"]


def test_connect_workers_split_into_a_source_side_and_a_sink_side_of_kafka() -> None:
    dot = _dot(_report(FLOW), FLOW)
    assert 'subgraph "cluster_connect" {' in dot and 'subgraph "cluster_connect_sinks" {' in dot
    assert "Kafka Connect workers (source side)" in dot and "Kafka Connect workers (sink side)" in dot
    x = _centres(render(dot, "svg"))
    assert x["source_db"] < x["src_conn"] < x["t_orders"] < x["snk_conn"] < x["serving_db"]
    # only one side present: one box, with the plain title
    one = _dot(_report(FLOW[1:2]), FLOW)
    assert 'subgraph "cluster_connect" {' in one and "cluster_connect_sinks" not in one and ">Kafka Connect workers<" in one


def test_png_is_150_dpi_and_at_most_2400_px_a_side(kb: KnowledgeBase) -> None:
    small = _dot(_report(FLOW[:1]), FLOW)
    width_pt = float(ET.fromstring(render(small, "svg")).get("width", "0").removesuffix("pt"))
    w, _ = struct.unpack(">II", render(small, "png")[16:24])
    assert abs(w - width_pt * 150 / 72) <= 2, (w, width_pt)
    _, answers = load_answers_file(kb, ROOT / "examples" / "retail-data-mesh-good-fit.yaml")
    w, h = struct.unpack(">II", render(report_dot(evaluate(kb, answers), kb), "png")[16:24])
    assert max(w, h) == 2400, (w, h)


def test_pdf_rendering_gives_a_pdf() -> None:
    pdf = render(_dot(_report(TEN[:3]), TEN), "pdf")
    assert pdf.startswith(b"%PDF-")


def test_every_catalogue_pattern_has_a_valid_diagram_of_its_own(kb: KnowledgeBase) -> None:
    for pattern in kb.patterns.values():
        dot = pattern_dot(pattern)
        assert pattern.name.split()[0] in html.unescape(dot)
        drawn = _svg_nodes(render(dot, "svg"))
        assert {n.id for n in pattern.diagram.nodes} == set(drawn), pattern.id


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_svg_names_every_recommended_patterns_nodes(kb: KnowledgeBase, scenario: str) -> None:
    _, answers = load_answers_file(kb, ROOT / "examples" / f"{scenario}.yaml")
    report = evaluate(kb, answers)
    for show in (False, True):
        drawn = _svg_nodes(render(report_dot(report, kb, show_discouraged=show), "svg"))
        for rec in report.recommended:
            for node in kb.patterns[rec.pattern].diagram.nodes:
                assert node.id in drawn, (rec.pattern, node.id)
                label = diagram.fill_placeholders(node.label, report.answers)
                assert diagram._clean(label).split()[0][:10] in drawn[node.id]
        if show:
            for dis in report.discouraged:
                assert any(n.id in drawn for n in kb.patterns[dis.pattern].diagram.nodes)


def test_unknown_format_lists_the_valid_ones() -> None:
    with pytest.raises(DiagramError) as err:
        render("digraph { a }", "jpeg")
    assert "svg, png, pdf" in err.value.one_line()


def test_invalid_dot_is_one_clear_error() -> None:
    with pytest.raises(DiagramError) as err:
        render("digraph { a -> }", "svg")
    assert "dot failed" in err.value.one_line() and "\n" not in err.value.one_line()


def test_missing_dot_is_reported_with_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert dot_available()
    monkeypatch.setenv("KAFKA_ADVISOR_DOT", "no-such-graphviz-binary")
    assert not dot_available()
    with pytest.raises(DiagramError) as err:
        render("digraph { a }", "png")
    line = err.value.one_line()
    assert "'dot'" in line and "apt-get install graphviz" in line and "\n" not in line
    # DOT itself needs no binary
    assert _dot(_report(TEN[:1]), TEN).startswith("digraph")
