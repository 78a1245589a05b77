"""The shipped knowledge base: every rule example, every config key and default, coverage."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import confluent_kafka
import pytest

from kafka_advisor.chapter import FIXED_PATTERN_IDS, SUBSECTIONS, area_of
from kafka_advisor.docs import README, catalogue_markdown
from kafka_advisor.engine import evaluate
from kafka_advisor.examples import all_examples, check_example
from kafka_advisor.lint import citations, lint
from kafka_advisor.loader import KnowledgeBase, load_kb

REF = Path(__file__).resolve().parent / "reference"
NAMES = json.loads((REF / "config_names.json").read_text())
DEFAULTS = json.loads((REF / "config_defaults_3.9.json").read_text())
SHARED = Path(__file__).resolve().parents[2] / "shared" / "kafka"
KB: KnowledgeBase = load_kb()

APACHE_SCOPES = {
    "producer": set(NAMES["producer"]),
    "consumer": set(NAMES["consumer"]),
    "topic": set(NAMES["topic"]),
    "broker": set(NAMES["_broker_from_generated_docs"]),
    "admin": set(NAMES["_admin_from_generated_docs"]),
    "streams": set(NAMES["streams"]),
    "connect_worker": set(NAMES["connect_worker"]),
    "source_connector": set(NAMES["source_connector"]) | set(NAMES["connector_common"]),
    "sink_connector": set(NAMES["sink_connector"]) | set(NAMES["connector_common"]),
}
# Keys whose names are built from a prefix (Kafka's own dynamic prefixes, see config_names.json
# `_dynamic_prefixes_note`): the part after the prefix is checked where Kafka defines it.
CONNECTOR_PREFIXES = ("transforms.", "predicates.", "topic.creation.", "key.converter.", "value.converter.",
                      "header.converter.")
CLIENT_OVERRIDES = {"producer.override.": "producer", "consumer.override.": "consumer", "admin.override.": "admin"}
WORKER_PREFIXES = {"producer.": "producer", "consumer.": "consumer", "admin.": "admin"}


def all_config(kb: KnowledgeBase, field: str = "config"):
    for item_id, (pattern, item) in kb.items.items():
        for scope, values in getattr(item, field).items():
            for key, value in values.items():
                yield f"{pattern}/{item_id}", scope, key, value


def key_problem(scope: str, key: str) -> str | None:
    if scope not in APACHE_SCOPES:
        return None  # third-party namespaces (debezium, jdbc_*, schema_registry) are checked by review + sources
    names = APACHE_SCOPES[scope]
    if key in names:
        return None
    if scope in ("source_connector", "sink_connector"):
        if key.startswith(CONNECTOR_PREFIXES):
            return None
        for prefix, client in CLIENT_OVERRIDES.items():
            if key.startswith(prefix):
                return None if key[len(prefix):] in APACHE_SCOPES[client] else f"{key}: unknown {client} key after {prefix}"
    if scope == "connect_worker":
        for prefix, client in WORKER_PREFIXES.items():
            if key.startswith(prefix) and key[len(prefix):] in APACHE_SCOPES[client]:
                return None
    return f"{key!r} is not a Kafka 3.9 {scope} config"


# --------------------------------------------------------------------------- rule examples


@pytest.mark.parametrize(("rule", "example"), list(all_examples(KB)),
                         ids=[f"{r.id}::{e.name}" for r, e in all_examples(KB)])
def test_rule_example(rule, example) -> None:
    result = check_example(KB, rule, example)
    assert result.ok, "; ".join(result.failures)


def test_every_rule_has_a_firing_and_a_quiet_example() -> None:
    for rule in KB.rules:
        assert {e.expect.fires for e in rule.examples} == {True, False}, rule.id


# --------------------------------------------------------------------------- catalogue


def test_validate_is_clean() -> None:
    assert [f.one_line() for f in lint(KB)] == []


def test_fixed_pattern_ids_exist() -> None:
    assert set(FIXED_PATTERN_IDS) <= set(KB.patterns)


def test_every_subsection_is_cited_by_a_pattern_and_a_rule_or_item() -> None:
    cited = citations(KB)
    assert len(SUBSECTIONS) == 23
    for sec in SUBSECTIONS:
        who = cited.get(sec, set())
        assert any(w.startswith("pattern:") for w in who), sec
        assert any(w.startswith(("rule:", "item:")) for w in who), sec


@pytest.mark.parametrize("pid", sorted(KB.patterns))
def test_pattern_depth(pid: str) -> None:
    p = KB.patterns[pid]
    assert len(p.tradeoffs.pros) >= 3 and len(p.tradeoffs.cons) >= 3
    minimum = 4 if area_of(p.section) == "7.2" else 5
    assert len(p.checklist) >= minimum, f"{pid} has {len(p.checklist)} checklist items, expected {minimum}"
    assert p.diagram.edges, "a diagram fragment shows how data moves"
    assert all(e.label for e in p.diagram.edges), "every edge is labelled"
    assert 2 <= p.summary.count(".") + p.summary.count("?") <= 6, "two or three sentences"
    for rel in p.related:
        assert rel in KB.patterns and rel != pid


def test_readme_catalogue_is_current() -> None:
    assert catalogue_markdown(KB) in README.read_text(encoding="utf-8"), "run `python -m kafka_advisor.docs`"


# --------------------------------------------------------------------------- config facts


def test_every_config_key_is_a_real_kafka_key() -> None:
    problems = [f"{where}: {p}" for where, scope, key, _ in all_config(KB) if (p := key_problem(scope, key))]
    problems += [f"{where}: {p}" for where, scope, key, _ in all_config(KB, "defaults") if (p := key_problem(scope, key))]
    assert problems == []
    assert sum(1 for _ in all_config(KB)) >= 40  # the checklists really carry config


def _rendered_default(scope: str, key: str) -> str | None:
    table = DEFAULTS.get({"connect_worker": "connect_worker"}.get(scope, scope), {})
    if key not in table:
        return None
    raw = table[key]["default"].split(" (")[0].strip()
    return "" if raw == '""' else raw


def _as_text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


SMT_KEYS = {cls: set(keys) | {"type", "predicate", "negate"} for cls, keys in NAMES["_transforms"].items()}
PREDICATE_KEYS = {cls: set(keys) | {"type"} for cls, keys in NAMES["_predicates"].items()}
TOPIC_CREATION_KEYS = set(NAMES["topic"]) | {"replication.factor", "partitions", "include", "exclude"}


def smt_problems(where: str, values: dict, context: dict) -> list[str]:
    """transforms.<alias>.<key> and predicates.<alias>.<key> must exist for the Apache SMT named by
    .type, which the same pattern's checklist must declare (`context`: all its connector settings)."""
    problems = []
    for prefix, known in (("transforms.", SMT_KEYS), ("predicates.", PREDICATE_KEYS)):
        types = {k[len(prefix):-len(".type")]: str(v).split("$")[0] for k, v in context.items()
                 if k.startswith(prefix) and k.endswith(".type")}
        for key in values:
            if not key.startswith(prefix) or key.count(".") < 2:
                continue
            alias, _, setting = key[len(prefix):].partition(".")
            cls = types.get(alias)
            if cls is None:
                problems.append(f"{where}: {key} has no {prefix}{alias}.type in the pattern's checklist")
            elif cls in known and setting not in known[cls]:
                problems.append(f"{where}: {key}: {cls} has no setting {setting!r}")
            elif cls.startswith("org.apache.kafka.") and cls not in known:
                problems.append(f"{where}: {cls} is not an Apache Kafka 3.9 SMT or predicate")
    for key in values:
        if key.startswith("topic.creation.") and key.count(".") >= 3:
            setting = key.split(".", 3)[3]
            if setting not in TOPIC_CREATION_KEYS:
                problems.append(f"{where}: {key}: {setting!r} is not a topic config")
    return problems


def test_smt_and_topic_creation_keys_exist() -> None:
    problems, checked = [], 0
    for pattern in KB.patterns.values():
        context = {k: v for item in pattern.checklist for values in item.config.values() for k, v in values.items()}
        for item in pattern.checklist:
            for values in item.config.values():
                checked += sum(1 for k in values if k.startswith(("transforms.", "predicates.")))
                problems += smt_problems(f"{pattern.id}/{item.id}", values, context)
    assert problems == []
    assert checked >= 5


def test_stated_defaults_agree_with_kafka_3_9() -> None:
    checked, problems = 0, []
    for where, scope, key, value in all_config(KB, "defaults"):
        if scope not in APACHE_SCOPES:
            continue
        expected = _rendered_default(scope, key)
        if expected is None:
            problems.append(f"{where}: no 3.9 default known for {scope} {key}")
            continue
        checked += 1
        if _as_text(value) != expected:
            problems.append(f"{where}: {scope} {key} default is {expected!r} in 3.9, the item says {value!r}")
    assert problems == []
    assert checked >= 10


def test_checklist_values_are_valid_for_the_real_client() -> None:
    """confluent-kafka (librdkafka) validates names, values and conflicts at construction."""
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # Every client here gets bootstrap.servers, so librdkafka's "no bootstrap.servers" notice is
            # never about a checklist value; it has shown up, rarely and only in full runs, from other
            # clients of the process. Every other CONFWARN fails the test.
            message = record.getMessage()
            if "CONFWARN" in message and "No `bootstrap.servers` configured" not in message:
                warnings.append(message)

    logger = logging.getLogger("kafka-advisor-confcheck")
    logger.addHandler(Collect())
    logger.setLevel(logging.DEBUG)
    built = 0
    for (_, item) in KB.items.values():
        for scope, cls in (("producer", confluent_kafka.Producer), ("consumer", confluent_kafka.Consumer)):
            conf = {k: v for k, v in item.config.get(scope, {}).items() if _librdkafka_knows(scope, k)}
            if not conf:
                continue
            base = {"bootstrap.servers": "127.0.0.1:1", "logger": logger}
            if scope == "consumer":
                base["group.id"] = "confcheck"
            client = cls({**base, **conf})  # raises KafkaException on a bad value or a conflict
            client.close() if scope == "consumer" else client.flush(0)
            built += 1
    assert warnings == []
    assert built >= 3


def _librdkafka_knows(scope: str, key: str) -> bool:
    cls = confluent_kafka.Producer if scope == "producer" else confluent_kafka.Consumer
    # A private, never registered logger and a bootstrap address: the probe must not log a CONFWARN
    # that another client's log capture could pick up.
    quiet = logging.Logger("kafka-advisor-probe")
    quiet.addHandler(logging.NullHandler())
    try:
        conf = {key: "1" if key != "group.id" else "g", "group.id": "g"} if scope == "consumer" else {key: "1"}
        cls({"bootstrap.servers": "127.0.0.1:1", "logger": quiet, **conf})
    except confluent_kafka.KafkaException as exc:
        return "No such configuration property" not in str(exc)
    except Exception:
        return True
    return True


def test_reference_copies_match_shared() -> None:
    """tests/reference is a copy of ../shared/kafka (which CI machines may not have)."""
    assert NAMES["_source"]["tag"] == "3.9.0-rc3"
    if SHARED.is_dir():
        for name in ("config_names.json", "config_defaults_3.9.json"):
            assert (REF / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_every_proposal_gets_a_judgement_from_the_knowledge() -> None:
    """A proposal that names no pattern can only be judged by a rule: every such option has one, and a
    proposal that names a pattern has that pattern's standing (or its `if_proposed` stance) to fall back on."""
    kb = load_kb()
    q = kb.proposals_question()
    assert q is not None and q.type == "multi"
    judged = {j.proposal for r in kb.rules for j in r.then.judge}
    unjudged = [o.value for o in q.options if o.pattern is None and o.value not in judged]
    assert not unjudged, f"proposals no rule judges: {unjudged}"
    for o in q.options:
        if o.pattern is not None:
            assert o.pattern in kb.patterns


def test_every_proposal_alone_gets_exactly_one_judgement() -> None:


    kb = load_kb()
    q = kb.proposals_question()
    assert q is not None
    for o in q.options:
        rep = evaluate(kb, {q.id: [o.value], "team_count": 4, "event_volume": "medium", "goals": ["job-queue"],
                            "job_queue_needs": ["priorities"]})
        assert [j.proposal for j in rep.proposals] == [o.value], o.value
        j = rep.proposals[0]
        assert j.judgement != "warn" or j.alternative, f"{o.value}: a warning names the alternative"
        assert j.judgement != "conditions" or j.conditions, f"{o.value}: conditions are listed"


def test_tiers_and_links_are_declared_in_the_knowledge() -> None:
    kb = load_kb()
    baseline = {pid for pid, p in kb.patterns.items() if p.tier == "baseline"}
    assert {"durability-baseline", "idempotent-producer"} <= baseline
    later = [(r.id, x.pattern) for r in kb.rules for x in r.then.recommend if x.tier == "later"]
    assert later and all(x.trigger for r in kb.rules for x in r.then.recommend if x.tier == "later")
    assert any(link.pattern == "kafka-connect" for link in kb.patterns["transactional-outbox"].requires)


def test_an_on_request_item_needs_a_rule_that_asks_for_it() -> None:
    import copy

    from kafka_advisor.lint import unrequested_items

    kb = load_kb()
    assert unrequested_items(kb) == []
    broken = copy.deepcopy(kb)
    asked = {i for r in broken.rules for i in r.then.checklist}
    item = next(i for p in broken.patterns.values() for i in p.checklist if i.id not in asked)
    object.__setattr__(item, "on_request", True)
    [finding] = unrequested_items(broken)
    assert f"no rule asks for checklist item {item.id!r}" in finding.one_line()


def test_an_on_request_item_appears_only_where_its_rule_fires() -> None:
    kb = load_kb()
    base = {"loss_tolerance": "unacceptable", "kafka_status": "evaluating"}
    plain = {i.id for i in evaluate(kb, base).checklist}
    sarama = {i.id for i in evaluate(kb, {**base, "client_libraries": ["other"]}).checklist}
    assert "dur-other-client-acks" not in plain and "dur-other-client-acks" in sarama
