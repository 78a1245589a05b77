"""strimzi: KafkaTopic and KafkaConnector resources (multi-document YAML) for the Strimzi operators.

Topics come from the sizing (sizing.py: partitions, replicas, the topic snippets' configs); connectors from
the connector snippets (configs.py, flavour connector-json): a `create` snippet gives spec.class, tasksMax and
config, and the `patch` snippets for the same connector are merged in. Only core and baseline advice becomes
a resource; later-tier parts are listed in the header, not applied. Names that are not valid Kubernetes names
get a derived metadata.name and spec.topicName (names.py), and the header says so.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from ..configs import Snippet
from ..names import k8s_names
from ..present import ViewModel, human_bytes
from ..sizing import TopicSizing, retention_words
from . import ExportContext, Exporter, register
from .common import display_title, one_line

API_VERSION = "kafka.strimzi.io/v1"  # the version the shipped CRDs serve and store (tests/reference/strimzi)
KAFKA_CLUSTER = "my-cluster"  # placeholder: the name of your Kafka resource
CONNECT_CLUSTER = "my-connect-cluster"  # placeholder: the name of your KafkaConnect resource
FORBIDDEN_CONNECTOR_KEYS = ("name", "connector.class", "tasks.max", "connector.plugin.version")  # the CRD says so

SAFETY = (
    "spec.partitions can only grow: Kafka cannot remove partitions (the KafkaTopic CRD: 'This cannot be decreased "
    "after topic creation'), and adding partitions to a keyed topic sends keys to other partitions, so per-key "
    "order breaks for a while. The sizing below starts with room.",
    "spec.replicas: the Topic Operator does not move replicas itself. A later change of the replication factor "
    "needs Cruise Control deployed with the Kafka cluster: the Topic Operator hands the change to Cruise Control and "
    "shows progress in status.replicasChange (Strimzi / Streams for Apache Kafka docs, 'Using Cruise Control to "
    "modify topic replication factor'). Without Cruise Control, keep the 3 chosen here.",
    "metadata.name and spec.topicName cannot be changed after creation (renaming a topic is not supported).",
    "KafkaConnector resources are used only when the KafkaConnect resource has the annotation "
    "strimzi.io/use-connector-resources: \"true\". Secrets referenced as ${file:...} must be mounted into the "
    "Connect pods (or switch to Strimzi's KubernetesSecretConfigProvider).",
)


def _wrap(text: str) -> list[str]:
    return [f"# {line}" for line in textwrap.wrap(one_line(text), 106, break_on_hyphens=False,
                                                 break_long_words=False, subsequent_indent="  ")] or ["#"]


def topic_resource(t: TopicSizing, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"partitions": t.partitions, "replicas": t.replication_factor}
    if name != t.name:
        spec = {"topicName": t.name, **spec}
    spec["config"] = dict(t.config)
    return {"apiVersion": API_VERSION, "kind": "KafkaTopic",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER}}, "spec": spec}


def _connectors(snippets: list[Snippet]) -> tuple[list[dict[str, Any]], list[str]]:
    """(KafkaConnector resources, what was left out and why)."""
    made: dict[str, dict[str, Any]] = {}
    left: list[str] = []
    ordered = [s for s in snippets if s.flavour == "connector-json" and s.connector]
    for s in sorted(ordered, key=lambda s: s.method == "patch"):  # creates first, then the patches on them
        connector = s.connector or ""
        if s.tier == "later":
            left.append(f"{connector} ({s.pattern}, {s.method}): advised for later"
                        + (f", worth it when {s.trigger}" if s.trigger else ""))
            continue
        config = {str(k): str(v) for k, v in s.config.items()}
        if s.method == "create":
            made[connector] = {"class": config.get("connector.class", ""),
                               "tasksMax": int(config.get("tasks.max", "1")), "config": config}
        elif connector in made:
            made[connector]["config"].update(config)
        else:
            left.append(f"{connector} ({s.pattern}, patch): patches a connector no core or baseline snippet "
                        "creates; apply it with the REST API file from configs/ once that connector exists")
    names = {n.topic: n for n in k8s_names(made)}
    out = []
    for connector, spec in made.items():
        config = {k: v for k, v in spec["config"].items() if k not in FORBIDDEN_CONNECTOR_KEYS}
        name = names[connector]
        if name.lossy:
            left.append(f"connector {connector!r} is not a valid Kubernetes name: its KafkaConnector (and so the "
                        f"connector) is named {name.name!r}")
        out.append({"apiVersion": API_VERSION, "kind": "KafkaConnector",
                    "metadata": {"name": name.name, "labels": {"strimzi.io/cluster": CONNECT_CLUSTER}},
                    "spec": {"class": spec["class"], "tasksMax": spec["tasksMax"], "config": config}})
    return out, left


def documents(vm: ViewModel) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(resources, header lines, per-resource comment lines keyed by position) for a view model."""
    names = k8s_names(t.name for t in vm.sizing)
    topics = [topic_resource(t, n.name) for t, n in zip(vm.sizing, names, strict=True)]
    connectors, left = _connectors(vm.snippets)
    renamed = [n.message() for n in names if n.lossy]
    return [*topics, *connectors], renamed, left


def _topic_comment(t: TopicSizing) -> list[str]:
    storage = f"broker disks {human_bytes(t.broker_bytes)} (x{t.disk_headroom:g} headroom)"
    if t.tiered:
        storage += f", remote tier {human_bytes(t.remote_bytes)}; local window {retention_words(t.local_retention_ms or 0)}"
    if t.broker_bytes is None:
        storage = "storage not sized"
    lines = [f"{t.name}: partitions {t.formula}; replicas {t.replication_factor}, min.insync.replicas "
             f"{t.min_insync_replicas} ({t.durability_source}); retention {retention_words(t.retention_ms)}; {storage}."]
    if t.example:
        lines.append("EXAMPLE topic: no inventory was given, so this stands for your business topics.")
    return [c for line in lines for c in _wrap(line)]


def render_strimzi(ctx: ExportContext) -> bytes:
    vm = ctx.vm
    docs, renamed, left = documents(vm)
    head = [f"Strimzi resources for {display_title(ctx)}: KafkaTopic and KafkaConnector, {API_VERSION}.",
            f"Placeholders: strimzi.io/cluster: {KAFKA_CLUSTER} on topics (your Kafka resource's name) and "
            f"{CONNECT_CLUSTER} on connectors (your KafkaConnect resource's name). Replace them before applying."]
    out = [c for h in head for c in _wrap(h)]
    out += ["#", "# Safety notes:"] + [c for s in SAFETY for c in _wrap(f"- {s}")]
    if not docs:
        out += ["#", *_wrap("No resources: nothing is recommended for Kafka in this report.")]
    shared = list(dict.fromkeys(a for t in vm.sizing for a in t.assumptions
                                if all(a in x.assumptions for x in vm.sizing if x.kind == t.kind)))
    if shared:
        out += ["#", "# Sizing assumptions (see each topic's comment for its numbers):"]
        out += [c for a in shared for c in _wrap(f"- {a}")]
    if renamed:
        out += ["#", "# Renamed for Kubernetes (spec.topicName keeps the real topic name):"]
        out += [c for r in renamed for c in _wrap(f"- {r}")]
    if left:
        out += ["#", "# Not included:"] + [c for x in left for c in _wrap(f"- {x}")]
    by_topic = {t.name: t for t in vm.sizing}
    for doc in docs:
        out.append("---")
        if doc["kind"] == "KafkaTopic":
            out += _topic_comment(by_topic[doc["spec"].get("topicName", doc["metadata"]["name"])])
        out.append(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000).rstrip("\n"))
    return ("\n".join(out) + "\n").encode("utf-8")


register(Exporter("strimzi", "Strimzi resources (YAML)", "yaml", "application/yaml", render_strimzi))
