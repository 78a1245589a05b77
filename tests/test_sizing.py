"""Topic sizing: a hand-worked case first, then monotonicity (hypothesis) on the formulas and end to end."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kafka_advisor.engine import evaluate
from kafka_advisor.inventory import Inventory, topic_name
from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.model import Report
from kafka_advisor.present import build
from kafka_advisor.sizing import (
    DAY_MS,
    FOREVER_DAYS,
    TopicSizing,
    partitions_needed,
    size_topics,
    sized_days,
    storage_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"


def _report(kb: KnowledgeBase, path: Path = TWELVE, inventory: Inventory | None = None, **answers: object) -> Report:
    doc = load_answers_doc(kb, path)
    return evaluate(kb, {**doc.answers, **answers}, inventory=inventory if inventory is not None else doc.inventory)


def _by_name(sizing: list[TopicSizing]) -> dict[str, TopicSizing]:
    return {t.name: t for t in sizing}


# --------------------------------------------------------------------------- the hand-worked case (written first)


def test_hand_worked_formulas() -> None:
    # max(T/P, T/C) with T = 20 MB/s, P = 5, C = 3: max(4, 6.67) -> 7; consumers and the snippets' start count too.
    assert partitions_needed(20, 5, 1.0, 0) == 4
    assert partitions_needed(20, 3, 1.0, 0) == 7
    assert partitions_needed(20, 5, 2.0, 0) == 8
    assert partitions_needed(1, 5, 2.0, 12) == 12
    assert partitions_needed(1, 5, 2.0, 0, starting=6) == 6
    assert partitions_needed(0, 5, 2.0, 0) == 1
    assert storage_bytes(1_000, 7, 3, 1.5) == 31_500
    assert sized_days(-1) == FOREVER_DAYS and sized_days(7 * DAY_MS) == 7


def test_twelve_services_order_placed_by_hand(kb: KnowledgeBase) -> None:
    t = _by_name(size_topics(_report(kb), kb))["order-placed"]
    # medium volume: 10,000 msg/s at peak, split over the 10 business topics, 1 KiB records.
    assert t.peak_msgs_s == 1_000
    assert t.peak_mb_s == pytest.approx(1.024)
    assert t.throughput_partitions == math.ceil(1.024 * 2 / 5) == 1
    # consumers: the warehouse sink (tasks.max 6) and five services (3 instances assumed each).
    assert sorted((c.name, c.parallelism) for c in t.consumers) == sorted(
        [("analytics-warehouse-sink", 6), ("payments", 3), ("billing", 3), ("shipping", 3), ("inventory", 3),
         ("notifications", 3)])
    assert t.consumer_parallelism == 6 and t.starting_partitions == 6 and t.partitions == 6
    assert (t.replication_factor, t.min_insync_replicas) == (3, 2) and "§7.4" in t.durability_source
    # retention "about a year", tiered storage (hot-cold-data is core): one day local, a year remote.
    assert t.tiered and t.retention_ms == 365 * DAY_MS and t.local_retention_ms == DAY_MS
    per_day = 1_000 * 1024 * 86_400
    assert t.broker_bytes == math.ceil(per_day * 1 * 3 * 1.5) == 398_131_200_000
    assert t.remote_bytes == per_day * 365 == 32_292_864_000_000
    assert t.config["cleanup.policy"] == "delete" and t.config["remote.storage.enable"] is True
    assert any("1024 bytes" in a for a in t.assumptions) and any("split evenly" in a for a in t.assumptions)


def test_twelve_services_dlq_and_internal_topics(kb: KnowledgeBase) -> None:
    sizing = _by_name(size_topics(_report(kb), kb))
    dlq = sizing["dlq.analytics-warehouse-sink"]
    assert (dlq.kind, dlq.partitions, dlq.retention_ms, dlq.broker_bytes) == ("dlq", 1, 1_209_600_000, None)
    internal = {n: t.partitions for n, t in sizing.items() if t.kind == "connect-internal"}
    assert internal == {"order-platform-connect-configs": 1, "order-platform-connect-offsets": 25,
                        "order-platform-connect-status": 5}
    assert all(sizing[n].cleanup_policy == "compact" for n in internal)
    events = {topic_name(e) for e in _report(kb).inventory.events()}  # type: ignore[union-attr]
    assert {n for n, t in sizing.items() if t.kind == "event"} == events


def test_unknown_inputs_are_stated(kb: KnowledgeBase) -> None:
    report = _report(kb, event_volume="unsure")
    t = _by_name(size_topics(report, kb))["order-placed"]
    assert any("event volume not sure: assumed" in a for a in t.assumptions)


def test_no_inventory_gives_a_marked_example_topic(kb: KnowledgeBase) -> None:
    report = _report(kb, ROOT / "examples" / "small-team-no-mesh-good-fit.yaml")
    events = [t for t in size_topics(report, kb) if t.kind == "event"]
    assert events and all(t.example for t in events)


def test_poor_fit_sizes_nothing(kb: KnowledgeBase) -> None:
    assert size_topics(_report(kb, ROOT / "examples" / "crud-app-poor-fit.yaml"), kb) == []


def test_view_model_carries_the_sizing(kb: KnowledgeBase) -> None:
    report = _report(kb)
    assert [t.name for t in build(report, kb).sizing] == [t.name for t in size_topics(report, kb)]


# --------------------------------------------------------------------------- monotonicity


rates = st.floats(min_value=0, max_value=10_000, allow_nan=False)


@given(a=rates, b=rates, per=st.floats(min_value=0.1, max_value=100), head=st.floats(min_value=1, max_value=4),
       consumers=st.integers(0, 500), start=st.none() | st.integers(1, 100))
def test_more_throughput_never_fewer_partitions(a: float, b: float, per: float, head: float, consumers: int,
                                                start: int | None) -> None:
    lo, hi = sorted((a, b))
    assert partitions_needed(lo, per, head, consumers, start) <= partitions_needed(hi, per, head, consumers, start)


@given(a=st.integers(0, 10_000), b=st.integers(0, 10_000), rate=rates)
def test_more_consumers_never_fewer_partitions(a: int, b: int, rate: float) -> None:
    lo, hi = sorted((a, b))
    assert partitions_needed(rate, 5, 2, lo) <= partitions_needed(rate, 5, 2, hi)


@given(a=st.integers(1, FOREVER_DAYS * DAY_MS), b=st.integers(1, FOREVER_DAYS * DAY_MS),
       per_day=st.floats(min_value=0, max_value=1e12), copies=st.integers(1, 5))
def test_longer_retention_never_less_storage(a: int, b: int, per_day: float, copies: int) -> None:
    lo, hi = sorted((a, b))
    small = storage_bytes(per_day, sized_days(lo), copies, 1.5)
    assert small <= storage_bytes(per_day, sized_days(hi), copies, 1.5)
    assert small <= storage_bytes(per_day, sized_days(-1), copies, 1.5)  # forever is at least five years


def _total(t: TopicSizing) -> int:
    return (t.broker_bytes or 0) + (t.remote_bytes or 0)


def test_end_to_end_volume_and_retention_are_monotone(kb: KnowledgeBase) -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        by_volume = [_by_name(size_topics(_report(kb, path, event_volume=v), kb)) for v in ("low", "medium", "high")]
        for before, after in itertools.pairwise(by_volume):
            for name in before.keys() & after.keys():
                assert before[name].partitions <= after[name].partitions, (path.name, name)
        horizons = ("days", "months", "year", "years")
        by_retention = [_by_name(size_topics(_report(kb, path, retention_horizon=h), kb)) for h in horizons]
        for before, after in itertools.pairwise(by_retention):
            for name in before.keys() & after.keys():
                # Same rate, same layout: moving to tiered storage (one remote copy instead of
                # replicas on brokers) may rightly need less in total, so it is compared only within one.
                same_layout = before[name].tiered == after[name].tiered
                if before[name].peak_msgs_s == after[name].peak_msgs_s and before[name].kind == "event" and same_layout:
                    assert _total(before[name]) <= _total(after[name]), (path.name, name)


@settings(max_examples=15, deadline=None)
@given(extra=st.integers(0, 6))
def test_end_to_end_more_consumers_never_fewer_partitions(kb: KnowledgeBase, extra: int) -> None:
    base = load_answers_doc(kb, TWELVE).inventory
    assert base is not None

    def with_readers(n: int) -> Inventory:
        data = base.model_dump(mode="json")
        data["services"] += [{"name": f"reader {i}", "consumes": ["stock-changed"]} for i in range(n)]
        return Inventory.model_validate(data)

    def parts(n: int) -> int:
        return _by_name(size_topics(_report(kb, inventory=with_readers(n)), kb))["stock-changed"].partitions

    assert parts(0) <= parts(extra) <= parts(extra + 1)


def test_one_total_order_means_one_partition_and_says_what_it_costs(kb: KnowledgeBase) -> None:
    # Expected first: with ordering "one total order", every business topic has one partition, the formula says
    # why, and the topics that would otherwise need 6 say so; per-entity order keeps the sized count.
    per_entity = {t.name: t for t in size_topics(_report(kb), kb)}
    total = {t.name: t for t in size_topics(_report(kb, ordering="global"), kb)}
    events = [n for n, t in total.items() if t.kind == "event"]
    assert events and all(total[n].partitions == 1 for n in events)
    assert all(total[n].formula.startswith("1: one total order across everything (§7.1.3)") for n in events)
    assert per_entity["order-placed"].partitions == 6
    assert any("would need 6" in a for a in total["order-placed"].assumptions)
    assert all(total[n].partitions == per_entity[n].partitions for n in total if total[n].kind != "event")
