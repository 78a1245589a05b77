"""Audit checks on guarantees: settings that contradict each other, and settings that contradict the assessment."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .audit_checks import (
    ACKS,
    DOCS_39,
    IDEMPOTENCE_DOC,
    INFLIGHT,
    LIBRDKAFKA_DOC,
    PRODUCER_SRC,
    SR_SERDE_SRC,
    SR_TUTORIAL,
    UPGRADE_40,
    Ctx,
    Hit,
    acks_of,
    as_bool,
    as_int,
    check,
    first,
    idempotence_conflicts,
    producer_view,
)
from .audit_parse import Entry

# Connect workers and source connectors: their producers get Connect's own defaults.
CONNECT_ROLES = ("connect-worker", "source-connector")

# --------------------------------------------------------------------------- contradictions


@check("idempotence-conflict", "high", "enable.idempotence=true with acks other than all, more than 5 in flight or retries=0",
       "Keep enable.idempotence=true and set acks=all, max.in.flight.requests.per.connection<=5 and retries>0 "
       "(or leave them unset).", f"{IDEMPOTENCE_DOC}; {PRODUCER_SRC}; {LIBRDKAFKA_DOC}")
def _idempotence_conflict(ctx: Ctx) -> Iterator[Hit]:
    view = producer_view(ctx)
    if view is None or as_bool(view.get("enable.idempotence")) is not True:
        return
    who = ("librdkafka fails to create the producer" if ctx.role.flavour == "librdkafka"
           else "the producer fails at construction with a ConfigException")
    for entry, rule in idempotence_conflicts(view):
        yield Hit(entry.line, entry.key, f"enable.idempotence=true is set explicitly, but {entry.key}={ctx.show(entry)} "
                                         f"({rule}): {who}.", f"Remove {entry.key}, or change it ({rule}).")


@check("idempotence-silently-off", "high",
       "Idempotence left implicit while acks, in-flight requests or retries turn it off without an error (Java client)",
       "Set enable.idempotence=true explicitly and remove the conflicting setting (acks=all, "
       "max.in.flight.requests.per.connection<=5, retries>0).", f"{IDEMPOTENCE_DOC}; {PRODUCER_SRC}; {UPGRADE_40}")
def _idempotence_silent(ctx: Ctx) -> Iterator[Hit]:
    view = producer_view(ctx)
    if view is None or not ctx.java or "enable.idempotence" in view:
        return
    if ctx.intent is not None and ctx.intent.version == "pre-3-0":
        return  # idempotence is off by default there: version-idempotence-default says so
    transactional = "transactional.id" in view
    for entry, rule in idempotence_conflicts(view):
        if entry.key.endswith(INFLIGHT[0]) and ctx.intent is not None and ctx.intent.on_4x:
            effect = ("from Kafka 4.0 the producer no longer falls back: it fails at construction with a ConfigException")
        elif transactional:
            effect = ("idempotence is switched off, and with transactional.id set the producer then fails at construction "
                      "('Cannot set a transactional.id without also enabling idempotence')")
        else:
            effect = ("the Java producer (3.0+) quietly switches idempotence off, logging it only at INFO/WARN, so "
                      "retries can write duplicates and reorder records")
        yield Hit(entry.line, entry.key, f"{entry.key}={ctx.show(entry)} ({rule} for idempotence) while "
                                         f"enable.idempotence is not set: {effect}.",
                  f"Remove {entry.key} (or change it: {rule}) and set enable.idempotence=true explicitly.")


@check("errors-tolerance-silent", "high", "errors.tolerance=all with neither a dead-letter topic nor error logging",
       "Set errors.deadletterqueue.topic.name (sink connectors) and/or errors.log.enable=true with "
       "errors.log.include.messages=true.",
       f"{DOCS_39}#sinkconnectorconfigs_errors.tolerance; https://cwiki.apache.org/confluence/display/KAFKA/KIP-298%3A+Error+Handling+in+Connect")
def _errors_tolerance(ctx: Ctx) -> Iterator[Hit]:
    if ctx.role.role not in ("source-connector", "sink-connector"):
        return
    tol = ctx.last.get("errors.tolerance")
    if tol is None or tol.value.strip().lower() != "all":
        return
    dlq = ctx.last.get("errors.deadletterqueue.topic.name")
    has_dlq = ctx.role.role == "sink-connector" and dlq is not None and dlq.value.strip() != ""
    if has_dlq or as_bool(ctx.last.get("errors.log.enable")) is True:
        return
    name = ctx.parsed.name or "connector"
    if ctx.role.role == "sink-connector":
        msg = ("errors.tolerance=all skips every record that fails conversion or a transform, and with no "
               "errors.deadletterqueue.topic.name and errors.log.enable=false nothing records what was skipped")
        fix = (f"Add errors.deadletterqueue.topic.name=dlq-{name} and errors.deadletterqueue.context.headers.enable=true "
               "(or at least errors.log.enable=true and errors.log.include.messages=true).")
    else:
        msg = ("errors.tolerance=all skips every record that fails conversion or a transform; a source connector has "
               "no dead-letter queue, so without errors.log.enable=true the skipped records leave no trace")
        fix = "Add errors.log.enable=true and errors.log.include.messages=true."
    yield Hit(tol.line, tol.key, msg + ".", fix)


@check("compacted-tiered", "high", "A compacted topic with tiered storage (remote.storage.enable=true)",
       "Keep compacted topics on local storage (drop remote.storage.enable), or tier only delete-policy topics.",
       "apache/kafka 3.9.0 storage/src/main/java/org/apache/kafka/storage/internals/log/LogConfig.java "
       "(validateNoRemoteStorageForCompactedTopic); https://cwiki.apache.org/confluence/display/KAFKA/KIP-405%3A+Kafka+Tiered+Storage")
def _compacted_tiered(ctx: Ctx) -> Iterator[Hit]:
    view = ctx.topic_view()
    if view is None:
        return
    policy, remote = view.get("cleanup.policy"), view.get("remote.storage.enable")
    if policy is None or as_bool(remote) is not True or "compact" not in policy.value.lower():
        return
    assert remote is not None
    yield Hit(remote.line, remote.key, f"cleanup.policy={ctx.show(policy)} with remote.storage.enable=true: Kafka rejects "
                                       "the topic config ('Remote log storage is unsupported for the compacted topics').")


def _replication(view: dict[str, Entry]) -> Entry | None:
    return view.get("replication.factor")


@check("min-isr-not-below-rf", "high", "min.insync.replicas not below the replication factor",
       "Use replication.factor=3 with min.insync.replicas=2.", f"{DOCS_39}#topicconfigs_min.insync.replicas")
def _min_isr_rf(ctx: Ctx) -> Iterator[Hit]:
    view = ctx.topic_view()
    if view is None:
        return
    isr, rf = view.get("min.insync.replicas"), _replication(view)
    n_isr, n_rf = as_int(isr), as_int(rf)
    if n_isr is None or n_rf is None or n_rf < 1 or n_isr < n_rf:
        return
    assert isr is not None
    yield Hit(isr.line, isr.key, f"min.insync.replicas={n_isr} with replication.factor={n_rf}: with one broker down "
                                 "every acks=all write fails (NotEnoughReplicas), so one restart stops producers.",
              f"Set min.insync.replicas={max(1, n_rf - 1)} (or raise the replication factor to {n_isr + 1}).")


@check("min-isr-one", "medium", "min.insync.replicas=1: acks=all waits for a single copy",
       "Set min.insync.replicas=2 with replication.factor=3.", f"{DOCS_39}#topicconfigs_min.insync.replicas")
def _min_isr_one(ctx: Ctx) -> Iterator[Hit]:
    view = ctx.topic_view()
    if view is None:
        return
    isr, rf = view.get("min.insync.replicas"), as_int(_replication(view) if view else None)
    if as_int(isr) != 1 or rf == 1:
        return
    assert isr is not None
    chosen = " You chose no data loss." if ctx.intent is not None and ctx.intent.no_loss else ""
    yield Hit(isr.line, isr.key, "min.insync.replicas=1: a producer with acks=all is acknowledged once the leader alone "
                                 f"has the record, so losing that broker loses acknowledged writes.{chosen}")


_UNSTABLE_ID = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "a UUID"),
    (re.compile(r"\$\{\s*(random|uuid)[^}]*\}|#\{\s*T\(java\.util\.UUID\)|randomUUID|\$RANDOM|\brandom\b", re.I),
     "a random value"),
    (re.compile(r"\$\{[^}]*(time|date|timestamp|now|epoch|millis)[^}]*\}|currentTimeMillis|\$\(date", re.I), "a timestamp"),
    (re.compile(r"(?<!\d)\d{10,}(?!\d)"), "a timestamp-like number"),
    (re.compile(r"\$\{[^}]*\b(pid|PID)\b[^}]*\}|\$\$|ProcessHandle|\bgetpid\b|\$\{[^}]*HOSTNAME[^}]*\}[^,]*\$\{[^}]*\}", re.I),
     "a process id"),
]


@check("transactional-id-unstable", "high", "A random or per-start transactional.id",
       "Use a stable transactional.id per logical producer (for example <service>-<instance ordinal>), the same after a restart.",
       f"{DOCS_39}#producerconfigs_transactional.id; https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging")
def _transactional_id(ctx: Ctx) -> Iterator[Hit]:
    view = ctx.view("producer")
    if view is None or "transactional.id" not in view:
        return
    e = view["transactional.id"]
    for pattern, what in _UNSTABLE_ID:
        if pattern.search(e.value):
            yield Hit(e.line, e.key, f"transactional.id={ctx.show(e)} looks like {what}, so it changes on every start: "
                                     "the new instance cannot fence the old one (a zombie can still commit), its "
                                     "unfinished transaction is not aborted and holds back read_committed consumers "
                                     "until transaction.timeout.ms, and each start leaves one more id on the coordinator.")
            return


@check("auto-commit-in-transaction", "high", "enable.auto.commit=true in a transactional consume-process-produce loop",
       "Set enable.auto.commit=false and commit offsets with the transaction (sendOffsetsToTransaction).",
       "https://kafka.apache.org/39/javadoc/org/apache/kafka/clients/producer/KafkaProducer.html#sendOffsetsToTransaction"
       "(java.util.Map,org.apache.kafka.clients.consumer.ConsumerGroupMetadata)")
def _auto_commit(ctx: Ctx) -> Iterator[Hit]:
    if ctx.role.role == "streams":
        return  # Streams commits offsets itself
    consumer, producer = ctx.view("consumer"), ctx.view("producer")
    if consumer is None:
        return
    entry = consumer.get("enable.auto.commit")
    explicit = as_bool(entry)
    transactional = producer is not None and "transactional.id" in producer
    # Without a transactional.id in the file, a consumer is taken for the loop's when it reads only committed
    # records and exactly-once was chosen (a plain downstream consumer may commit as it likes).
    committed = (consumer.get("isolation.level") or Entry("", "", 0)).value.strip().lower() == "read_committed"
    eos = ctx.intent is not None and ctx.intent.eos and committed
    if explicit is True and (transactional or eos):
        assert entry is not None
        why = ("this file also sets transactional.id" if transactional else
               "you chose exactly-once processing and this consumer reads committed records (the loop's consumer)")
        yield Hit(entry.line, entry.key, f"enable.auto.commit=true while {why}: offsets are committed on a timer outside "
                                         "the transaction, so a crash after the commit loses records and a crash before "
                                         "it processes them twice.")
    elif entry is None and transactional:
        group = consumer.get("group.id")
        yield Hit(group.line if group else None, "enable.auto.commit",
                  "enable.auto.commit is not set, so it defaults to true, while this file also sets transactional.id: "
                  "offsets are committed outside the transaction.", "Add enable.auto.commit=false.")


@check("connect-internal-rf", "high", "Connect internal topics with a replication factor below 3",
       "Set config.storage.replication.factor, offset.storage.replication.factor and status.storage.replication.factor to 3.",
       f"{DOCS_39}#connectconfigs_config.storage.replication.factor")
def _connect_rf(ctx: Ctx) -> Iterator[Hit]:
    if ctx.role.role != "connect-worker":
        return
    for topic in ("config", "offset", "status"):
        e = ctx.last.get(f"{topic}.storage.replication.factor")
        n = as_int(e)
        if e is not None and n is not None and 0 < n < 3:
            yield Hit(e.line, e.key, f"{e.key}={n}: the worker's {topic} topic has {n} cop{'y' if n == 1 else 'ies'}; "
                                     f"losing {'that broker' if n == 1 else 'two brokers'} loses the connectors' "
                                     f"{'configs' if topic == 'config' else topic + 's'}, and Connect cannot recover them.",
                      f"Set {e.key}=3 (Connect creates these topics once: fix an existing topic with kafka-reassign-partitions).")


@check("auto-register-schemas", "medium", "Schema Registry auto-registration left on (auto.register.schemas)",
       "Set auto.register.schemas=false and use.latest.version=true in production; register schemas from CI "
       "with a compatibility check.", f"{SR_TUTORIAL}; {SR_SERDE_SRC}")
def _auto_register(ctx: Ctx) -> Iterator[Hit]:
    # Client applications only: deserializers never register, and Connect's converters register the
    # schemas a connector derives from its source (a CDC table), which no one can register beforehand.
    if ctx.role.role not in ("producer", "streams"):
        return
    for key, e in ctx.last.items():
        if not key.endswith("schema.registry.url") or key.startswith("consumer."):
            continue
        prefix = key.removesuffix("schema.registry.url")
        auto = ctx.last.get(f"{prefix}auto.register.schemas")
        if as_bool(auto) is False:
            continue
        state = "is true" if auto is not None else "is not set, and defaults to true"
        where = auto or e
        yield Hit(where.line, f"{prefix}auto.register.schemas",
                  f"{prefix}auto.register.schemas {state}: the serializer registers whatever schema the code has, "
                  "so a schema change reaches production without review.",
                  f"Set {prefix}auto.register.schemas=false and {prefix}use.latest.version=true; register schemas from CI.")


@check("unclean-leader-election", "high", "unclean.leader.election.enable=true",
       "Set unclean.leader.election.enable=false (the default).", f"{DOCS_39}#topicconfigs_unclean.leader.election.enable")
def _unclean(ctx: Ctx) -> Iterator[Hit]:
    view = ctx.topic_view()
    e = view.get("unclean.leader.election.enable") if view else None
    if as_bool(e) is True:
        assert e is not None
        chosen = " You chose no data loss." if ctx.intent is not None and ctx.intent.no_loss else ""
        yield Hit(e.line, e.key, "unclean.leader.election.enable=true lets a replica that missed writes become leader: "
                                 f"acknowledged records are lost, silently.{chosen}")


# --------------------------------------------------------------------------- against the assessment


@check("eos-read-uncommitted", "high", "Exactly-once chosen, but the consumer reads uncommitted data",
       "Set isolation.level=read_committed.", f"{DOCS_39}#consumerconfigs_isolation.level", needs="answers")
def _read_uncommitted(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or not ctx.intent.eos:
        return
    view = ctx.view("consumer")
    if view is None or ctx.role.role == "streams":
        return
    e = view.get("isolation.level")
    prefix = {"sink-connector": "consumer.override.", "connect-worker": "consumer."}.get(ctx.role.role, "")
    if e is not None and e.value.strip().lower() == "read_uncommitted":
        yield Hit(e.line, e.key, "You chose exactly-once (transactions), but isolation.level=read_uncommitted: this "
                                 "consumer also sees records of aborted and still-open transactions.")
    elif e is None and ctx.java and ctx.role.role != "connect-worker":
        yield Hit(None, f"{prefix}isolation.level", "You chose exactly-once (transactions), but isolation.level is not set "
                                                     "and the Java consumer defaults to read_uncommitted: it also sees "
                                                     "records of aborted and still-open transactions.",
                  f"Add {prefix}isolation.level=read_committed.")


@check("eos-streams-guarantee", "high", "Exactly-once chosen, but the Streams app runs at-least-once",
       "Set processing.guarantee=exactly_once_v2.", f"{DOCS_39}#streamsconfigs_processing.guarantee", needs="answers")
def _streams_guarantee(ctx: Ctx) -> Iterator[Hit]:
    if ctx.role.role != "streams" or ctx.intent is None or not ctx.intent.eos:
        return
    e = ctx.last.get("processing.guarantee")
    if e is None or e.value.strip() == "at_least_once":
        yield Hit(e.line if e else None, "processing.guarantee",
                  "You chose exactly-once, but processing.guarantee is "
                  + (f"{e.value.strip()}" if e else "not set (at_least_once by default)")
                  + ": after a failure records are processed again and their results written twice.")


@check("no-loss-acks", "high", "No data loss chosen, but the producer does not wait for all in-sync replicas",
       "Set acks=all (and keep min.insync.replicas=2 on the topics).", f"{DOCS_39}#producerconfigs_acks", needs="answers")
def _no_loss_acks(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or not ctx.intent.no_loss:
        return
    view = ctx.view("producer")
    if view is None:
        return
    e = first(view, *ACKS)
    acks = acks_of(e)
    if acks in ("0", "1"):
        assert e is not None
        what = "acks=0 does not wait for the broker at all" if acks == "0" else \
            "acks=1 is acknowledged by the leader alone, so a leader failure right after loses the record"
        yield Hit(e.line, e.key, f"You chose that no data may be lost, but {what}.")
    # Before 3.0 an unset acks is 1, except where something else sets it: Connect gives its source
    # producers acks=all (since 0.9, KAFKA-2778), and an idempotent or transactional producer gets
    # acks=all (2.x ProducerConfig.maybeOverrideAcksAndRetries).
    elif (e is None and ctx.java and ctx.intent.version == "pre-3-0" and ctx.role.role not in CONNECT_ROLES
          and as_bool(view.get("enable.idempotence")) is not True and "transactional.id" not in view):
        yield Hit(None, "acks", "You chose that no data may be lost, but acks is not set and before Kafka 3.0 the producer "
                                "defaults to acks=1 (leader only).", "Add acks=all.")


@check("idempotence-off-but-wanted", "high", "Idempotence or exactly-once chosen, but the producer's idempotence is off",
       "Set enable.idempotence=true (with acks=all).", IDEMPOTENCE_DOC + "; " + LIBRDKAFKA_DOC, needs="answers")
def _idempotence_wanted(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or not ctx.intent.idempotence:
        return
    view = producer_view(ctx)
    if view is None or ctx.role.role == "connect-worker":
        return
    e = view.get("enable.idempotence")
    why = ("you chose exactly-once processing" if ctx.intent.eos else
           "you chose an idempotent producer" if "idempotent-producer" in ctx.intent.chosen else "duplicates are harmful")
    if as_bool(e) is False:
        assert e is not None
        yield Hit(e.line, e.key, f"enable.idempotence=false, but {why}: a retried send can write the record twice.")
    elif e is None and ctx.role.flavour == "librdkafka":
        yield Hit(None, "enable.idempotence", f"enable.idempotence is not set and librdkafka defaults to false, but {why}: "
                                              "a retried send can write the record twice.", "Add enable.idempotence=true.")


@check("dlq-chosen-missing", "medium", "A dead-letter queue chosen, but the sink connector has none",
       "Set errors.tolerance=all and errors.deadletterqueue.topic.name (with context headers).",
       f"{DOCS_39}#sinkconnectorconfigs_errors.deadletterqueue.topic.name", needs="answers")
def _dlq_missing(ctx: Ctx) -> Iterator[Hit]:
    if ctx.role.role != "sink-connector" or ctx.intent is None or not ctx.intent.dlq:
        return
    dlq = ctx.last.get("errors.deadletterqueue.topic.name")
    tol = ctx.last.get("errors.tolerance")
    if dlq is not None and dlq.value.strip():
        return
    if tol is not None and tol.value.strip().lower() == "all":
        return  # errors-tolerance-silent (or error logging) covers it
    name = ctx.parsed.name or "connector"
    yield Hit(tol.line if tol else None, "errors.deadletterqueue.topic.name",
              "The assessment chose a dead-letter queue, but this sink connector has no errors.deadletterqueue.topic.name "
              "and errors.tolerance is none: the first bad record stops the task.",
              f"Add errors.tolerance=all, errors.deadletterqueue.topic.name=dlq-{name} and "
              "errors.deadletterqueue.context.headers.enable=true.")
