"""The user's own system as a diagram: their services, events and external systems, and the few parts the
core patterns add to it (a schema registry, an outbox relay, Kafka Connect, tiered storage).

diagram.py composes the patterns' generic fragments; this module draws the inventory instead, so the
picture shows "orders" and "Analytics warehouse" rather than "Your service" and "Serving database".
Only core-tier patterns add parts. Baseline patterns apply everywhere and change no box: they are a few
words where they apply ("RF 3, min ISR 2, acks=all" under Kafka) or a line in the heading; later-tier
patterns are not drawn. Without an inventory the core patterns' own fragments are drawn, so every report
still gets a picture.

Edge labels are few on purpose: in a left-to-right dot layout every label is a box of its own between
two columns, and "5 topics" on one edge widened the 12-service drawing by an inch.

The model (SystemDiagram) holds raw text; the DOT writer escapes every label through diagram.py's
helpers, and node and cluster ids are generated (svc1, ext2...), so nothing a user typed ever reaches
DOT syntax or an SVG attribute.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape as xml_escape

from . import diagram
from .diagram import DISCOURAGED, EDGE_COLOUR, GROUPS, STYLES, Html, _attrs, _lines, _q, fill_placeholders, one_line
from .inventory import DB_LABELS, EXTERNAL_LABELS, External, Inventory, Service, topic_name
from .loader import KnowledgeBase
from .model import Recommendation, Report

# --------------------------------------------------------------------------- limits and looks

MAX_NODES = 20  # beyond this a whiteboard drawing stops being read and starts being searched
CLUSTER_SERVICES = 4  # a team with more services than this shows identical ones as one box
SYSTEM_SERVICES = 14  # ... and so does a system with more services than this
TOPIC_NODES = 8  # more events than this: one Kafka box listing the topics (see _topic_plan)
TOPIC_ROWS = 16  # more events than this: rows grouped by producer
NAMES_SHOWN = 5  # a collapsed box names this many members, then "+ N more"
EXTERNAL_NODES = 5  # more external systems than this: grouped by kind and direction
EDGE_ROWS = 24  # more service-topic lines than this: one line per service box and direction instead

# Arial, as diagram.py: dot resolves it to the metric-compatible Liberation Sans, and browsers draw Arial (or
# Liberation) with the same widths. "Helvetica" resolved to the much wider DejaVu Sans in dot here, so every
# box was laid out 14 % wider than the browser then drew its text.
FONT = diagram.FONT
FONT_SIZE = 14
SMALL = 12  # second lines, edge labels and the heading's notes: the smallest text drawn
TITLE_SIZE = 16

# The core patterns that add parts to the user's system. Any other core pattern is named in the heading.
REGISTRY = "schema-evolution"
OUTBOX = "transactional-outbox"
TIERED = "hot-cold-data"
SINK_CONNECT = ("sink-connector", "kafka-connect")
SOURCE_CONNECT = ("source-connector", "kafka-connect", "cdc-log-based", "cdc-query-based")
IMPLIED = ("smart-endpoints-dumb-pipes",)  # the drawing itself: logic in the services, Kafka only carries events
# Baseline (or core) patterns that apply everywhere: a few words where they apply, not boxes of their own.
DURABILITY = "durability-baseline"
IDEMPOTENT = "idempotent-producer"
DLQ = "dead-letter-queue"
DRAWN = frozenset({REGISTRY, OUTBOX, TIERED, *SINK_CONNECT, *SOURCE_CONNECT, *IMPLIED, DURABILITY, IDEMPOTENT, DLQ})

KAFKA = "kafka"  # the Kafka cluster's id
TOPICS = "topics"  # the Kafka box that lists the topics when there are too many for one node each
ALL = "all"  # its heading row's port: edges that concern every topic end there, not on one topic's row


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Row:
    """One topic (or one group of topics) in the Kafka box; edges attach to its port."""

    port: str
    text: str
    note: str = ""  # small grey text after it: who writes it


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # a diagram.STYLES kind, or "discouraged"
    lines: tuple[str, ...]  # raw text: the first line is the name (bold), the rest smaller
    cluster: str | None = None
    rows: tuple[Row, ...] = ()  # a topic table instead of plain lines


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str = ""
    style: str = "solid"  # solid | dashed | bold (a trunk: everything of one kind)
    src_port: str = ""
    dst_port: str = ""
    # Written dst -> src with the arrow reversed: a consumer stays left of Kafka, beside the services that
    # produce, instead of every service that both produces and consumes making a cycle through Kafka.
    back: bool = False
    lhead: str = ""  # the edge ends at (or starts from) the cluster's border: "Kafka" as a whole
    ltail: str = ""
    minlen: int = 1  # columns between its ends


@dataclass(frozen=True)
class Cluster:
    id: str
    title: str
    kind: str  # "kafka" | "team" | "group": the tint
    note: str = ""  # a smaller line under the title


@dataclass(frozen=True)
class SystemDiagram:
    title: str
    notes: tuple[str, ...]  # heading lines under the title
    clusters: tuple[Cluster, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    last: str = ""  # a node of the last column: notes go beside it, where there is room

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


# --------------------------------------------------------------------------- small helpers


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _names(names: Sequence[str], shown: int = NAMES_SHOWN) -> str:
    """'a, b, c' or 'a, b, c, d, e + 3 more': a collapsed box names its members without growing without bound."""
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" + {len(names) - shown} more"


def _core(report: Report) -> list[Recommendation]:
    return [r for r in report.kafka_recommended if r.tier == "core"]


class _Edges:
    """Collects edges; parallel ones (same ends and ports) become one, labelled with how many it stands for."""

    def __init__(self) -> None:
        self._edges: dict[tuple[str, str, str, str, bool], tuple[Edge, int]] = {}

    def add(self, edge: Edge) -> None:
        key = (edge.src, edge.src_port, edge.dst, edge.dst_port, edge.back)
        old = self._edges.get(key)
        self._edges[key] = (edge, 1) if old is None else (old[0], old[1] + 1)

    def done(self) -> tuple[Edge, ...]:
        return tuple(replace(e, label=f"{e.label} ×{n}".strip()) if n > 1 else e for e, n in self._edges.values())


# --------------------------------------------------------------------------- the user's system


@dataclass
class _Unit:
    """A service box: one service, or several of the same shape collapsed into one."""

    id: str
    members: list[Service]
    cluster: str | None
    db: str  # the second line, e.g. "PostgreSQL + outbox"

    def lines(self) -> tuple[str, ...]:
        if len(self.members) == 1:
            return (self.members[0].name, self.db)
        n = len(self.members)
        shared = ("" if not self.db else f", {self.db}" if self.db == NO_DB else f", each {self.db}")
        return (_names([s.name for s in self.members]), f"{n} services{shared}")


NO_DB = "no database"


def _db_line(s: Service, outbox: bool) -> str:
    if s.database == "none":
        return NO_DB
    return DB_LABELS[s.database] + (" + outbox" if outbox and s.produces else "")


def _outboxed(s: Service, outbox: bool) -> bool:
    """Its events reach Kafka through the outbox relay: it owns a database to write the outbox rows in."""
    return outbox and s.database != "none" and bool(s.produces)


def _service_clusters(inv: Inventory) -> tuple[list[Cluster], dict[str, str | None]]:
    """A cluster per team (per domain when no team is given); {service name: cluster id}."""
    by = "team" if any(s.team for s in inv.services) else "domain" if any(s.domain for s in inv.services) else ""
    clusters: dict[str, Cluster] = {}
    where: dict[str, str | None] = {}
    for s in inv.services:
        name = getattr(s, by) if by else ""
        if not name:
            where[s.name] = None
            continue
        key = name.casefold()
        if key not in clusters:
            word = f" {by}" if by not in name.casefold() else ""
            clusters[key] = Cluster(f"c{len(clusters) + 1}", f"{name}{word}", "team")
        where[s.name] = clusters[key].id
    return list(clusters.values()), where


def _units(inv: Inventory, where: dict[str, str | None], outbox: bool, budget: int) -> list[_Unit]:
    """Service boxes within `budget`: each service alone, else identical ones merged, else one box per team."""
    singles = [_Unit(f"svc{i + 1}", [s], where[s.name], _db_line(s, outbox)) for i, s in enumerate(inv.services)]
    per_cluster: dict[str | None, int] = {}
    for u in singles:
        per_cluster[u.cluster] = per_cluster.get(u.cluster, 0) + 1
    crowded = len(singles) > SYSTEM_SERVICES
    if not crowded and all(n <= CLUSTER_SERVICES for c, n in per_cluster.items() if c) and len(singles) <= budget:
        return singles
    # Same team and same second line: the boxes would differ only by name, so one box names them all.
    units = _merge(singles, lambda u: (u.cluster, u.db) if crowded or per_cluster[u.cluster] > CLUSTER_SERVICES
                   or len(singles) > budget else (u.cluster, u.id))
    if len(units) <= budget:
        return units
    units = _merge(units, lambda u: (u.cluster, "") if u.cluster else (None, u.id))
    if len(units) <= budget:
        return units
    # Still too many teams: the largest keep their box, the rest share one.
    kept = sorted(units, key=lambda u: -len(u.members))[: max(budget - 1, 1)]
    rest = [u for u in units if u not in kept]
    merged = _Unit("svc_rest", [s for u in rest for s in u.members], None, "")
    return [u for u in units if u in kept] + [merged]


def _merge(units: list[_Unit], key: Callable[[_Unit], Hashable]) -> list[_Unit]:
    """Units with the same key become one, in first-member order; a second line they do not share is dropped."""
    groups: dict[Hashable, _Unit] = {}
    for u in units:
        k = key(u)
        if k in groups:
            g = groups[k]
            groups[k] = _Unit(g.id, [*g.members, *u.members], g.cluster, g.db if g.db == u.db else "")
        else:
            groups[k] = _Unit(u.id, list(u.members), u.cluster, u.db)
    return list(groups.values())


@dataclass
class _TopicPlan:
    nodes: list[Node]
    target: dict[str, tuple[str, str]]  # event -> (node id, port)
    anchor: str  # a node inside the Kafka cluster, for edges to and from "Kafka" as a whole
    anchor_port: str = ""  # the Kafka box's heading row, which stands for all its topics

    def whole(self, edge: Edge, *, into: bool) -> Edge:
        """`edge` re-aimed at Kafka as a whole: the box's heading row, else the cluster's border."""
        if self.anchor_port:
            return replace(edge, dst_port=self.anchor_port) if into else replace(edge, src_port=self.anchor_port)
        return replace(edge, lhead=f"cluster_{KAFKA}") if into else replace(edge, ltail=f"cluster_{KAFKA}")


def _topic_plan(inv: Inventory, producer: dict[str, str], room: int) -> _TopicPlan:
    """Topics as nodes of their own while they fit; otherwise one Kafka box listing them.

    Ten topic nodes beside twelve services make 27 boxes; grouping topics by producer still made 21 and hid
    which event a consumer reads. One box with a row (and an edge port) per topic keeps every topic name and
    every subscription visible for the cost of one node. Past TOPIC_ROWS rows the box itself gets too tall,
    so rows then group a producer's topics.
    """
    events = inv.events()
    order = {name: i for i, name in enumerate(producer.values())}
    events.sort(key=lambda e: order.get(producer.get(e, ""), len(order)))  # a producer's topics together
    if not events:
        node = Node(TOPICS, "topic", ("no events listed yet",), KAFKA)
        return _TopicPlan([node], {}, TOPICS)
    if len(events) <= TOPIC_NODES and len(events) <= room:
        nodes = [Node(f"topic{i + 1}", "topic", (topic_name(e),), KAFKA) for i, e in enumerate(events)]
        return _TopicPlan(nodes, {e: (n.id, "") for e, n in zip(events, nodes, strict=True)}, nodes[0].id)
    rows: list[Row] = []
    target: dict[str, tuple[str, str]] = {}
    if len(events) <= TOPIC_ROWS:
        for i, e in enumerate(events):
            rows.append(Row(f"t{i + 1}", topic_name(e), f"from {producer[e]}" if e in producer else "no producer listed"))
            target[e] = (TOPICS, rows[-1].port)
    else:
        grouped: dict[str, list[str]] = {}
        for e in events:
            grouped.setdefault(producer.get(e, ""), []).append(e)
        for i, (who, group) in enumerate(grouped.items()):
            if i == TOPIC_ROWS - 1 and len(grouped) > TOPIC_ROWS:  # the last row stands for all the rest
                rest = [x for g in list(grouped.values())[i:] for x in g]
                rows.append(Row(f"t{i + 1}", f"{_plural(len(rest), 'more topic')}", "from other producers"))
                target.update({x: (TOPICS, rows[-1].port) for x in rest})
                break
            names = _names([topic_name(e) for e in group], 3)
            rows.append(Row(f"t{i + 1}", names, f"from {who}" if who else "no producer listed"))
            target.update({e: (TOPICS, rows[-1].port) for e in group})
    heading = (_plural(len(events), "topic"),)
    return _TopicPlan([Node(TOPICS, "topic", heading, KAFKA, tuple(rows))], target, TOPICS, ALL)


def _external_units(inv: Inventory) -> list[tuple[str, list[External]]]:
    """(node id, the systems it stands for): each system alone, or grouped by kind and direction when many."""
    xs = inv.externals
    if len(xs) <= EXTERNAL_NODES:
        return [(f"ext{i + 1}", [x]) for i, x in enumerate(xs)]
    groups: dict[tuple[str, str], list[External]] = {}
    for x in xs:
        groups.setdefault((x.direction, x.kind), []).append(x)
    if len(groups) > EXTERNAL_NODES:
        groups = {}
        for x in xs:
            groups.setdefault((x.direction, ""), []).append(x)
    return [(f"ext{i + 1}", members) for i, members in enumerate(groups.values())]


def _external_node(node_id: str, members: list[External]) -> Node:
    if len(members) == 1:
        return Node(node_id, "external", (members[0].name, EXTERNAL_LABELS[members[0].kind]))
    kinds = {x.kind for x in members}
    what = _KIND_PLURALS.get(members[0].kind, EXTERNAL_LABELS[members[0].kind] + "s") if len(kinds) == 1 \
        else "external systems"
    return Node(node_id, "external", (_names([x.name for x in members]), f"{len(members)} {what}"))


_KIND_PLURALS = {"search": "search indexes", "files": "file stores", "cache": "caches"}


_Drawing = tuple[list[Cluster], list[Node], tuple[Edge, ...], frozenset[str]]  # ... and the patterns annotated


def _from_inventory(inv: Inventory, core: set[str], baseline: set[str]) -> _Drawing:
    """`core`: the core patterns, which add parts; `baseline`: core and baseline ones, which annotate."""
    outbox = OUTBOX in core
    sink_connect = any(p in core for p in SINK_CONNECT)
    source_connect = any(p in core for p in SOURCE_CONNECT)
    clusters, where = _service_clusters(inv)
    ext_units = _external_units(inv)
    sinks = [(i, m) for i, m in ext_units if any(x.direction != "source" for x in m)]
    sources = [(i, m) for i, m in ext_units if any(x.direction != "sink" for x in m)]
    relayed = [s for s in inv.services if _outboxed(s, outbox)]
    annotated = {DURABILITY, IDEMPOTENT} & baseline  # the Kafka cluster's note

    # The parts the core patterns add, each once for the whole system.
    parts: list[Node] = []
    if REGISTRY in core:
        parts.append(Node("registry", "schema-registry", ("Schema Registry", "one schema per topic"), KAFKA))
    if TIERED in core:
        parts.append(Node("tiered", "object-storage", ("Object storage (tiered)", "older log segments"), KAFKA))
    if relayed:
        n = len({e for s in relayed for e in s.produces})
        parts.append(Node("relay", "connector", ("Debezium outbox relay",
                                                  f"{_plural(len(relayed), 'outbox table')} → {_plural(n, 'topic')}")))
    if sink_connect and sinks:
        names = [x.name for _, m in sinks for x in m if x.direction != "source"]
        dlq = ("failed records → DLQ topic",) if DLQ in baseline else ()
        annotated |= {DLQ} & baseline
        parts.append(Node("connect_sink", "connector", ("Kafka Connect", f"sink: {_names(names, 3)}", *dlq)))
    if source_connect and sources:
        names = [x.name for _, m in sources for x in m if x.direction != "sink"]
        word = "CDC source" if any(p in core for p in ("cdc-log-based", "cdc-query-based")) else "source"
        parts.append(Node("connect_source", "connector", ("Kafka Connect", f"{word}: {_names(names, 3)}")))

    room = MAX_NODES - len(parts) - len(ext_units)
    units = _units(inv, where, outbox, max(room - 1, 1))  # at least one node is left for the topics
    unit_of = {s.name: u for u in units for s in u.members}
    producer: dict[str, str] = {}
    for s in inv.services:
        for e in s.produces:
            producer.setdefault(e, s.name)
    for x in inv.externals:
        if x.direction != "sink":
            for e in x.events:
                producer.setdefault(e, x.name)
    plan = _topic_plan(inv, producer, room - len(units))

    edges = _Edges()
    if relayed:
        for s in relayed:
            edges.add(Edge(unit_of[s.name].id, "relay"))
    _service_edges(edges, inv, unit_of, plan, outbox, reach=2 if relayed else 1)
    if relayed:
        relayed_events = {e for s in relayed for e in s.produces}
        if plan.anchor == TOPICS:  # into Kafka as a whole: ending on one row would read as that topic only
            edges.add(plan.whole(Edge("relay", TOPICS, style="bold"), into=True))
        else:
            order = [n.id for n in plan.nodes]
            for node in sorted({plan.target[e][0] for e in relayed_events}, key=order.index):
                edges.add(Edge("relay", node))
    _external_edges(edges, inv, plan, sinks, sources, sink_connect, source_connect)
    if TIERED in core:
        # Drawn from the Kafka box itself (no port): the two share a column, so it is a short vertical line.
        edges.add(Edge(plan.anchor, "tiered", "older segments", "dashed"))

    nodes = [Node(u.id, "service", u.lines(), u.cluster) for u in units]
    nodes += [_external_node(i, m) for i, m in ext_units]
    kafka = [Cluster(KAFKA, "Kafka", "kafka", _kafka_note(baseline))]
    return clusters + kafka, nodes + plan.nodes + parts, edges.done(), frozenset(annotated)


def _service_edges(edges: _Edges, inv: Inventory, unit_of: dict[str, _Unit], plan: _TopicPlan, outbox: bool, *,
                   reach: int) -> None:
    """Each service's edges to the topics it writes (directly, not through the outbox) and reads.

    `reach`: with the relay column between services and Kafka, a service that only consumes would otherwise
    sit in the relay's column, out of its team's column, and stretch the team's box across the drawing.
    """
    flows: list[tuple[str, str, bool]] = []  # (unit id, event, reads it)
    for s in inv.services:
        u = unit_of[s.name].id
        if not _outboxed(s, outbox):
            flows.extend((u, e, False) for e in s.produces)
        flows.extend((u, e, True) for e in s.consumes)
    pairs = {(u, plan.target[e], read) for u, e, read in flows}
    if len(pairs) <= EDGE_ROWS:
        for u, e, read in flows:
            node, port = plan.target[e]
            edges.add(Edge(node, u, src_port=port, back=True, minlen=reach) if read else Edge(u, node, dst_port=port))
        return
    # More lines than anyone can follow: one edge each way between a service box and Kafka as a whole,
    # saying how many topics it reads or writes. The topic box still lists every topic and its producer.
    per: dict[tuple[str, bool], set[str]] = {}
    for u, e, read in flows:
        per.setdefault((u, read), set()).add(e)
    for (u, read), events in per.items():
        label = _plural(len(events), "topic")
        if read:
            edges.add(plan.whole(Edge(plan.anchor, u, label, back=True, minlen=reach), into=False))
        else:
            edges.add(plan.whole(Edge(u, plan.anchor, label), into=True))


def _kafka_note(baseline: set[str]) -> str:
    words = []
    if DURABILITY in baseline:
        words.append("RF 3, min ISR 2, acks=all")
    if IDEMPOTENT in baseline:
        words.append("idempotent producers")
    return ", ".join(words)


def _external_edges(edges: _Edges, inv: Inventory, plan: _TopicPlan, sinks: list[tuple[str, list[External]]],
                    sources: list[tuple[str, list[External]]], sink_connect: bool, source_connect: bool) -> None:
    """Sinks read topics (through one Kafka Connect node when Connect is core); sources write them likewise."""
    for node_id, members in sinks:
        events = [e for x in members if x.direction != "source" for e in x.events]
        via = "connect_sink" if sink_connect else node_id
        for e in events:
            topic, port = plan.target[e]
            edges.add(Edge(topic, via, src_port=port))
        if not events:  # the inventory does not say which: from Kafka as a whole
            edges.add(plan.whole(Edge(plan.anchor, via, "topics to choose", "dashed"), into=False))
        if sink_connect:
            # Which topics reach which sink, when one Connect node serves several; with one sink the
            # edges into Connect already say it.
            n = len(set(events))
            edges.add(Edge("connect_sink", node_id, _plural(n, "topic") if n and len(sinks) > 1 else ""))
    for node_id, members in sources:
        events = [e for x in members if x.direction != "sink" for e in x.events]
        via = "connect_source" if source_connect else node_id
        if source_connect:
            edges.add(Edge(node_id, "connect_source"))
        for e in events:
            topic, port = plan.target[e]
            edges.add(Edge(via, topic, dst_port=port))
        if not events:
            edges.add(plan.whole(Edge(via, plan.anchor, "topics to choose", "dashed"), into=True))


# --------------------------------------------------------------------------- no inventory: the core fragments


def _from_fragments(report: Report, kb: KnowledgeBase, core: list[Recommendation]) -> _Drawing:
    """The core patterns' own fragments merged (a node id seen twice is one node), as diagram.report_dot does
    for every recommended pattern: six core patterns instead of all of them keeps it near 20 boxes."""
    raw_nodes: dict[str, tuple[str, str, str | None]] = {}  # id -> (kind, label, group)
    raw_edges: dict[tuple[str, str], tuple[list[str], bool]] = {}  # (from, to) -> (labels, all dashed)
    for rec in core:
        pattern = kb.patterns.get(rec.pattern)
        if pattern is None:
            continue
        for n in pattern.diagram.nodes:
            raw_nodes.setdefault(n.id, (n.kind, fill_placeholders(n.label, report.answers), n.group))
        for e in pattern.diagram.edges:
            label = one_line(fill_placeholders(e.label, report.answers))
            labels, dashed = raw_edges.get((e.from_, e.to), ([], True))
            raw_edges[(e.from_, e.to)] = ([*labels, label] if label and label not in labels else labels,
                                          dashed and e.style == "dashed")
    ids = {pid: f"f{i + 1}" for i, pid in enumerate(raw_nodes)}
    # Sink connectors on the far side of Kafka get their own box: one Connect box spanning both sides
    # would lie across every data edge (the reason diagram.CONNECT_SPLIT exists).
    sinks = {b for (a, b) in raw_edges if raw_nodes.get(a, ("",))[0] == "topic"}
    connect = [pid for pid, (_, _, g) in raw_nodes.items() if g == "connect"]
    split = any(p in sinks for p in connect) and not all(p in sinks for p in connect)
    clusters: dict[str, Cluster] = {}
    nodes = []
    for pid, (kind, label, group) in raw_nodes.items():
        if split and group == "connect" and pid in sinks:
            group = "connect_sinks"
        cluster = None
        if group:
            if group not in clusters:
                title = {KAFKA: "Kafka", "connect": "Kafka Connect", "connect_sinks": "Kafka Connect (sinks)"}.get(
                    group, diagram._group_style(group)[0])
                cid = KAFKA if group == KAFKA else f"g{len(clusters) + 1}"
                clusters[group] = Cluster(cid, title, "kafka" if group == KAFKA else "group")
            cluster = clusters[group].id
        nodes.append(Node(ids[pid], kind, (label, STYLES[kind].caption), cluster))
    edges = tuple(Edge(ids[a], ids[b], " / ".join(labels), "dashed" if dashed else "solid")
                  for (a, b), (labels, dashed) in raw_edges.items() if a in ids and b in ids)
    return list(clusters.values()), nodes, edges, frozenset()


# --------------------------------------------------------------------------- the whole diagram


def _discouraged_notes(report: Report) -> list[Node]:
    recommended = {r.pattern for r in report.recommended}
    notes = []
    for i, d in enumerate(report.discouraged):
        # Recommended and discouraged at once (low severity for part of the system): a caution, not a veto.
        verdict = "Caution" if d.pattern in recommended else "Not recommended"
        notes.append(Node(f"not{i + 1}", "discouraged", (f"{verdict}: {d.name}", f"{d.severity} severity")))
    return notes


def _heading(report: Report, kb: KnowledgeBase, core: list[Recommendation], *, inventory: bool,
             annotated: frozenset[str] = frozenset()) -> tuple[str, tuple[str, ...]]:
    """The title and one paragraph: the core patterns, the ones not drawn, the baseline ones not annotated."""
    system = kb.system_name(report.answers)
    if not core:
        return (f"{system}: no Kafka architecture" if system else "No Kafka architecture recommended"), ()
    if inventory:
        title = f"{system}: your system with Kafka" if system else "Your system with Kafka"
    else:
        title = f"{system}: the core Kafka patterns" if system else "The core Kafka patterns"
    # One paragraph, not a line per list: every line of heading is height the services column cannot use.
    notes = ["Core patterns: " + ", ".join(r.name for r in core) + "."]
    undrawn = [r.name for r in core if r.pattern not in DRAWN]
    if inventory and undrawn:
        notes.append("Not drawn here (see the catalogue): " + ", ".join(undrawn) + ".")
    baseline = [r.name for r in report.kafka_recommended if r.tier == "baseline" and r.pattern not in annotated]
    if baseline:
        notes.append("Baseline, everywhere: " + ", ".join(baseline) + ".")
    if not inventory:
        notes.append("No inventory given: these are the patterns' generic parts; list your services to draw your own system.")
    return title, (" ".join(notes),)


def architecture(report: Report, kb: KnowledgeBase, *, show_discouraged: bool = False) -> SystemDiagram:
    """The user's system (from the inventory) with the parts the core patterns add; without an inventory,
    the core patterns' fragments; without core patterns, one box that says so."""
    core = _core(report)
    inv = report.inventory
    has_inventory = inv is not None and not inv.is_empty()
    if not core:
        nothing = Node("nothing", "external", ("No Kafka architecture recommended", "see the verdict and its alternatives"))
        clusters, nodes, edges, annotated = [], [nothing], (), frozenset()
    elif has_inventory:
        assert inv is not None
        # A pattern named inside another (the sink's dead letter queue) still annotates the drawing.
        baseline = set(report.kafka_chosen(("core", "baseline")))
        clusters, nodes, edges, annotated = _from_inventory(inv, {r.pattern for r in core}, baseline)
    else:
        clusters, nodes, edges, annotated = _from_fragments(report, kb, core)
    title, notes = _heading(report, kb, core, inventory=has_inventory, annotated=annotated)
    last = _last_column(nodes, edges)
    if show_discouraged:
        nodes = [*nodes, *_discouraged_notes(report)]
    return SystemDiagram(title, notes, tuple(clusters), tuple(nodes), edges, last)


def _last_column(nodes: Sequence[Node], edges: Sequence[Edge]) -> str:
    """A node in the right-hand column (longest path from the left, as dot ranks it): that column holds few
    boxes, so notes placed there do not add to the height the services column sets."""
    cluster = {n.id: n.cluster for n in nodes}
    flows = [(e.dst, e.src, e.minlen) if e.back else (e.src, e.dst, e.minlen) for e in edges
             if not (cluster.get(e.src) == cluster.get(e.dst) == KAFKA)]  # Kafka is one column
    rank = {n.id: 0 for n in nodes}
    for _ in range(len(nodes)):  # longest path; bounded, so a cycle cannot loop forever
        changed = False
        for a, b, gap in flows:
            if a in rank and b in rank and rank[b] < rank[a] + gap:
                rank[b], changed = rank[a] + gap, True
        if not changed:
            break
    best = max(rank.values(), default=0)
    return next((i for i in reversed(rank) if rank[i] == best), "")


# --------------------------------------------------------------------------- DOT


_TINTS = {"kafka": GROUPS["kafka"][1:], "team": diagram.DOMAIN_TINT, "group": diagram.OTHER_TINT}


def _node_label(node: Node, colour: str) -> Html:
    first, *rest = node.lines or ("",)
    text = f"<B>{_lines(first, 24 if node.kind == 'discouraged' else 26)}</B>"
    for line in rest:
        text += f'<BR/><FONT POINT-SIZE="{SMALL}" COLOR="{colour}">{_lines(line, 34)}</FONT>'
    return Html(text)


def _table_label(node: Node) -> Html:
    s = STYLES["topic"]
    cells = [f'<TR><TD PORT="{ALL}" ALIGN="LEFT"><B>{_lines(line, 44)}</B></TD></TR>' for line in node.lines[:1]]
    for row in node.rows:
        note = f' <FONT POINT-SIZE="{SMALL}" COLOR="{s.font}">{_lines(row.note, 40)}</FONT>' if row.note else ""
        cells.append(f'<TR><TD PORT="{row.port}" ALIGN="LEFT" BALIGN="LEFT">{_lines(row.text, 44)}{note}</TD></TR>')
    return Html(f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" BGCOLOR="{s.fill}" '
                f'COLOR="{s.border}">' + "".join(cells) + "</TABLE>")


def _node_dot(node: Node) -> str:
    if node.rows:
        return f"{_q(node.id)} " + _attrs(shape="plaintext", margin="0", fontcolor=STYLES["topic"].font,
                                          label=_table_label(node)) + ";"
    s = DISCOURAGED if node.kind == "discouraged" else STYLES[node.kind]
    extra = {"fontsize": str(SMALL)} if node.kind == "discouraged" else {}
    return f"{_q(node.id)} " + _attrs(shape=s.shape, style=s.style, fillcolor=s.fill, color=s.border, fontcolor=s.font,
                                      label=_node_label(node, s.font), **extra) + ";"


def _end(node: str, port: str, side: str) -> str:
    return f"{_q(node)}:{_q(port)}:{side}" if port else _q(node)


def _edge_dot(edge: Edge) -> str:
    attrs: dict[str, str] = {}
    if edge.label:
        attrs["label"] = Html(_lines(edge.label, 16, 60))
    if edge.style == "dashed":
        attrs["style"] = "dashed"
    elif edge.style == "bold":
        attrs["penwidth"] = "2.4"
    head, tail = (edge.ltail, edge.lhead) if edge.back else (edge.lhead, edge.ltail)  # written reversed
    if head:
        attrs["lhead"] = head
    if tail:
        attrs["ltail"] = tail
    if edge.minlen != 1:
        attrs["minlen"] = str(edge.minlen)
    if edge.back:
        attrs["dir"] = "back"
        text = f"{_end(edge.dst, edge.dst_port, 'e')} -> {_end(edge.src, edge.src_port, 'w')}"
    else:
        text = f"{_end(edge.src, edge.src_port, 'e')} -> {_end(edge.dst, edge.dst_port, 'w')}"
    return text + (" " + _attrs(**attrs) if attrs else "") + ";"


def _heading_label(title: str, notes: Sequence[str]) -> Html:
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{TITLE_SIZE}"><B>{_lines(title, 90, 160)}</B></FONT></TD></TR>']
    for note in notes:
        rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="{SMALL}" COLOR="#444444">'
                    f'{_lines(note, 150, 600)}</FONT></TD></TR>')
    return Html('<TABLE BORDER="0" CELLSPACING="1" CELLPADDING="1">' + "".join(rows) + "</TABLE>")


def to_dot(d: SystemDiagram) -> str:
    """The diagram as DOT: same model, same text. Services left, Kafka in the middle, sinks right."""
    # nodesep/ranksep: the 12-service example must stay readable on an A4 landscape page (see the tests).
    out = [
        "digraph system {",
        "  graph " + _attrs(rankdir="LR", newrank="true", compound="true", splines="true", nodesep="0.12",
                            ranksep="0.4", mclimit="5", pad="0.15", fontname=FONT, fontsize=str(FONT_SIZE),
                            labelloc="t", labeljust="l", label=_heading_label(d.title, d.notes), bgcolor="white") + ";",
        "  node " + _attrs(fontname=FONT, fontsize=str(FONT_SIZE), margin="0.1,0.03", height="0.3",
                           penwidth="1.3") + ";",
        "  edge " + _attrs(fontname=FONT, fontsize=str(SMALL), color=EDGE_COLOUR, fontcolor="#3A4350",
                           arrowsize="0.7", penwidth="1.1") + ";",
    ]
    for cluster in d.clusters:
        members = [n for n in d.nodes if n.cluster == cluster.id]
        if not members:
            continue
        fill, border = _TINTS[cluster.kind]
        out.append(f"  subgraph {_q('cluster_' + cluster.id)} {{")
        title = f"<B>{_lines(cluster.title, 40)}</B>"
        if cluster.note:  # a left-aligned second line (a plain <BR/> would centre both lines)
            title += f'<BR ALIGN="LEFT"/><FONT POINT-SIZE="{SMALL}">{_lines(cluster.note, 40)}</FONT><BR ALIGN="LEFT"/>'
        out.append("    graph " + _attrs(label=Html(title), style="rounded,filled",
                                          fillcolor=fill, color=border, fontcolor="#333333", margin="6") + ";")
        if cluster.kind == "kafka":
            out.append('    rank="same";')  # all of Kafka in one column: writers on its left, readers of sinks right
        out.extend("    " + _node_dot(n) for n in members)
        out.append("  }")
    known = {c.id for c in d.clusters}
    out.extend("  " + _node_dot(n) for n in d.nodes if n.cluster not in known and n.kind != "discouraged")
    notes = [n for n in d.nodes if n.kind == "discouraged"]
    if notes:
        # Notes in the last column, which holds few boxes: the tall service column is what sets the height.
        # (rank="max" is not honoured with newrank; a same-rank group with a last-column node is.)
        beside = f"{_q(d.last)}; " if d.last else ""
        out.append('  {rank="same"; ' + beside + " ".join(_node_dot(n) for n in notes) + "}")
    out.extend("  " + _edge_dot(e) for e in d.edges)
    out.append("}")
    return "\n".join(out) + "\n"


def architecture_dot(report: Report, kb: KnowledgeBase, *, show_discouraged: bool = False) -> str:
    return to_dot(architecture(report, kb, show_discouraged=show_discouraged))


# --------------------------------------------------------------------------- SVG


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements that run code, fetch something, or (title) carry Graphviz's raw node ids as tooltips.
_DROPPED = {"script", "title", "foreignObject", "style", "iframe", "object", "embed", "image", "audio", "video",
            "handler", "listener", "set", "animate"}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _clean_tree(parent: ET.Element) -> None:
    for i, child in reversed(list(enumerate(parent))):
        tag = _local(child.tag) if isinstance(child.tag, str) else ""
        if not tag or tag in _DROPPED:  # not tag: a comment or processing instruction
            tail = child.tail
            parent.remove(child)
            _keep_tail(parent, i, tail)
            continue
        _clean_tree(child)
        for attr in list(child.attrib):
            name, value = _local(attr).lower(), child.attrib[attr]
            if name.startswith("on") or name == "href" or "javascript:" in value.replace(" ", "").lower():
                del child.attrib[attr]
        if tag == "a":  # a link: keep what it draws, drop the link
            grandchildren = list(child)
            parent.remove(child)
            for j, g in enumerate(grandchildren):
                parent.insert(i + j, g)


def _keep_tail(parent: ET.Element, index: int, tail: str | None) -> None:
    if not tail or not tail.strip():
        return
    if index > 0:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail


def page_svg(svg: str) -> str:
    """Graphviz SVG made safe to inline in an HTML page: no prolog, DOCTYPE, comments, scripts, event
    handlers, links or tooltips. Labels were escaped when the DOT was written; this removes what an SVG
    could still do beyond drawing, whatever produced it."""
    text = re.sub(r"<!DOCTYPE[^>]*>", "", svg, count=1)  # its DTD URL, and no entity can be declared
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise diagram.DiagramError(f"the diagram's SVG could not be read: {exc}") from None
    if _local(root.tag) != "svg":
        raise diagram.DiagramError("the diagram's SVG has no <svg> element")
    root.attrib = {k: v for k, v in root.attrib.items()
                   if not (_local(k).lower().startswith("on") or _local(k).lower() == "href")}
    _clean_tree(root)
    return "".join(_write(root, top=True))


def _write(el: ET.Element, *, top: bool = False) -> Iterable[str]:
    """Serialise with plain tag names (HTML parses inline SVG by name) and one xmlns on the root, so the same
    text is also a valid SVG file. Attributes in another namespace (xlink, xml) were links or are not needed."""
    attrs = {_local(k): v for k, v in el.attrib.items() if not k.startswith("{")}
    if top:
        attrs = {"xmlns": SVG_NS, **{k: v for k, v in attrs.items() if k != "xmlns"}}
    tag = _local(el.tag)
    yield f"<{tag}" + "".join(f' {k}="{xml_escape(v, _QUOTE)}"' for k, v in attrs.items())
    # Whitespace between elements is dropped: the SVG becomes one line, so Markdown (st.markdown) cannot
    # end the HTML block at a blank line and read the rest as Markdown.
    text = el.text if el.text and el.text.strip() else ""
    if not text and not len(el):
        yield "/>"
    else:
        yield ">" + xml_escape(text)
        for child in el:
            yield from _write(child)
        yield f"</{tag}>"
    if not top and el.tail and el.tail.strip():
        yield xml_escape(el.tail)


_QUOTE = {'"': "&quot;"}


@functools.lru_cache(maxsize=32)
def _svg_for(dot: str) -> str:
    return page_svg(diagram.render(dot, "svg").decode("utf-8"))


def architecture_svg(report: Report, kb: KnowledgeBase, *, show_discouraged: bool = False) -> str | None:
    """The drawing as inline-safe SVG text, or None without Graphviz `dot`. Cached by the DOT text."""
    if not diagram.dot_available():
        return None
    return _svg_for(architecture_dot(report, kb, show_discouraged=show_discouraged))


# --------------------------------------------------------------------------- readability


PX_PER_PT = 96 / 72  # CSS pixels per point


@dataclass(frozen=True)
class Readability:
    """What a reader sees of the SVG when it is shown at most `width_px` wide (and `height_px` high).

    It is never enlarged past its natural size: the app shows it at min(natural, container) width, so a
    small diagram is not blown up and a large one shrinks until it fits.
    """

    width_pt: float  # natural size
    height_pt: float
    scale: float  # shown size / natural size, at most 1
    width_px: float  # shown size
    height_px: float
    smallest_px: float  # the smallest label as shown
    nodes: int
    edges: int
    font_sizes: tuple[float, ...] = field(default=(), repr=False)  # every distinct label size, natural pt


def _length_pt(value: str) -> float:
    m = re.fullmatch(r"\s*([0-9.]+)\s*(pt|px|in|)\s*", value)
    if m is None:
        raise ValueError(f"unreadable SVG length {value!r}")
    number, unit = float(m.group(1)), m.group(2)
    return number * {"pt": 1.0, "": 1.0, "px": 0.75, "in": 72.0}[unit]


def measure(svg: str, width_px: float, height_px: float | None = None) -> Readability:
    """Natural size, scale and smallest label of a Graphviz SVG shown in a box `width_px` (x `height_px`) big."""
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", svg, count=1))
    width_pt, height_pt = _length_pt(root.get("width", "0")), _length_pt(root.get("height", "0"))
    view = [float(v) for v in root.get("viewBox", f"0 0 {width_pt} {height_pt}").replace(",", " ").split()]
    unit = width_pt / view[2] if view[2] else 1.0  # points per user unit
    group = next((g for g in root.iter(f"{{{SVG_NS}}}g") if g.get("class") == "graph"), None)
    m = re.search(r"scale\(([0-9.]+)", group.get("transform", "") if group is not None else "")
    unit *= float(m.group(1)) if m else 1.0
    sizes = sorted({float(t.get("font-size", "14")) * unit for t in root.iter(f"{{{SVG_NS}}}text")})
    natural_w, natural_h = width_pt * PX_PER_PT, height_pt * PX_PER_PT
    scale = min(1.0, width_px / natural_w if natural_w else 1.0,
                height_px / natural_h if height_px and natural_h else 1.0)
    classes = [g.get("class") for g in root.iter(f"{{{SVG_NS}}}g")]
    return Readability(width_pt, height_pt, scale, natural_w * scale, natural_h * scale,
                       (sizes[0] * PX_PER_PT * scale) if sizes else 0.0, classes.count("node"), classes.count("edge"),
                       tuple(sizes))


def node_names(d: SystemDiagram) -> list[str]:
    """Every text the diagram's boxes show, for tests and captions."""
    return [line for n in d.nodes for line in (*n.lines, *(r.text for r in n.rows), *(r.note for r in n.rows))]
