"""Topic sizing: partitions, replication and storage for every topic the advice names, with its assumptions.

`size_topics(report, kb)` plans the topics of the core and baseline patterns' topic snippets (configs.py:
business event topics, dead letter topics, Connect's internal topics, reply and snapshot topics), plus the
topics a recommended sink connector reads, and sizes each one:

    partitions = max(ceil(peak MB/s x throughput headroom / MB/s per partition), consumer parallelism,
                     the partitions the config snippets start with)

(the throughput term is the usual max(T/P, T/C) rule with the slower, consumer side as the per-partition
figure). A topic whose snippet fixes its partitions (Connect's config topic: exactly 1) keeps them.
Storage = peak bytes per day x retained days x copies x disk headroom, on broker disks; with tiered storage
the broker keeps only the local.retention.ms window and the remote tier one copy of the whole retention.

Every number that is not an answer is a named constant below, with where it comes from; every topic lists in
`assumptions` what was assumed for it. Topic configs are the snippets' own lines (core patterns first), so
the exports built on this agree with the config snippets. Pure: same report, same sizing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .configs import TOPIC_FLAGS, Snippet, slug, snippets_for
from .inventory import topic_name
from .loader import KnowledgeBase
from .model import ConfigValue, Report
from .names import topic_clashes
from .snippet_model import library

TopicKind = Literal["event", "reply", "snapshot", "dlq", "connect-internal"]

# Peak messages per second assumed for each event_volume answer: the top of the band the option names
# ("Under 100", "100 to 10,000"); "More than 10,000" has no top, so five times its lower edge.
VOLUME_RATES: dict[str, float] = {"low": 100.0, "medium": 10_000.0, "high": 50_000.0}
VOLUME_WORDS: dict[str, str] = {"low": "under 100 msg/s", "medium": "100 to 10,000 msg/s",
                                "high": "more than 10,000 msg/s"}
DEFAULT_VOLUME = "medium"
RECORD_BYTES = 1024  # average serialised record (key + value + headers): not asked, 1 KiB assumed
PER_PARTITION_MB_S = 5.0
PER_PARTITION_SOURCE = ("planning figure for the slower (consumer) side of one partition; the rule "
                        "partitions = max(T/P, T/C) is from Cloudera's Kafka tuning guide "
                        "(docs.cloudera.com/runtime/7.2.10/kafka-performance-tuning/topics/"
                        "kafka-tune-sizing-partition-number.html): measure P and C for your records")
THROUGHPUT_HEADROOM = 2.0  # size for twice today's peak: partitions can only be added, and adding them moves keys
DISK_HEADROOM = 1.5  # retained data fills at most two thirds of the disks (spikes, reassignments, segment overhead)
SERVICE_INSTANCES = 3  # instances per consuming service (one consumer group each): not in the inventory
FOREVER_DAYS = 5 * 365  # retention.ms=-1 keeps data until deleted: storage is shown for five years
REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2
DURABILITY_SOURCE = ("§7.4 durability baseline: three copies and min.insync.replicas=2 with acks=all "
                     "(snippets/durability-baseline.yaml)")
DEFAULT_RETENTION_MS = 604_800_000  # Kafka's retention.ms default (7 days)
DAY_MS = 86_400_000
MB = 1_000_000


@dataclass(frozen=True)
class Consumer:
    name: str
    parallelism: int
    source: str  # "assumed: 3 instances" or "tasks.max of analytics-warehouse-sink"


@dataclass(frozen=True)
class TopicSizing:
    name: str
    kind: TopicKind
    patterns: tuple[str, ...]  # the patterns whose snippets name this topic
    partitions: int
    formula: str  # how `partitions` was reached, with the numbers
    replication_factor: int
    min_insync_replicas: int
    durability_source: str
    retention_ms: int  # -1: kept until deleted
    cleanup_policy: str
    tiered: bool
    local_retention_ms: int | None  # tiered topics: the window kept on broker disks
    broker_bytes: int | None  # None: not sized (compacted, or too few records to matter)
    remote_bytes: int | None  # tiered topics only
    disk_headroom: float
    config: dict[str, ConfigValue]  # topic-level configs (no partitions / replication.factor)
    peak_msgs_s: float = 0.0  # 0 for the topics not sized by throughput
    record_bytes: int = RECORD_BYTES
    peak_mb_s: float = 0.0
    per_partition_mb_s: float = PER_PARTITION_MB_S
    per_partition_source: str = PER_PARTITION_SOURCE
    throughput_headroom: float = THROUGHPUT_HEADROOM
    throughput_partitions: int = 0
    consumers: tuple[Consumer, ...] = ()
    consumer_parallelism: int = 0
    starting_partitions: int | None = None  # what the config snippets' --partitions say
    example: bool = False  # a generic topic made up for a report with no inventory
    assumptions: list[str] = field(default_factory=list)

    @property
    def retention_days(self) -> float | None:
        return None if self.retention_ms < 0 else self.retention_ms / DAY_MS


# --------------------------------------------------------------------------- the pure formulas


def partitions_needed(peak_mb_s: float, per_partition_mb_s: float, headroom: float, consumer_parallelism: int,
                      starting: int | None = None) -> int:
    """max(ceil(peak x headroom / per partition), consumer parallelism, starting partitions), at least 1."""
    throughput = math.ceil(round(peak_mb_s * headroom / per_partition_mb_s, 9)) if peak_mb_s > 0 else 0
    return max(1, throughput, consumer_parallelism, starting or 0)


def storage_bytes(bytes_per_day: float, days: float, copies: int, headroom: float) -> int:
    """Bytes to provision: daily bytes x retained days x copies x headroom, rounded up."""
    return math.ceil(bytes_per_day * days * copies * headroom)


def sized_days(retention_ms: int) -> float:
    return FOREVER_DAYS if retention_ms < 0 else retention_ms / DAY_MS


def retention_words(ms: int) -> str:
    if ms < 0:
        return "until deleted"
    days = ms / DAY_MS
    if days >= 1:
        return f"{days:g} day{'s' * (days != 1)}"
    return f"{ms / 3_600_000:g} hours"


# --------------------------------------------------------------------------- planning the topics


@dataclass
class _Plan:
    name: str
    kind: TopicKind
    patterns: list[str]
    config: dict[str, ConfigValue]
    partitions: int | None = None  # what the first snippet says
    fixed: bool = False  # the snippet's partitions are not the volume placeholder
    replication: int | None = None
    notes: list[str] = field(default_factory=list)


def _kind(s: Snippet) -> TopicKind:
    if s.pattern == "dead-letter-queue":
        return "dlq"
    if s.pattern == "kafka-connect":
        return "connect-internal"
    if "snapshot" in s.template:
        return "snapshot"
    if s.pattern == "request-response":
        return "reply"
    return "event"


def _fixed_templates(kb: KnowledgeBase) -> set[tuple[str, str]]:
    """(pattern, template) whose partitions line is a number, not the event-volume placeholder."""
    lib = library(kb)
    return {(pid, t.id) for pid, ts in lib.templates.items() for t in ts
            for ln in t.lines if ln.key == "partitions" and ln.value != "{partitions}"}


def _plans(report: Report, kb: KnowledgeBase, snippets: Sequence[Snippet]) -> dict[str, _Plan]:
    fixed = _fixed_templates(kb)
    plans: dict[str, _Plan] = {}
    for s in snippets:
        if s.flavour != "topic-cli" or s.tier == "later":
            continue
        for topic in s.topics:
            plan = plans.setdefault(topic, _Plan(topic, _kind(s), [], {}))
            if s.pattern not in plan.patterns:
                plan.patterns.append(s.pattern)
            for ln in s.lines:
                if ln.key == "partitions":
                    if plan.partitions is None:
                        plan.partitions, plan.fixed = int(ln.value), (s.pattern, s.template) in fixed
                elif ln.key == "replication.factor":
                    plan.replication = max(plan.replication or 0, int(ln.value))
                elif ln.key not in TOPIC_FLAGS:
                    have = plan.config.setdefault(ln.key, ln.value)
                    if have != ln.value:
                        plan.notes.append(f"{s.pattern} sets {ln.key}={ln.value}; kept {have} from "
                                          f"{plan.patterns[0]} (core patterns first)")
    for s in _sink_creates(snippets):  # topics a sink reads that no topic snippet creates
        for topic in _topics_of(s):
            if topic not in plans:
                plans[topic] = _Plan(topic, "event", [s.pattern], {},
                                     notes=[f"read by {s.connector}; no topic snippet creates it, so it gets the "
                                            "durability baseline's settings"])
    return plans


def _sink_creates(snippets: Sequence[Snippet]) -> list[Snippet]:
    return [s for s in snippets if s.flavour == "connector-json" and s.method == "create" and s.tier != "later"
            and "topics" in s.config]


def _topics_of(s: Snippet) -> list[str]:
    return [t for t in str(s.config.get("topics", "")).split(",") if t]


def _answer(report: Report, kb: KnowledgeBase, role: str) -> object:
    """The answer to the question that carries `role` (roles, not ids: the questionnaire may rename it)."""
    q = kb.question_with(role)
    return report.answers.get(q.id) if q is not None else None


def _volume(report: Report, kb: KnowledgeBase) -> tuple[str, list[str]]:
    answer = _answer(report, kb, "event-volume")
    if isinstance(answer, str) and answer in VOLUME_RATES:
        return answer, []
    said = "not sure" if answer == "unsure" else "not given"
    return DEFAULT_VOLUME, [f"event volume {said}: assumed {VOLUME_WORDS[DEFAULT_VOLUME]} "
                            f"({VOLUME_RATES[DEFAULT_VOLUME]:,.0f} msg/s at peak)"]


def _consumers(report: Report, topic: str, snippets: Sequence[Snippet]) -> list[Consumer]:
    out: list[Consumer] = []
    covered: set[str] = set()
    for s in _sink_creates(snippets):
        if topic in _topics_of(s):
            tasks = int(str(s.config.get("tasks.max", "1")))
            out.append(Consumer(s.connector or s.title, tasks, f"tasks.max of the {s.connector} connector snippet"))
            covered |= set(s.targets)
    inv = report.inventory
    if inv is not None:
        for svc in inv.services:
            if any(topic_name(e) == topic for e in svc.consumes):
                out.append(Consumer(svc.name, SERVICE_INSTANCES,
                                    f"assumed {SERVICE_INSTANCES} instances in its consumer group"))
        for x in inv.externals:
            if x.direction != "source" and x.name not in covered and any(topic_name(e) == topic for e in x.events):
                out.append(Consumer(x.name, SERVICE_INSTANCES, f"assumed {SERVICE_INSTANCES} parallel readers"))
    return out


def size_topics(report: Report, kb: KnowledgeBase, snippets: Sequence[Snippet] | None = None) -> list[TopicSizing]:
    """Every topic the core and baseline advice names, sized; [] when nothing is recommended."""
    if not report.kafka_recommended:
        return []
    snippets = list(snippets) if snippets is not None else snippets_for(report, kb)
    plans = _plans(report, kb, snippets)
    inv = report.inventory if report.inventory is not None and not report.inventory.is_empty() else None
    example = inv is None
    if not any(p.kind == "event" for p in plans.values()):
        name = f"{slug(kb.system_name(report.answers) or '', 'app')}-events"
        plans[name] = _Plan(name, "event", [], {}, notes=["no topic snippet names a business topic: this one is a "
                                                          "generic example, named after the system"])
    volume, shared = _volume(report, kb)
    retention_answer = _answer(report, kb, "retention")
    retention_rule = library(kb).values.values.get("retention_ms")
    answer_retention = int(retention_rule.map.get(retention_answer, retention_rule.default)
                           if retention_rule and isinstance(retention_answer, str) else DEFAULT_RETENTION_MS)
    if not isinstance(retention_answer, str):
        shared.append(f"retention not given: {retention_words(answer_retention)} assumed")
    if not example:
        shared += topic_clashes(inv)
    sized_kinds = ("event", "reply")
    busy = [p for p in plans.values() if p.kind in sized_kinds]
    rate = VOLUME_RATES[volume] / max(1, len(busy))
    later_tiered = any(r.pattern == "hot-cold-data" and r.tier == "later" for r in report.recommended)
    out: dict[str, TopicSizing] = {}
    total_order = _answer(report, kb, "ordering") == "global"
    for plan in sorted(plans.values(), key=lambda p: p.kind == "snapshot"):  # snapshots copy their event topic
        sized = _size(plan, report, snippets, rate, volume, len(busy), answer_retention, shared,
                      example, later_tiered, out, starting_partitions(kb, volume))
        out[plan.name] = _one_order(sized) if plan.kind == "event" and total_order else sized
    return list(out.values())


def _one_order(t: TopicSizing) -> TopicSizing:
    """One total order across everything: Kafka orders records only within a partition (§7.1.3), so the topic
    has one, and what that costs is said rather than hidden."""
    cost = [] if t.partitions == 1 else [
        f"one total order caps this topic at one partition ({PER_PARTITION_MB_S:g} MB/s planned) and one consumer "
        f"per group; the throughput and consumers above would need {t.partitions}: per-entity order (a key per "
        "entity) would allow that (§7.1.3)"]
    return dataclasses.replace(t, partitions=1, formula=f"1: one total order across everything (§7.1.3); "
                               f"without it: {t.formula}", assumptions=[*t.assumptions, *cost])


def _size(plan: _Plan, report: Report, snippets: Sequence[Snippet], rate: float, volume: str, busy: int,
          answer_retention: int, shared: list[str], example: bool, later_tiered: bool,
          done: dict[str, TopicSizing], volume_start: int) -> TopicSizing:
    config = dict(plan.config)
    notes = list(plan.notes)
    rf = plan.replication or REPLICATION_FACTOR
    isr = int(str(config.setdefault("min.insync.replicas", MIN_INSYNC_REPLICAS)))
    if plan.replication is None or "min.insync.replicas" not in plan.config:
        notes.append(f"replication factor {rf} and min.insync.replicas {isr} from the durability baseline (§7.4)")
    sized = plan.kind in ("event", "reply")
    if sized and "retention.ms" not in config:
        config["retention.ms"] = answer_retention
        notes.append(f"retention.ms={answer_retention} from your retention answer (the topic snippets leave it at "
                     "Kafka's default, 7 days)")
    retention = int(str(config.get("retention.ms", DEFAULT_RETENTION_MS)))
    cleanup = str(config.get("cleanup.policy", "delete"))
    tiered = str(config.get("remote.storage.enable", "false")).lower() == "true"
    local = int(str(config["local.retention.ms"])) if tiered and "local.retention.ms" in config else None
    if sized and later_tiered and not tiered:
        notes.append("tiered storage is advised for later only: sized with the whole retention on broker disks")
    common = dict(name=plan.name, kind=plan.kind, patterns=tuple(plan.patterns), replication_factor=rf,
                  min_insync_replicas=isr, durability_source=DURABILITY_SOURCE, retention_ms=retention,
                  cleanup_policy=cleanup, tiered=tiered, local_retention_ms=local, disk_headroom=DISK_HEADROOM,
                  config=config, example=example and plan.kind == "event")
    if not sized:
        if plan.kind == "snapshot":
            base = done.get(plan.name.removesuffix("-snapshots"))
            partitions = base.partitions if base else plan.partitions or 1
            formula = f"{partitions} = the partitions of {base.name} (co-partitioned, §7.1.4)" if base else \
                f"{partitions} (from the snippet)"
        else:
            partitions = plan.partitions or 1
            why = {"dlq": "one partition keeps parked records in failure order (§7.3.6)",
                   "connect-internal": "Connect's own setting for this internal topic (§7.3.2)"}[plan.kind]
            formula = f"{partitions}, fixed: {why}"
        kept = "compacted: bounded by the number of keys" if "compact" in cleanup else \
            "few records (only the ones that failed)"
        return TopicSizing(**common, partitions=partitions, formula=formula, broker_bytes=None, remote_bytes=None,
                           starting_partitions=plan.partitions, assumptions=[*notes, f"storage not sized: {kept}"])
    peak_mb_s = rate * RECORD_BYTES / MB
    consumers = _consumers(report, plan.name, snippets)
    parallelism = max((c.parallelism for c in consumers), default=0)
    throughput = math.ceil(round(peak_mb_s * THROUGHPUT_HEADROOM / PER_PARTITION_MB_S, 9))
    starting = plan.partitions
    if starting is None:
        starting = volume_start
    partitions = partitions_needed(peak_mb_s, PER_PARTITION_MB_S, THROUGHPUT_HEADROOM, parallelism, starting)
    formula = (f"max(ceil({peak_mb_s:g} MB/s x {THROUGHPUT_HEADROOM:g} / {PER_PARTITION_MB_S:g} MB/s) = {throughput}, "
               f"consumer parallelism {parallelism}, starting partitions {starting}) = {partitions}")
    notes = [*shared, f"peak {rate:,.0f} msg/s: {VOLUME_RATES[volume]:,.0f} msg/s ({VOLUME_WORDS[volume]}) split "
             f"evenly over {busy} business topic{'s' * (busy != 1)}; if one topic carries most of it, size that one "
             "with the whole rate",
             f"records of {RECORD_BYTES} bytes on average (not asked)", *notes]
    if not consumers:
        notes.append("no consumer named for this topic: parallelism not counted")
    if partitions != starting:
        notes.append(f"the config snippets say --partitions {starting}; this sizing needs {partitions}, use it")
    per_day = rate * RECORD_BYTES * 86_400
    notes.append("storage uses the peak rate all day long: an upper bound; scale it by your average-to-peak ratio")
    if retention < 0:
        notes.append(f"retention.ms=-1 keeps every record: storage shown for {FOREVER_DAYS // 365} years")
    if tiered:
        local_days = (local if local is not None and local >= 0 else retention) / DAY_MS
        broker = storage_bytes(per_day, min(local_days, sized_days(retention)), rf, DISK_HEADROOM)
        remote = storage_bytes(per_day, sized_days(retention), 1, 1.0)
        notes.append("remote tier: one copy of the whole retention (the object store keeps its own redundancy), "
                     "no headroom")
    else:
        broker, remote = storage_bytes(per_day, sized_days(retention), rf, DISK_HEADROOM), None
    return TopicSizing(**common, partitions=partitions, formula=formula, broker_bytes=broker, remote_bytes=remote,
                       peak_msgs_s=rate, peak_mb_s=peak_mb_s, throughput_partitions=throughput,
                       consumers=tuple(consumers), consumer_parallelism=parallelism, starting_partitions=starting,
                       assumptions=notes)


def starting_partitions(kb: KnowledgeBase, volume: str) -> int:
    """The partitions the snippets start a business topic with for this volume (snippets/_values.yaml)."""
    rule = library(kb).values.values.get("partitions")
    return int(str(rule.map.get(volume, rule.default))) if rule else 1
