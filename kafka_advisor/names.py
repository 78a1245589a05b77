"""Naming rules: inventory names -> Kafka topic names -> Kubernetes resource names, never colliding silently.

Topic names (Kafka: [a-zA-Z0-9._-], at most 249 characters, not "." or ".."): `inventory.topic_name` is the
rule every snippet uses (runs of other characters become "-", leading and trailing "-" and "." are dropped,
lower case). It is kept as it is so the exports agree with the config snippets; `topic_clashes` says when
two different event names end up on one topic, and when two topics differ only in "." versus "_", which
Kafka warns about because their metric names collide.

Kubernetes names (`metadata.name`) must be DNS-1123 subdomains: at most 253 characters of [a-z0-9.-],
dot-separated labels that start and end with a letter or digit. `k8s_names` maps each topic name:

1. a topic name that is already a valid subdomain is used as it is;
2. otherwise: lower case, "_" and every other character outside [a-z0-9.-] become "-", each dot-separated
   label loses its leading/trailing "-" and repeated "-", empty labels are dropped, and the 8-hex-digit
   SHA-1 prefix of the original topic name is appended ("-1a2b3c4d"), so two names that normalise alike
   still get different resource names; the resource then sets `spec.topicName` to the real topic name;
3. should two results still be equal, "-2", "-3" ... are appended to the later ones.

Every rename is reported (`K8sName.lossy`), so the user is told which resources do not carry the topic's
own name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .inventory import Inventory, topic_name

K8S_MAX = 253
HASH_LEN = 8
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_TOPIC = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")


def is_k8s_name(name: str) -> bool:
    """A DNS-1123 subdomain (what Kubernetes requires of most resources' metadata.name)."""
    return len(name) <= K8S_MAX and bool(_SUBDOMAIN.fullmatch(name))


def is_topic_name(name: str) -> bool:
    return bool(_TOPIC.fullmatch(name)) and name not in (".", "..")


def _normalise(name: str) -> str:
    text = re.sub(r"[^a-z0-9.-]", "-", name.lower())
    labels = [re.sub(r"-{2,}", "-", label).strip("-") for label in text.split(".")]
    return ".".join(label for label in labels if label)


def _digest(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:HASH_LEN]


@dataclass(frozen=True)
class K8sName:
    topic: str  # the real topic name
    name: str  # the metadata.name
    lossy: bool  # True: name differs from the topic, so spec.topicName carries the topic

    def message(self) -> str:
        return f"topic {self.topic!r} is not a valid Kubernetes name: its KafkaTopic is named {self.name!r} " \
               "and sets spec.topicName"


def k8s_names(topics: Iterable[str]) -> list[K8sName]:
    """A distinct valid metadata.name for each topic name, in order (see the module docstring for the rule)."""
    out: list[K8sName] = []
    used: set[str] = set()
    for topic in topics:
        if is_k8s_name(topic) and topic not in used:
            base, lossy = topic, False
        else:
            suffix = f"-{_digest(topic)}"
            stem = _normalise(topic)[: K8S_MAX - len(suffix) - 4].rstrip(".-") or "topic"
            base, lossy = stem + suffix, True
        name, n = base, 2
        while name in used:
            name, n, lossy = f"{base}-{n}", n + 1, True
        used.add(name)
        out.append(K8sName(topic, name, lossy))
    return out


def topic_clashes(inv: Inventory | None) -> list[str]:
    """Messages for event names that share a topic, and for topics that differ only in '.' versus '_'."""
    if inv is None:
        return []
    by_topic: dict[str, list[str]] = {}
    for event in inv.events():
        by_topic.setdefault(topic_name(event), []).append(event)
    out = [f"events {', '.join(repr(e) for e in events)} all become topic {topic!r}: they would share one topic; "
           "rename one in the inventory if they are different events"
           for topic, events in by_topic.items() if len(events) > 1]
    by_metric: dict[str, list[str]] = {}
    for topic in by_topic:
        by_metric.setdefault(topic.replace(".", "_"), []).append(topic)
    out += [f"topics {', '.join(repr(t) for t in topics)} differ only in '.' and '_': Kafka's metric names for them "
            "collide; rename one" for topics in by_metric.values() if len(topics) > 1]
    return out


def renamed_events(inv: Inventory | None) -> list[tuple[str, str]]:
    """(event, topic) for every event whose topic name is not the event name itself (the conversion was lossy)."""
    if inv is None:
        return []
    return [(e, topic_name(e)) for e in inv.events() if topic_name(e) != e]
