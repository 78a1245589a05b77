"""The chapter outline ("Kafka Interaction Patterns") that every ref must point into.

Copied from ../shared/seeds so the project does not read shared/ at run time.
"""

from __future__ import annotations

SECTIONS: dict[str, str] = {
    "7.1": "Using Kafka in Microservices",
    "7.1.1": "Smart endpoints and dumb pipes",
    "7.1.2": "Request-response pattern",
    "7.1.3": "CQRS pattern",
    "7.1.4": "Event sourcing with snapshotting",
    "7.1.5": "Having \u201chot\u201d and \u201ccold\u201d data",
    "7.2": "Implementing data mesh with Kafka",
    "7.2.1": "Motivations for data mesh",
    "7.2.2": "Domain ownership",
    "7.2.3": "Data as a product",
    "7.2.4": "Federated governance",
    "7.2.5": "Self-Serve platform",
    "7.3": "Using Kafka Connect",
    "7.3.1": "Kafka Connect at a glance",
    "7.3.2": "Internal Kafka Connect architecture",
    "7.3.3": "Converters",
    "7.3.4": "Single message transformations",
    "7.3.5": "Source connectors",
    "7.3.6": "Sink connectors",
    "7.3.7": "Changes in incoming data structure",
    "7.3.8": "Integrating Kafka and databases",
    "7.3.9": "Creating connector for Customer 360",
    "7.3.10": "Common Kafka Connect problems",
    "7.4": "Ensuring delivery guarantee",
    "7.4.1": "Producer idempotence",
    "7.4.2": "Understanding Kafka transactions",
    "7.4.3": "Transactional outbox pattern",
}

# The 23 numbered subsections that the knowledge base must cite (7.1.1 .. 7.4.3).
SUBSECTIONS: tuple[str, ...] = tuple(s for s in SECTIONS if s.count(".") == 2)

AREAS: dict[str, str] = {s: t for s, t in SECTIONS.items() if s.count(".") == 1}


def area_of(ref: str) -> str:
    """'7.3.10' -> '7.3'."""
    return ".".join(ref.split(".")[:2])

# Pattern ids other tools and tests rely on: they may be added to, never renamed.
FIXED_PATTERN_IDS: tuple[str, ...] = (
    "smart-endpoints-dumb-pipes", "request-response", "cqrs", "event-sourcing", "event-sourcing-snapshots",
    "hot-cold-data", "data-mesh", "domain-ownership", "data-as-a-product", "federated-governance",
    "self-serve-platform", "kafka-connect", "source-connector", "sink-connector", "cdc-log-based",
    "cdc-query-based", "schema-evolution", "smt", "dead-letter-queue", "customer-360",
    "idempotent-producer", "transactions-exactly-once", "transactional-outbox",
)
