"""Audit checks on the user's Kafka version (3.0/3.1 idempotence, 4.0 linger.ms, 4.0 removals) and the real-client
placeholders (audit_client reports under these ids).
"""

from __future__ import annotations

from collections.abc import Iterator

from . import audit_catalog as cat
from .audit_checks import (
    KAFKA_13598,
    LIBRDKAFKA_DOC,
    LINGER,
    LINGER_40,
    STREAMS_UPGRADE_40,
    UPGRADE_40,
    Ctx,
    Hit,
    check,
    first,
    producer_view,
)

# --------------------------------------------------------------------------- version traps

REMOVED_40: dict[str, dict[str, str]] = {
    # scope -> key -> what to do instead (Kafka 4.0 upgrade notes, "Notable changes in 4.0.0")
    "*": {"auto.include.jmx.reporter": "list org.apache.kafka.common.metrics.JmxReporter in metric.reporters (the default)",
          "metrics.jmx.blacklist": "use metrics.jmx.exclude", "metrics.jmx.whitelist": "use metrics.jmx.include"},
    "topic": {"message.format.version": "delete it (4.0 always writes the v2 record format)",
              "message.timestamp.difference.max.ms": "use message.timestamp.before.max.ms and message.timestamp.after.max.ms"},
    "streams": {"retries": "delete it (Streams retries through task.timeout.ms)"},
}
REMOVED_VALUES_40 = {
    ("streams", "processing.guarantee"): ({"exactly_once", "exactly_once_beta"}, "exactly_once_v2",
                                          STREAMS_UPGRADE_40),
    ("producer", "partitioner.class"): ({"org.apache.kafka.clients.producer.internals.DefaultPartitioner",
                                         "org.apache.kafka.clients.producer.UniformStickyPartitioner"},
                                        "nothing (leave partitioner.class unset for the built-in partitioner)", UPGRADE_40),
}


@check("version-idempotence-default", "high", "Your Kafka version does not turn idempotence on by default",
       "Set enable.idempotence=true (with acks=all) explicitly.",
       f"{KAFKA_13598}; apache/kafka 3.0.0 and 3.1.0 ProducerConfig.idempotenceEnabled() (applies the default only when "
       "set explicitly)", needs="answers")
def _version_idempotence(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or ctx.intent.version not in ("pre-3-0", "v3-0-to-3-1") or not ctx.java:
        return
    if ctx.role.role not in ("producer", "streams"):
        return  # Connect configures its own producers
    view = producer_view(ctx)
    if view is None or "enable.idempotence" in view or "transactional.id" in view:
        return
    why = ("before Kafka 3.0 enable.idempotence defaults to false" if ctx.intent.version == "pre-3-0" else
           "Kafka 3.0.0 and 3.1.0 clients do not apply the enable.idempotence=true default (KAFKA-13598, fixed in 3.0.1, "
           "3.1.1 and 3.2.0) unless it is set explicitly")
    yield Hit(None, "enable.idempotence", f"enable.idempotence is not set: {why}, so a retried send can write duplicates.",
              "Add enable.idempotence=true (and acks=all).")


@check("version-linger-default", "low", "Kafka 4.0 changed the producer's linger.ms default from 0 to 5 ms",
       "Set linger.ms explicitly to the batching delay you want (0 keeps the 3.x behaviour).",
       f"{LINGER_40}; {UPGRADE_40}", needs="answers")
def _version_linger(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or not ctx.intent.toward_4x or not ctx.java or ctx.role.role != "producer":
        return
    if first(ctx.last, *LINGER) is not None:
        return
    when = "on Kafka 4.x" if ctx.intent.on_4x else "after the planned upgrade to 4.x"
    yield Hit(None, "linger.ms", f"linger.ms is not set: {when} the producer waits up to 5 ms to fill a batch (it was 0 ms "
                                 "in 3.x), which adds latency to a lone send.", "Add linger.ms with the delay you want.")


@check("version-removed-config", "medium", "A config removed in Kafka 4.0",
       "Delete the key or use its replacement.", f"{UPGRADE_40}; {STREAMS_UPGRADE_40}", needs="answers")
def _version_removed(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or not ctx.intent.toward_4x:
        return
    scope = cat.ROLE_SCOPES[ctx.role.role]
    table = {**REMOVED_40["*"], **REMOVED_40.get(scope, {})}
    when = "Kafka 4.0 removed" if ctx.intent.on_4x else "Kafka 4.0 (your planned upgrade) removes"
    prefixes = ("producer.", "consumer.", "admin.", "main.consumer.", "topic.", "producer.override.", "consumer.override.")
    for key, e in ctx.last.items():
        plain = key
        for prefix in prefixes:
            if key.startswith(prefix):
                plain = key.removeprefix(prefix)
        instead = table.get(plain) or (REMOVED_40["topic"].get(plain) if key.startswith("topic.") else None)
        if instead is None:
            m = cat.TRANSFORM_KEY.match(key)
            smt = ctx.last.get(f"transforms.{m.group(2)}.type") if m and m.group(1) == "transforms" else None
            if smt is not None and "ReplaceField" in smt.value and m and m.group(3) in ("whitelist", "blacklist"):
                instead = f"use {'include' if m.group(3) == 'whitelist' else 'exclude'}"
        if instead:
            yield Hit(e.line, key, f"{when} {plain}: a 4.x {ctx.label} ignores it or refuses it.",
                      f"{instead[0].upper()}{instead[1:]}.")


@check("version-removed-value", "high", "A value Kafka 4.0 no longer accepts",
       "Use the replacement value.", f"{UPGRADE_40}; {STREAMS_UPGRADE_40}", needs="answers")
def _version_removed_value(ctx: Ctx) -> Iterator[Hit]:
    if ctx.intent is None or not ctx.intent.toward_4x:
        return
    for (role, key), (values, instead, source) in REMOVED_VALUES_40.items():
        view = ctx.view(role) if role in ("producer", "consumer") else (dict(ctx.last) if ctx.role.role == role else None)
        e = view.get(key) if view else None
        if e is not None and e.value.strip() in values:
            when = "Kafka 4.0 removed" if ctx.intent.on_4x else "Kafka 4.0 (your planned upgrade) removes"
            yield Hit(e.line, e.key, f"{e.key}={e.value.strip()}: {when} it, so a 4.x client refuses to start.",
                      f"Set {e.key}={instead}." if " " not in instead else f"Set {instead}.", source)


# --------------------------------------------------------------------------- the real client (filled by audit_client)


@check("client-rejects", "high", "confluent-kafka (librdkafka) refuses to create a client from this config",
       "Fix the setting the client names.", LIBRDKAFKA_DOC)
def _client_rejects(ctx: Ctx) -> Iterator[Hit]:
    return iter(())  # audit_client runs the client and reports under this id


@check("client-warns", "medium", "confluent-kafka (librdkafka) warns about this config (CONFWARN)",
       "Fix or remove the setting the warning names.", LIBRDKAFKA_DOC)
def _client_warns(ctx: Ctx) -> Iterator[Hit]:
    return iter(())
