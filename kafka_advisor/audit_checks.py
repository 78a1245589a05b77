"""The audit's checks table: one entry per check (id, severity, title, fix, source, function).

A check reads a `Ctx` (the entries, the role, the user's intent if an assessment is loaded) and yields
`Hit`s; it never formats output and never sees a secret (values of secret keys reach it masked, see
`Ctx.shown`). The README and docs list the checks from `CHECKS`; every check has a known-bad and a
known-good file in tests/audit_corpus/ (see expected.yaml there). The checks themselves live in
audit_names (names and values), audit_guarantees (contradictions, intent) and audit_versions (version
traps); importing this module registers all of them, in that order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import audit_catalog as cat
from .audit_parse import Entry, Parsed
from .audit_roles import ROLE_LABELS, Role
from .model import Report

# --------------------------------------------------------------------------- sources (cited by the checks)

DOCS_39 = "https://kafka.apache.org/39/documentation.html"
PRODUCER_DOCS = f"{DOCS_39}#producerconfigs"
IDEMPOTENCE_DOC = f"{DOCS_39}#producerconfigs_enable.idempotence"
PRODUCER_SRC = ("apache/kafka 3.9.0 clients/src/main/java/org/apache/kafka/clients/producer/ProducerConfig.java "
                "(postProcessAndValidateIdempotenceConfigs)")
UPGRADE_40 = "https://kafka.apache.org/40/getting-started/upgrade/#notable-changes-in-400"
STREAMS_UPGRADE_40 = "https://kafka.apache.org/40/streams/upgrade-guide/#streams-api-changes-in-400"
LINGER_40 = "https://kafka.apache.org/40/configuration/producer-configs/#producerconfigs_linger.ms"
KAFKA_13598 = "https://issues.apache.org/jira/browse/KAFKA-13598"
LIBRDKAFKA_DOC = "https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md"
SR_TUTORIAL = "https://docs.confluent.io/platform/current/schema-registry/schema_registry_onprem_tutorial.html"
SR_SERDE_SRC = ("confluentinc/schema-registry schema-serializer/src/main/java/io/confluent/kafka/serializers/"
                "AbstractKafkaSchemaSerDeConfig.java (AUTO_REGISTER_SCHEMAS_DEFAULT = true)")
ANCHORS = {"producer": "producerconfigs", "consumer": "consumerconfigs", "admin": "adminclientconfigs",
           "topic": "topicconfigs", "source-connector": "sourceconnectorconfigs", "sink-connector": "sinkconnectorconfigs",
           "connect-worker": "connectconfigs", "streams": "streamsconfigs"}

SEVERITIES = ("high", "medium", "low")
V4 = ("v4-0", "v4-1", "v4-2", "v4-3-plus")
V3 = ("v3-0-to-3-1", "v3-2", "v3-3-to-3-8", "v3-9")
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")  # config providers (${file:...}, ${env:...}): resolved at run time

# --------------------------------------------------------------------------- intent


@dataclass(frozen=True)
class Intent:
    """What the assessment chose, as far as configs can honour it."""

    version: str | None = None  # the kafka_version answer
    upgrade_to_4: bool = False
    eos: bool = False  # transactions-exactly-once in the core or the baseline
    idempotence: bool = False  # idempotent-producer or exactly-once chosen, or duplicates are harmful
    no_loss: bool = False  # loss_tolerance: unacceptable
    dlq: bool = False  # dead-letter-queue chosen
    chosen: tuple[str, ...] = ()  # core and baseline pattern ids

    @classmethod
    def of(cls, report: Report) -> Intent:
        answers = report.answers
        chosen = tuple(report.kafka_chosen(("core", "baseline")))
        plans = answers.get("plans")
        version = answers.get("kafka_version")
        return cls(
            version=version if isinstance(version, str) and version != "unsure" else None,
            upgrade_to_4=isinstance(plans, list) and "upgrade-to-4" in plans,
            eos="transactions-exactly-once" in chosen,
            idempotence=bool({"idempotent-producer", "transactions-exactly-once"} & set(chosen))
            or answers.get("duplicate_tolerance") == "harmful",
            no_loss=answers.get("loss_tolerance") == "unacceptable",
            dlq="dead-letter-queue" in chosen,
            chosen=chosen,
        )

    @property
    def on_4x(self) -> bool:
        return self.version in V4

    @property
    def toward_4x(self) -> bool:
        """On 4.x now, or on 3.x with an upgrade to 4 planned."""
        return self.on_4x or (self.upgrade_to_4 and (self.version in V3 or self.version is None))

    def to_json(self) -> dict[str, Any]:
        return {"kafka_version": self.version, "upgrade_to_4": self.upgrade_to_4, "exactly_once": self.eos,
                "idempotence": self.idempotence, "no_loss": self.no_loss, "dead_letter_queue": self.dlq,
                "chosen_patterns": list(self.chosen)}


# --------------------------------------------------------------------------- context


@dataclass
class Ctx:
    parsed: Parsed
    role: Role
    intent: Intent | None
    shown: Callable[[str, str], str]  # (key, value) -> the value as output may show it (secrets masked)
    last: dict[str, Entry] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)  # keys a name check already reported

    def __post_init__(self) -> None:
        for e in self.parsed.entries:
            self.last[e.key] = e

    @property
    def java(self) -> bool:
        return self.role.flavour == "java"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role.role]

    def view(self, client: str) -> dict[str, Entry] | None:
        """The settings one embedded client (producer or consumer) gets from this config, by plain key."""
        role = self.role.role
        if role == client:
            return dict(self.last)
        prefixes = {
            ("streams", "producer"): ("producer.",), ("streams", "consumer"): ("consumer.", "main.consumer."),
            ("connect-worker", "producer"): ("producer.",), ("connect-worker", "consumer"): ("consumer.",),
            ("source-connector", "producer"): ("producer.override.",),
            ("sink-connector", "consumer"): ("consumer.override.",),
        }.get((role, client))
        if prefixes is None:
            return None
        out: dict[str, Entry] = {}
        if role == "streams":  # StreamsConfig passes unprefixed client keys on to its clients
            scope = cat.scope_keys(client)
            out.update({k: e for k, e in self.last.items() if k in scope})
        for prefix in prefixes:
            out.update({k.removeprefix(prefix): e for k, e in self.last.items() if k.startswith(prefix)})
        return out

    def topic_view(self) -> dict[str, Entry] | None:
        if self.role.role == "topic":
            return dict(self.last)
        if self.role.role == "streams":
            return {k.removeprefix("topic."): e for k, e in self.last.items() if k.startswith("topic.")}
        return None

    def show(self, entry: Entry) -> str:
        return self.shown(entry.key, entry.value)


@dataclass(frozen=True)
class Hit:
    line: int | None
    key: str | None
    message: str
    fix: str | None = None  # a fix with this file's specifics; else the check's own
    source: str | None = None  # a more precise source than the check's own


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str
    fix: str
    source: str
    run: Callable[[Ctx], Iterable[Hit]]
    needs: str = ""  # "answers" when it only runs against an assessment


CHECKS: list[Check] = []


def check(id: str, severity: str, title: str, fix: str, source: str, needs: str = "") -> Callable[..., Any]:
    assert severity in SEVERITIES

    def register(fn: Callable[[Ctx], Iterable[Hit]]) -> Callable[[Ctx], Iterable[Hit]]:
        assert all(c.id != id for c in CHECKS), id
        CHECKS.append(Check(id, severity, title, fix, source, fn, needs))
        return fn

    return register


def by_id() -> dict[str, Check]:
    return {c.id: c for c in CHECKS}


# --------------------------------------------------------------------------- value helpers


def resolved(value: str) -> bool:
    return not PLACEHOLDER.search(value)


def as_bool(entry: Entry | None) -> bool | None:
    if entry is None or not resolved(entry.value):
        return None
    v = entry.value.strip().lower()
    return True if v == "true" else False if v == "false" else None


def as_int(entry: Entry | None) -> int | None:
    if entry is None or not resolved(entry.value):
        return None
    try:
        return int(entry.value.strip())
    except ValueError:
        return None


def first(view: dict[str, Entry], *keys: str) -> Entry | None:
    """The entry of the first of several names (librdkafka aliases) that is set."""
    found = [view[k] for k in keys if k in view]
    return max(found, key=lambda e: e.line) if found else None


def acks_of(entry: Entry | None) -> str | None:
    if entry is None or not resolved(entry.value):
        return None
    v = entry.value.strip().lower()
    return "all" if v in ("all", "-1") else v


ACKS = ("acks", "request.required.acks")
INFLIGHT = ("max.in.flight.requests.per.connection", "max.in.flight")
RETRIES = ("retries", "message.send.max.retries")
LINGER = ("linger.ms", "queue.buffering.max.ms")


def producer_view(ctx: Ctx) -> dict[str, Entry] | None:
    """The producer settings, unless Kafka Streams manages idempotence itself (exactly-once)."""
    view = ctx.view("producer")
    if view is None:
        return None
    if ctx.role.role == "streams" and "exactly_once" in (ctx.last.get("processing.guarantee") or Entry("", "", 0)).value:
        return None
    return view


def idempotence_conflicts(view: dict[str, Entry]) -> list[tuple[Entry, str]]:
    """Settings that rule out idempotence: acks other than all, more than 5 in flight, no retries."""
    out = []
    acks = first(view, *ACKS)
    if acks_of(acks) not in (None, "all"):
        assert acks is not None
        out.append((acks, "acks must be all"))
    inflight = first(view, *INFLIGHT)
    n = as_int(inflight)
    if n is not None and n > 5:
        assert inflight is not None
        out.append((inflight, "at most 5 requests may be in flight"))
    retries = first(view, *RETRIES)
    if as_int(retries) == 0:
        assert retries is not None
        out.append((retries, "retries must be above 0"))
    return out


def run_checks(ctx: Ctx) -> Iterator[tuple[Check, Hit]]:
    for c in CHECKS:
        if c.needs == "answers" and ctx.intent is None:
            continue
        for hit in c.run(ctx):
            yield c, hit


def table() -> list[dict[str, str]]:
    """The checks as rows (id, severity, title, fix, source, needs) for the README and `audit --checks`."""
    def needs(c: Check) -> str:
        if c.needs == "answers":
            return "an assessment"
        return "a librdkafka config and confluent-kafka" if c.id.startswith("client-") else "the config alone"

    return [{"id": c.id, "severity": c.severity, "title": c.title, "fix": c.fix, "source": c.source, "needs": needs(c)}
            for c in CHECKS]


# Importing the check modules registers their checks, in this order: the name checks first, since
# each claims the keys it reports (one key gets one name finding). They import the names above.
from . import audit_names  # noqa: E402, F401

# isort: split
from . import audit_guarantees  # noqa: E402, F401

# isort: split
from . import audit_versions  # noqa: E402, F401
