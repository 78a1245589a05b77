"""Config snippets for a report: the templates in snippets/*.yaml, filled from the answers and the inventory.

`snippets_for(report, kb)` renders, for every recommended pattern (core and baseline first, then later),
each template once per inventory part it is written for (`each:` in the YAML): one outbox connector per
service that owns a database and publishes events, one sink per sink system, one transactional id per
service. Without an inventory every template is rendered once, with names made from the system name.
Lines that depend on the user's Kafka version (`since`/`until`) are kept or dropped, and version notes
are shown, for the version the answers give; when the version is not given the snippets are written for
a current release (when the user is unsure which version runs, every version note is shown).

Everything here is pure: same report and knowledge base, same snippets, byte for byte.
"""

from __future__ import annotations

import json
import re
import shlex
import textwrap
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .inventory import DB_LABELS, External, Inventory, Service, topic_name
from .loader import KnowledgeBase
from .model import TIER_RANK, ConfigValue, Recommendation, Report
from .snippet_model import PLACEHOLDER, Line, SnippetLibrary, Template, Versioned, library, version_tuple
from .yamlsource import safe_line

# --------------------------------------------------------------------------- the user's Kafka version

V = tuple[int, int]
VERSION_RANGES: dict[str, tuple[V, V]] = {
    "pre-3-0": ((0, 0), (3, 0)), "v3-0-to-3-1": ((3, 0), (3, 2)), "v3-2": ((3, 2), (3, 3)),
    "v3-3-to-3-8": ((3, 3), (3, 9)), "v3-9": ((3, 9), (4, 0)), "v4-0": ((4, 0), (4, 1)), "v4-1": ((4, 1), (4, 2)),
    "v4-2": ((4, 2), (4, 3)), "v4-3-plus": ((4, 3), (99, 0)),
}
LATEST = "v4-3-plus"  # what a team that has not chosen a version yet will install
NEVER: V = (99, 0)


@dataclass(frozen=True)
class KafkaVersion:
    """The range of Kafka versions the answer covers: [low, high)."""

    answer: str | None  # the option value; None when not asked (or not answered)
    low: V
    high: V

    @property
    def known(self) -> bool:
        return self.answer in VERSION_RANGES

    def overlaps(self, v: Versioned) -> bool:
        since = version_tuple(v.since) if v.since else (0, 0)
        until = version_tuple(v.until) if v.until else NEVER
        return self.low < until and since < self.high

    def shows(self, note: Versioned) -> bool:
        """A version note is shown when it concerns this version; all of them when the user is unsure."""
        return self.answer == "unsure" or self.overlaps(note)

    def describe(self) -> str:
        if self.known:
            lo, hi = self.low, self.high
            if hi == NEVER:
                return f"Kafka {lo[0]}.{lo[1]} or newer (from your answers)"
            return f"Kafka {_range(lo, hi)} (from your answers)"
        if self.answer == "unsure":
            return "Kafka version not known: written for a current release; every version note is shown"
        return "Kafka version not given: written for a current release (4.x); version notes say what differs"


LAST_MINOR = {0: 11, 1: 1, 2: 8, 3: 9}  # the last release line of each major version: 3.9 is the last 3.x


def _range(lo: V, hi: V) -> str:
    """[3.0, 3.2) -> '3.0 to 3.1.x'; [3.9, 4.0) -> '3.9.x'; [0.0, 3.0) -> 'before 3.0'."""
    if lo == (0, 0):
        return f"before {hi[0]}.{hi[1]}"
    last = (hi[0], hi[1] - 1) if hi[1] else (hi[0] - 1, LAST_MINOR.get(hi[0] - 1))
    end = f"{last[0]}.{last[1]}.x" if last[1] is not None else f"{last[0]}.x"
    start = f"{lo[0]}.{lo[1]}"
    return f"{start}.x" if f"{start}.x" == end else f"{start} to {end}"


def kafka_version(kb: KnowledgeBase, answers: Mapping[str, Any]) -> KafkaVersion:
    # The questionnaire has no role for the version yet: look for one, then for the shipped id.
    q = kb.question_with("kafka-version")
    value = answers.get(q.id) if q else None
    value = value if isinstance(value, str) else None
    low, high = VERSION_RANGES.get(value or "", VERSION_RANGES[LATEST])
    return KafkaVersion(value, low, high)


def version_label(v: Versioned) -> str:
    """'Kafka 4.0+', 'Kafka before 3.0', 'Kafka 3.0 to 3.1.x'."""
    if v.since and v.until:
        return f"Kafka {_range(version_tuple(v.since), version_tuple(v.until))}"  # type: ignore[arg-type]
    if v.since:
        return f"Kafka {v.since}+"
    return f"Kafka before {v.until}"


# --------------------------------------------------------------------------- the parts a template is written for

BOOTSTRAP = "localhost:9092"
SCHEMA_REGISTRY = "http://schema-registry:8081"
JDBC_SINK_KINDS = ("database", "warehouse", "other")  # external kinds a JDBC sink can write to


@dataclass(frozen=True)
class Part:
    """One thing a template is rendered for: the system itself (label None), a service, a database, a sink..."""

    label: str | None
    values: Mapping[str, ConfigValue]
    tags: frozenset[str] = frozenset()


def slug(name: str, fallback: str = "app") -> str:
    """'Analytics warehouse' -> 'analytics-warehouse': safe in topic, connector, host and file names."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60] or fallback


def _slugs(names: Iterable[str]) -> dict[str, str]:
    """A distinct slug for each name, in order ('a b' and 'a-b' become 'a-b' and 'a-b-2')."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, name in enumerate(names):
        base = slug(name, f"part-{i + 1}")
        s, n = base, 2
        while s in used:
            s, n = f"{base}-{n}", n + 1
        used.add(s)
        out[name] = s
    return out


@dataclass(frozen=True)
class _TagRule:
    tags: frozenset[str]  # what the answers give
    fallback: bool  # only for parts that carry none of `all_tags` already
    all_tags: frozenset[str]  # every tag the rule can give


@dataclass(frozen=True)
class _Ctx:
    kb: KnowledgeBase
    lib: SnippetLibrary
    report: Report
    version: KafkaVersion
    chosen: frozenset[str]  # recommended patterns and those named inside them
    base: dict[str, ConfigValue]
    answer_tags: tuple[_TagRule, ...]
    inventory: Inventory | None
    names: dict[str, str] = field(default_factory=dict)  # inventory name -> slug


def _context(kb: KnowledgeBase, report: Report) -> _Ctx:
    lib = library(kb)
    answers = report.answers
    system = slug(kb.system_name(answers) or "")
    base: dict[str, ConfigValue] = {"system": system, "bootstrap": BOOTSTRAP, "schema_registry_url": SCHEMA_REGISTRY}
    for name, rule in lib.values.values.items():
        answer = answers.get(rule.answer)
        base[name] = rule.map.get(answer, rule.default) if isinstance(answer, str) else rule.default
    rules = []
    for rule in lib.values.tags.values():
        answer = answers.get(rule.answer)
        chosen = answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
        tags = {rule.map[a] for a in chosen if a in rule.map}
        if not tags and rule.default:
            tags = {rule.default}
        rules.append(_TagRule(frozenset(tags), rule.fallback, frozenset(rule.map.values())))
    inv = report.inventory if report.inventory is not None and not report.inventory.is_empty() else None
    names = _slugs([p.name for p in [*inv.services, *inv.externals]]) if inv else {}
    return _Ctx(kb, lib, report, kafka_version(kb, answers), frozenset(report.kafka_chosen()), base, tuple(rules), inv,
                names)


def _tags(ctx: _Ctx, own: Iterable[str]) -> frozenset[str]:
    tags = set(own)
    for rule in ctx.answer_tags:
        if not rule.fallback or not (tags & rule.all_tags):
            tags |= rule.tags
    return frozenset(tags)


def _generic(ctx: _Ctx) -> Part:
    """The system as one part, when there is no inventory (or it lists nothing for a scope)."""
    s = str(ctx.base["system"])
    values = {**ctx.base, "service": s, "group": s, "topic": f"{s}-events", "topics": f"{s}-events",
              "database": s.replace("-", "_"), "db_host": f"{s}-db", "sink": s, "source": s}
    return Part(None, values, _tags(ctx, ("jdbc",)))  # a sink with no kind given: a database a JDBC sink can write


def _service_part(ctx: _Ctx, svc: Service, label: str) -> Part:
    s = ctx.names[svc.name]
    topics = [topic_name(e) for e in svc.produces] or [f"{s}-events"]
    values = {**ctx.base, "service": s, "group": s, "topic": topics[0], "topics": ",".join(topics),
              "database": s.replace("-", "_"), "db_host": f"{s}-db", "sink": s, "source": s}
    return Part(label, values, _tags(ctx, [svc.database] if svc.database != "none" else []))


def _external_part(ctx: _Ctx, ext: External, label: str) -> Part:
    s = ctx.names[ext.name]
    topics = [topic_name(e) for e in ext.events] or [f"{s}-events"]
    values = {**ctx.base, "service": s, "group": f"connect-{s}", "topic": topics[0], "topics": ",".join(topics),
              "database": s.replace("-", "_"), "db_host": s, "sink": s, "source": s}
    own = {ext.kind} | ({"jdbc"} if ext.direction != "source" and ext.kind in JDBC_SINK_KINDS else set())
    return Part(label, values, _tags(ctx, own))


def _db_label(svc: Service) -> str:
    return f"{svc.name} ({DB_LABELS[svc.database]})"  # the same text as inventory.parts_for


def parts(ctx: _Ctx, scope: str, connectors: Mapping[str, list[Part]] | None = None) -> list[Part]:
    """The parts a template with `each: <scope>` is rendered for, in inventory order."""
    inv = ctx.inventory
    if scope in ("source-connector", "sink-connector"):
        found = list((connectors or {}).get(scope, []))
        return found or [_connector_part(ctx, _generic(ctx), f"{ctx.base['system']}-{scope.split('-')[0]}", "external")]
    if inv is None or scope == "system":
        return [_generic(ctx)]
    svcs = inv.services
    found = {
        "service": lambda: [_service_part(ctx, s, s.name) for s in svcs],
        "producer": lambda: [_service_part(ctx, s, s.name) for s in svcs if s.produces],
        "consumer": lambda: [_service_part(ctx, s, s.name) for s in svcs if s.consumes],
        "processor": lambda: ([_service_part(ctx, s, s.name) for s in svcs if s.produces and s.consumes]
                              or [_service_part(ctx, s, s.name) for s in svcs if s.produces]),
        "producer-database": lambda: [_service_part(ctx, s, _db_label(s)) for s in inv.databases() if s.produces],
        "capturable-database": lambda: [_service_part(ctx, s, _db_label(s)) for s in inv.databases()
                                        if s.log_capture != "no"],
        "polled-database": lambda: ([_service_part(ctx, s, _db_label(s)) for s in inv.databases() if s.log_capture == "no"]
                                    + [_external_part(ctx, x, x.name) for x in inv.externals
                                       if x.direction != "sink" and x.kind == "database"]),
        "event": lambda: [Part(t, {**ctx.base, "topic": t, "topics": t}, _tags(ctx, ()))
                          for t in (topic_name(e) for e in inv.events())],
        "sink": lambda: [_external_part(ctx, x, x.name) for x in inv.externals if x.direction != "source"],
        "source": lambda: [_external_part(ctx, x, x.name) for x in inv.externals if x.direction != "sink"],
    }[scope]()
    return found or [_generic(ctx)]


def _connector_part(ctx: _Ctx, part: Part, name: str, *tags: str) -> Part:
    values = {**part.values, "connector": name, "dlq_topic": f"dlq.{name}", "server_id": _server_id(name)}
    return Part(name, values, part.tags | set(tags))


def _server_id(connector: str) -> int:
    """A MySQL replica server id for a connector: stable (from its name), in Debezium's usual 5-6 digit range."""
    return 100_000 + zlib.crc32(connector.encode("utf-8")) % 800_000


# --------------------------------------------------------------------------- snippets


@dataclass(frozen=True)
class SnippetLine:
    key: str
    value: ConfigValue
    why: str
    refs: tuple[str, ...]
    notes: tuple[str, ...] = ()  # version notes for the user's version, each starting with the versions it is about
    default: ConfigValue | None = None

    def comment(self) -> str:
        return f"{self.why} ({', '.join('§' + r for r in self.refs)})"


@dataclass(frozen=True)
class Snippet:
    """A rendered snippet: the structured lines and the text to paste (`body`), plus `text` with its comments."""

    pattern: str
    template: str
    anchor: str  # unique in a report; `group_anchor` is shared by a template's instances (checklist links)
    group_anchor: str
    title: str
    flavour: str
    role: str | None
    tier: str
    trigger: str | None
    targets: tuple[str, ...]  # the inventory parts it is for (several for a topic command list)
    connector: str | None
    method: str | None
    topics: tuple[str, ...]
    header: tuple[str, ...]
    lines: tuple[SnippetLine, ...]
    text: str
    body: str
    path: str
    notes_text: str | None = None  # connector-json: the comments JSON cannot hold, for a sibling file

    @property
    def config(self) -> dict[str, ConfigValue]:
        return {ln.key: ln.value for ln in self.lines}

    def to_json(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "template": self.template, "anchor": self.anchor, "title": self.title,
                "flavour": self.flavour, "role": self.role, "tier": self.tier, "trigger": self.trigger,
                "targets": list(self.targets), "connector": self.connector, "method": self.method,
                "topics": list(self.topics), "path": self.path, "header": list(self.header),
                "lines": [{"key": ln.key, "value": ln.value, "why": ln.why, "refs": list(ln.refs),
                           "notes": list(ln.notes)} for ln in self.lines],
                "body": self.body}


EXTENSIONS = {"java-properties": "properties", "librdkafka": "py", "topic-cli": "sh", "topic-properties": "properties",
              "connector-json": "json", "connect-worker": "properties", "streams": "properties"}
TOPIC_FLAGS = {"partitions": "--partitions", "replication.factor": "--replication-factor"}


def _contained(kb: KnowledgeBase, outer: Recommendation, inner: str) -> Recommendation:
    return Recommendation.model_construct(pattern=inner, name=kb.patterns[inner].name, score=0, reasons=[],
                                          tier=outer.tier, trigger=outer.trigger, meanwhile=None,
                                          required_by=[outer.pattern], pairs_with=[], includes=[])


def snippets_for(report: Report, kb: KnowledgeBase, *, flavours: Iterable[str] | None = None) -> list[Snippet]:
    """Every snippet of the report's recommended patterns: core and baseline first, then later (marked)."""
    ctx = _context(kb, report)
    wanted = set(flavours) if flavours is not None else None
    order = sorted(report.kafka_recommended, key=lambda r: TIER_RANK[r.tier])  # stable: report order within a tier
    # A contained pattern (`includes`) is not listed, but its settings still apply: after its container.
    listed = {rec.pattern for rec in order}
    order = [x for rec in order
             for x in (rec, *(_contained(kb, rec, inner) for inner in rec.includes if inner not in listed))]
    jobs = [(rec, t) for rec in order for t in ctx.lib.templates.get(rec.pattern, []) if _template_applies(ctx, t)]
    out: dict[int, list[Snippet]] = {}
    connectors: dict[str, list[Part]] = {"source-connector": [], "sink-connector": []}
    for i, (rec, t) in enumerate(jobs):  # first everything that is not an overlay on a connector
        if t.each in connectors:
            continue
        found = _matching(t, parts(ctx, t.each))
        out[i] = _render_all(ctx, rec, t, found)
        if t.creates:  # connector-json renders one snippet per part: remember what each created
            for part, s in zip(found, out[i], strict=True):
                made = _connector_part(ctx, part, s.connector or "", rec.pattern)
                own = {"own_transforms": str(s.config.get("transforms", "")),
                       "own_predicates": str(s.config.get("predicates", ""))}
                connectors[f"{t.creates}-connector"].append(Part(made.label, {**made.values, **own}, made.tags))
    _add_unmanaged(ctx, connectors)
    for i, (rec, t) in enumerate(jobs):
        if t.each in connectors:
            out[i] = _render_all(ctx, rec, t, _matching(t, parts(ctx, t.each, connectors)))
    # Within a tier a PATCH comes after the connector it patches is created.
    result = [s for i in sorted(out, key=lambda i: (TIER_RANK[jobs[i][0].tier], jobs[i][1].method == "patch", i))
              for s in out[i]]
    return [s for s in result if wanted is None or s.flavour in wanted]


def _add_unmanaged(ctx: _Ctx, connectors: dict[str, list[Part]]) -> None:
    """Source and sink systems no template creates a connector for still get one to patch (`<name>-source/-sink`)."""
    if ctx.inventory is None:
        return
    for kind, direction in (("source", "sink"), ("sink", "source")):
        have = {str(p.values.get(kind)) for p in connectors[f"{kind}-connector"]}
        for x in ctx.inventory.externals:
            if x.direction != direction and ctx.names[x.name] not in have:
                base = _external_part(ctx, x, x.name)
                connectors[f"{kind}-connector"].append(_connector_part(ctx, base, f"{ctx.names[x.name]}-{kind}", "external"))


def _template_applies(ctx: _Ctx, t: Template) -> bool:
    return ctx.version.overlaps(t) and (not t.with_ or any(p in ctx.chosen for p in t.with_))


def _line_applies(ctx: _Ctx, line: Line, part: Part) -> bool:
    return (ctx.version.overlaps(line) and SnippetLibrary.matches(line.only, part.tags)
            and (not line.with_ or any(p in ctx.chosen for p in line.with_)))


def _matching(t: Template, found: list[Part]) -> list[Part]:
    return [p for p in found if SnippetLibrary.matches(t.only, p.tags)]


def _render_all(ctx: _Ctx, rec: Recommendation, t: Template, found: list[Part]) -> list[Snippet]:
    if not found:
        return []
    if t.flavour in ("topic-cli", "topic-properties"):
        return [_render(ctx, rec, t, found)]
    return [_render(ctx, rec, t, [p]) for p in found]


def fill(value: ConfigValue, values: Mapping[str, ConfigValue]) -> ConfigValue:
    """'{service}-tx-1' -> 'orders-tx-1'; a value that is one placeholder keeps the placeholder's type."""
    if not isinstance(value, str):
        return value
    whole = PLACEHOLDER.fullmatch(value)
    if whole:
        return values[whole.group(1)]
    return PLACEHOLDER.sub(lambda m: _text(values[m.group(1)]), value)


def _text(value: ConfigValue) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _lines(ctx: _Ctx, t: Template, part: Part, values: dict[str, ConfigValue]) -> tuple[SnippetLine, ...]:
    chosen = [ln for ln in t.lines if _line_applies(ctx, ln, part)]
    keys = [ln.key for ln in chosen]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"snippet {t.id}: keys {dupes} apply twice for {part.label or 'the system'}; "
                         "expected their only/with/since/until conditions to exclude each other")
    values = {**values, "transform_aliases": _aliases(values.get("own_transforms"), keys, "transforms"),
              "predicate_aliases": _aliases(values.get("own_predicates"), keys, "predicates")}
    return tuple(SnippetLine(ln.key, fill(ln.value, values), ln.why, tuple(ln.refs),
                             tuple(f"{version_label(n)}: {n.text}" for n in ln.notes if ctx.version.shows(n)),
                             ln.default) for ln in chosen)


def _aliases(own: ConfigValue | None, keys: list[str], kind: str) -> str:
    """A transforms or predicates list: the connector's own aliases (a PATCH replaces the list), then the new ones."""
    names = [a for a in str(own or "").split(",") if a]
    names += [k.split(".")[1] for k in keys if re.fullmatch(kind + r"\.[^.]+\.type", k)]
    return ",".join(dict.fromkeys(names))


def _render(ctx: _Ctx, rec: Recommendation, t: Template, found: list[Part]) -> Snippet:
    part = found[0]
    values = dict(part.values)
    connector = str(fill(t.connector, values)) if t.connector else None
    if connector:
        values.update(connector=connector, dlq_topic=f"dlq.{connector}", server_id=_server_id(connector))
    lines = _lines(ctx, t, part, values)
    topics = tuple(str(fill(t.topic or "{topic}", p.values)) for p in found) if t.flavour.startswith("topic") else ()
    targets = tuple(p.label for p in found if p.label) or ((str(fill(t.for_, values)),) if t.for_ else ())
    pattern = ctx.kb.patterns[rec.pattern]
    group_anchor = ctx.lib.anchor(rec.pattern, t)
    name = slug(connector or (targets[0] if targets else ""), "")
    single = t.flavour not in ("topic-cli", "topic-properties") and bool(name)
    anchor = f"{group_anchor}-{name}" if single else group_anchor
    stem = f"{t.id}.{name}" if single else t.id
    path = f"configs/{rec.pattern}/{stem}.{EXTENSIONS[t.flavour]}"
    header = _header(ctx, rec, t, targets, connector, topics, values)
    header = (f"{pattern.name} (§{pattern.section}): {t.title}", *header)
    body, notes_text = _RENDER[t.flavour](t, header, lines, topics, connector)
    text = body if notes_text is None else _commented(header, lines) + body
    return Snippet(rec.pattern, t.id, anchor, group_anchor, t.title, t.flavour, t.role, rec.tier, rec.trigger, targets,
                   connector, t.method if t.flavour == "connector-json" else None, topics, header, lines, text, body,
                   path, notes_text)


def _header(ctx: _Ctx, rec: Recommendation, t: Template, targets: tuple[str, ...], connector: str | None,
            topics: tuple[str, ...], values: Mapping[str, ConfigValue]) -> tuple[str, ...]:
    out = [f"Tier: {rec.tier}" + (f" (worth it when: {rec.trigger})" if rec.tier == "later" and rec.trigger else "")]
    if targets and t.flavour not in ("topic-cli", "topic-properties"):
        out.append(f"For: {safe_line(targets[0])}")
    if topics:
        out.append(f"Topics: {', '.join(topics)}")
    out.append(ctx.version.describe())
    if t.flavour == "librdkafka":
        cls = {"producer": "Producer", "consumer": "Consumer", "admin": "admin.AdminClient"}[t.role or "producer"]
        out.append(f"confluent-kafka takes a dict: confluent_kafka.{cls}(config) (librdkafka property names)")
    if t.flavour == "connector-json" and t.method == "create":
        out.append(f"Create with the Kafka Connect REST API: POST /connectors with this file as the body ({connector})")
    elif t.flavour == "connector-json":
        out.append(f"Merge into the running connector: PATCH /connectors/{connector}/config with this file as the body "
                   "(Kafka Connect 3.8+, KIP-477; on older workers GET the config, add these keys and PUT it back)")
    for note in t.notes:
        if ctx.version.shows(note):
            prefix = f"{version_label(note)}: " if note.since or note.until else ""
            refs = f" ({', '.join('§' + r for r in note.refs)})" if note.refs else ""
            out.append(prefix + str(fill(note.text, values)) + refs)
    return tuple(out)


# --------------------------------------------------------------------------- renderers (one per flavour)

WIDTH = 110


def _comment(text: str, indent: str = "", hang: str = "") -> list[str]:
    """`text` as '# ' comment lines of at most WIDTH characters; continuation lines indented by `hang`."""
    wrapped = textwrap.wrap(text, WIDTH, subsequent_indent=hang, break_on_hyphens=False, break_long_words=False)
    return [f"{indent}# {w}" for w in wrapped] or [f"{indent}#"]


def _note(text: str, indent: str = "") -> list[str]:
    return _comment(f"  {text}", indent, "    ")


def _commented(header: Iterable[str], lines: Iterable[SnippetLine], indent: str = "") -> str:
    out = [c for h in header for c in _comment(h, indent)]
    for ln in lines:
        out += _comment(f"{ln.key}: {ln.comment()}", indent)
        out += [c for n in ln.notes for c in _note(n, indent)]
    return "\n".join(out) + "\n\n"


def _prop(value: ConfigValue) -> str:
    text = _text(value)
    return text.replace("\\", "\\\\")  # a .properties reader turns \\ back into one backslash


def _properties(t: Template, header: tuple[str, ...], lines: tuple[SnippetLine, ...], topics: tuple[str, ...],
                connector: str | None) -> tuple[str, None]:
    out = [c for h in header for c in _comment(h)]
    if t.flavour == "topic-properties":
        for ln in lines:
            if ln.key in TOPIC_FLAGS:  # not topic configs: they are given when the topic is created
                out += _comment(f"{ln.key}={_prop(ln.value)} (set when the topic is created): {ln.comment()}")
        lines = tuple(ln for ln in lines if ln.key not in TOPIC_FLAGS)
    for ln in lines:
        out += ["", *_comment(ln.comment()), *[c for n in ln.notes for c in _note(n)],
                f"{ln.key}={_prop(ln.value)}"]
    return "\n".join(out) + "\n", None


def _py(value: ConfigValue) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value) if isinstance(value, int | float) else json.dumps(value)


def _librdkafka(t: Template, header: tuple[str, ...], lines: tuple[SnippetLine, ...], topics: tuple[str, ...],
                connector: str | None) -> tuple[str, None]:
    out = [c for h in header for c in _comment(h)] + ["config = {"]
    for ln in lines:
        out += [*_comment(ln.comment(), "    "), *[c for n in ln.notes for c in _note(n, "    ")],
                f"    {json.dumps(ln.key)}: {_py(ln.value)},"]
    return "\n".join([*out, "}"]) + "\n", None


def _topic_cli(t: Template, header: tuple[str, ...], lines: tuple[SnippetLine, ...], topics: tuple[str, ...],
               connector: str | None) -> tuple[str, None]:
    out = [c for h in header for c in _comment(h)]
    for ln in lines:
        out += _comment(f"{ln.key}={_text(ln.value)}: {ln.comment()}")
        out += [c for n in ln.notes for c in _note(n)]
    for topic in topics:
        args = ["kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists", "--topic", topic]
        for ln in lines:
            args += [TOPIC_FLAGS[ln.key], _text(ln.value)] if ln.key in TOPIC_FLAGS else \
                ["--config", f"{ln.key}={_text(ln.value)}"]
        out.append(shlex.join(args))
    return "\n".join(out) + "\n", None


def _connector_json(t: Template, header: tuple[str, ...], lines: tuple[SnippetLine, ...], topics: tuple[str, ...],
                    connector: str | None) -> tuple[str, str]:
    # Connect stores every config value as a string: write them as JSON strings, as its REST API returns them.
    config = {ln.key: _text(ln.value) for ln in lines}
    doc: dict[str, Any] = {"name": connector, "config": config} if t.method == "create" else config
    body = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    notes = "".join(line.removeprefix("#").removeprefix(" ") + "\n" for line in _commented(header, lines).splitlines())
    return body, notes


_RENDER = {"java-properties": _properties, "librdkafka": _librdkafka, "topic-cli": _topic_cli,
           "topic-properties": _properties, "connector-json": _connector_json, "connect-worker": _properties,
           "streams": _properties}


# --------------------------------------------------------------------------- files and links


def snippet_files(report: Report, kb: KnowledgeBase) -> dict[str, bytes]:
    """Zip members: configs/<pattern>/<snippet>[.<part>].<ext> -> content; JSON gets a .notes.txt beside it."""
    files: dict[str, bytes] = {}
    snippets = snippets_for(report, kb)
    for s in snippets:
        files[s.path] = s.body.encode("utf-8")
        if s.notes_text is not None:
            files[s.path.removesuffix(".json") + ".notes.txt"] = s.notes_text.encode("utf-8")
    if snippets:
        index = ["Config snippets for the recommended patterns (core and baseline first, then later).",
                 "JSON files hold no comments: each has a .notes.txt beside it saying why every key is there.", ""]
        index += [f"{s.path}  [{s.tier}] {s.title}" + (f" - {safe_line(s.targets[0])}" if len(s.targets) == 1 else "")
                  for s in snippets]
        files["configs/README.txt"] = ("\n".join(index) + "\n").encode("utf-8")
    return files


def snippet_links(kb: KnowledgeBase) -> dict[str, str]:
    """Checklist item id -> the anchor of the snippet that carries it out (the template's group anchor).

    A template names its items with `items:`; an item no template names links to the first template of its
    own pattern that sets one of the item's config keys.
    """
    lib = library(kb)
    links: dict[str, str] = {}
    for pid, t in lib.all():
        for item in t.items:
            links.setdefault(item, lib.anchor(pid, t))
    for item_id, (pid, item) in kb.items.items():
        keys = {k for values in item.config.values() for k in values}
        if item_id in links or not keys:
            continue
        for t in lib.templates.get(pid, []):
            if keys & {ln.key for ln in t.lines}:
                links[item_id] = lib.anchor(pid, t)
                break
    return links


def snippet_for_item(item_id: str, kb: KnowledgeBase) -> str | None:
    """The anchor (`snippet-<pattern>-<template>`) a checklist item links to, or None when no snippet carries it."""
    return snippet_links(kb).get(item_id)
