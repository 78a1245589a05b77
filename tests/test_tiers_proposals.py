"""Tiers, `requires`, proposals and the verdict's risks, on a tiny knowledge base of their own."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from minikb import QUESTIONS, RULES, write_minikb

from kafka_advisor import present
from kafka_advisor.configs import snippets_for
from kafka_advisor.engine import evaluate
from kafka_advisor.exports.markdown import render_markdown
from kafka_advisor.loader import KnowledgeBase, KnowledgeBaseError, load_kb
from kafka_advisor.sizing import size_topics
from kafka_advisor.system_diagram import architecture_dot

PROPOSALS = """
  - id: proposals
    role: proposals
    text: Proposed?
    help: What someone proposed.
    type: multi
    options:
      - {value: use-alpha, label: Use alpha, pattern: alpha}
      - {value: use-beta, label: Use beta, pattern: beta}
      - {value: use-gamma, label: Use gamma, pattern: gamma}
      - {value: use-delta, label: Use delta, pattern: delta}
      - {value: hack, label: A hack}
"""

MORE_RULES = """
  - id: hack-is-bad
    title: The hack loses data
    when: {question: proposals, contains: hack}
    then:
      judge: [{proposal: hack, judgement: warn, alternative: Do it properly.}]
      risks: [{kind: operations, text: Someone must run it.}]
    because: Hacks lose data.
    refs: ["7.4.3"]
    examples:
      - {name: fires, answers: {proposals: [hack]}, expect: {fires: true, judged: {hack: warn}}}
      - {name: quiet, answers: {proposals: [use-alpha]}, expect: {fires: false}}
  - id: fanout-later
    title: Fan-out can wait
    when: {question: needs, contains: fanout}
    then:
      recommend: [{pattern: beta, weight: 2, tier: later, trigger: When a third consumer appears.}]
    because: Two consumers do not need it yet.
    refs: ["7.1.1"]
    examples:
      - {name: fires, answers: {needs: [fanout]}, expect: {fires: true, tiers: {beta: later}}}
      - {name: quiet, answers: {needs: [replay]}, expect: {fires: false}}
"""


def _kb(root: Path, *, alpha_extra: str = "", delta_extra: str = "tier: baseline\\nif_proposed: endorse\\n",
        extra_rules: str = "") -> KnowledgeBase:
    write_minikb(root, questions=QUESTIONS + PROPOSALS, rules=RULES + MORE_RULES + extra_rules)
    alpha = root / "patterns" / "alpha.yaml"
    alpha.write_text(alpha.read_text() + textwrap.dedent(alpha_extra))
    delta = (root / "patterns" / "gamma.yaml").read_text().replace("gamma", "delta").replace("Gamma", "Delta")
    (root / "patterns" / "delta.yaml").write_text(delta + delta_extra.replace("\\n", "\n"))
    return load_kb(root)


REQUIRES = """
requires:
  - {pattern: delta, because: Alpha cannot run without delta.}
pairs_with:
  - {pattern: gamma, because: Gamma watches alpha.}
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return _kb(tmp_path_factory.mktemp("tiers"), alpha_extra=REQUIRES)


def test_required_part_comes_with_its_reason(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"style": "events"})
    by = {r.pattern: r for r in rep.recommended}
    assert set(by) == {"alpha", "delta"}
    # A part sits no higher than its own tier: delta is baseline even under a core pattern.
    assert by["delta"].required_by == ["alpha"] and by["delta"].tier == "baseline"
    assert by["delta"].reasons[0].because == "Alpha cannot run without delta."
    assert by["alpha"].pairs_with == ["gamma"] and "gamma" not in by  # shown beside, not recommended
    assert rep.verdict.core == ["alpha"]


def test_later_tier_carries_its_trigger_and_its_items_wait(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"style": "events", "needs": ["fanout"]})
    beta = next(r for r in rep.recommended if r.pattern == "beta")
    assert beta.tier == "later" and beta.trigger == "When a third consumer appears."
    assert [r.pattern for r in rep.recommended][-1] == "beta", "core first, later last"
    assert {i.phase for i in rep.checklist if i.pattern == "beta"} == {"later"}
    assert next(i for i in rep.checklist if i.id == "alpha-high").phase == "first"
    assert next(i for i in rep.checklist if i.id == "alpha-low").phase == "later"


def test_one_core_vote_outweighs_a_later_vote(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"needs": ["fanout", "replay"]})  # replay-fit recommends beta with its default tier
    assert next(r for r in rep.recommended if r.pattern == "beta").tier == "core"


def test_proposals_are_judged(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"style": "events", "proposals": ["use-alpha", "use-gamma", "use-delta", "hack"]})
    judged = {j.proposal: j for j in rep.proposals}
    assert judged["use-alpha"].judgement == "endorse" and judged["use-alpha"].reasons[0].rule == "events-fit"
    assert judged["hack"].judgement == "warn" and judged["hack"].alternative == "Do it properly."
    assert judged["hack"].reasons[0].rule == "hack-is-bad"
    # Gamma: proposed, needed by nothing, and its stance is the default "warn": discouraged (low).
    assert judged["use-gamma"].judgement == "warn"
    assert ("gamma", "low") in [(d.pattern, d.severity) for d in rep.discouraged]
    # Delta declares if_proposed: endorse, and alpha requires it anyway.
    assert judged["use-delta"].judgement == "endorse"
    assert [r.kind for r in rep.verdict.risks] == ["operations"]


def test_recommended_and_discouraged_proposal_is_endorsed_with_conditions(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"needs": ["audit"], "durable": True, "proposals": ["use-beta"]})
    j = rep.proposals[0]
    assert (j.judgement, j.conditions) == ("conditions", ["Something else."])
    assert rep.verdict.level == "good-fit"  # a medium caveat on a proposal stays with the proposal


def test_discouraging_an_unraised_pattern_leaves_the_verdict_alone(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"style": "events", "durable": True})  # beta discouraged (medium), never raised
    assert rep.verdict.level == "good-fit"
    assert "beta" in {d.pattern for d in rep.discouraged}
    assert "beta" not in {r.pattern for r in rep.recommended}


def test_a_warning_on_a_recommended_pattern_is_its_caution_not_a_contradiction(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"needs": ["audit"], "durable": True})  # beta recommended, and warned (medium)
    beta = next(r for r in rep.recommended if r.pattern == "beta")
    assert (beta.caution, beta.caution_severity) == ("Something else.", "medium")
    assert "beta" not in {d.pattern for d in rep.discouraged}


def test_poor_fit_recommends_nothing_and_warns_every_proposed_pattern(kb: KnowledgeBase) -> None:
    rep = evaluate(kb, {"style": "queries", "latency_ms": 20, "proposals": ["use-alpha", "use-delta"]})
    assert rep.verdict.level == "poor-fit" and rep.verdict.decision == "do-not-adopt"
    assert rep.recommended == [] and rep.checklist == []
    assert {(j.proposal, j.judgement, j.alternative) for j in rep.proposals} == {
        ("use-alpha", "warn", "A synchronous API"), ("use-delta", "warn", "A synchronous API")}
    assert {"alpha", "delta"} <= {d.pattern for d in rep.discouraged}


def test_loader_checks_links_proposals_and_triggers(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        _kb(tmp_path / "a", alpha_extra="requires:\n  - {pattern: nosuch, because: x}\n")
    assert "patterns/alpha.yaml" in str(info.value) and "unknown pattern id 'nosuch'" in str(info.value)
    bad_rule = MORE_RULES.replace("proposal: hack,", "proposal: hacks,")
    root = tmp_path / "b"
    write_minikb(root, questions=QUESTIONS + PROPOSALS, rules=RULES + bad_rule)
    (root / "patterns" / "delta.yaml").write_text((root / "patterns" / "gamma.yaml").read_text()
                                                  .replace("gamma", "delta").replace("Gamma", "Delta"))
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(root)
    assert "unknown proposal 'hacks'" in str(info.value)
    no_trigger = MORE_RULES.replace(", trigger: When a third consumer appears.", "")
    write_minikb(root, questions=QUESTIONS + PROPOSALS, rules=RULES + no_trigger)
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(root)
    assert "tier: later needs a trigger" in str(info.value)


def test_roles_are_unique_and_the_proposals_question_is_multi(tmp_path: Path) -> None:
    twice = PROPOSALS + PROPOSALS.replace("id: proposals", "id: proposals_again")
    write_minikb(tmp_path / "a", questions=QUESTIONS + twice, rules=RULES + MORE_RULES)
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(tmp_path / "a")
    assert "role 'proposals' is also on 'proposals'" in str(info.value)
    single = PROPOSALS.replace("type: multi", "type: single")
    write_minikb(tmp_path / "b", questions=QUESTIONS + single, rules=RULES)
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(tmp_path / "b")
    assert "the proposals question must be type: multi" in str(info.value)


def test_system_name_is_found_by_its_role(kb: KnowledgeBase) -> None:
    shipped = load_kb()
    assert shipped.system_name({"system_name": "Orders"}) == "Orders"
    assert shipped.system_name({"system_name": "  "}) is None
    assert kb.system_name({"name": "x"}) is None  # the mini questionnaire has no system-name role


def test_a_proposed_part_that_another_pattern_needs_is_endorsed(tmp_path: Path) -> None:
    # Nothing recommends delta on its own and its stance is "warn", but alpha requires it: proposing
    # delta is then endorsed, never "warned as not needed" while also being recommended.
    kb = _kb(tmp_path, alpha_extra=REQUIRES, delta_extra="tier: baseline\\n")
    assert kb.patterns["delta"].if_proposed == "warn"
    rep = evaluate(kb, {"style": "events", "proposals": ["use-delta"]})
    assert "delta" in {r.pattern for r in rep.recommended}
    assert "delta" not in {d.pattern for d in rep.discouraged}
    assert rep.proposals[0].judgement == "endorse"


def test_loader_checks_includes(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        _kb(tmp_path / "a", alpha_extra="includes:\n  - {pattern: nosuch, because: x}\n")
    assert "patterns/alpha.yaml" in str(info.value) and "unknown pattern id 'nosuch'" in str(info.value)


def test_a_contained_pattern_is_named_inside_its_container() -> None:
    shipped = load_kb()
    answers = {"duplicate_tolerance": "harmful", "processing_shape": "kafka-to-kafka"}
    report = evaluate(shipped, answers)
    listed = {r.pattern: r for r in report.recommended}
    assert "idempotent-producer" not in listed
    assert listed["transactions-exactly-once"].includes == ["idempotent-producer"]
    note = next(n for n in report.notes if n.rule == "includes:idempotent-producer")
    assert note.pattern == "transactions-exactly-once" and note.refs == ["7.4.2"] and "idempotent" in note.text
    # Proposed by the user, it stays on the list, so that its judgement points at a recommendation.
    proposed = evaluate(shipped, {**answers, "proposals": ["idempotent-producer"]})
    assert "idempotent-producer" in {r.pattern for r in proposed.recommended}
    assert {j.proposal: j.judgement for j in proposed.proposals}["idempotent-producer"] == "endorse"
    # Without transactions it is the baseline pattern it always was.
    alone = evaluate(shipped, {"duplicate_tolerance": "harmful", "processing_shape": "kafka-to-external"})
    assert {r.pattern: r.tier for r in alone.recommended}.get("idempotent-producer") == "baseline"


def test_a_poor_fit_lists_only_what_to_use_instead() -> None:
    """Nobody to run Kafka adds the caveat 'a managed Kafka service'; under a poor fit that would read
    as 'instead of Kafka: Kafka', and the parts' alternatives (which assume Kafka stays) are dropped."""
    answers = {"system_kind": "single-app", "service_count": 1, "team_count": 1, "kafka_status": "evaluating",
               "ops_capacity": "nobody", "read_write_shape": "different", "read_your_writes": True,
               "proposals": ["cqrs"]}
    kb = load_kb()  # the shipped knowledge: its operations and one-application rules
    caveat = evaluate(kb, {**answers, "system_kind": "business-services", "service_count": 6, "team_count": 4})
    managed = next(a for a in caveat.verdict.system_alternatives if a.startswith("A managed Kafka service"))
    poor = evaluate(kb, answers)
    assert poor.verdict.level == "poor-fit"
    assert "nobody-to-operate-kafka" in poor.fired
    assert poor.verdict.system_alternatives and managed not in poor.verdict.system_alternatives
    assert managed not in poor.verdict.alternatives
    assert poor.verdict.part_alternatives == []
    assert [h for h, _ in poor.verdict.alternative_groups()] == ["Instead of Kafka"]
    # Its risks state the risk; a Kafka service as the way out belongs to a caveat's alternative,
    # which the poor fit drops, not to risk text it keeps.
    assert all("managed" not in r.text.lower() for r in poor.verdict.risks)


# A poor fit (data only copied between stores) with good-fit reasons it outweighs (teams, fan-out).
COPY_BETWEEN_STORES = {"goals": ["data-integration"], "replay_needed": False, "consumers_may_be_down": False,
                       "kafka_status": "evaluating", "team_count": 3, "interaction_styles": ["fan-out"]}


def test_a_verdicts_reasons_lead_with_its_own_level() -> None:
    """'Why: do not adopt' lists the poor-fit reasons, never one for Kafka: those are kept apart as
    outweighed; a caveat's reasons come before the good-fit ones it qualifies."""
    kb = load_kb()
    level = {r.id: r.then.fit.level for r in kb.rules if r.then.fit is not None}
    answers = COPY_BETWEEN_STORES
    poor = evaluate(kb, answers)
    assert poor.verdict.level == "poor-fit"
    assert poor.verdict.reasons and all(level[r.rule] != "good-fit" for r in poor.verdict.reasons)
    assert {r.rule for r in poor.verdict.outweighed} >= {"several-teams-exchange-events", "fan-out-to-many-consumers"}
    assert all(level[r.rule] == "good-fit" for r in poor.verdict.outweighed)
    caveat = evaluate(kb, {**answers, "replay_needed": True, "proposals": ["request-reply"], "reply_needed": "always",
                           "interaction_styles": ["events", "queries", "fan-out"]})
    assert caveat.verdict.level == "fit-with-caveats" and caveat.verdict.outweighed == []
    ranks = [{"poor-fit": 2, "fit-with-caveats": 1, "good-fit": 0}[level[r.rule]] for r in caveat.verdict.reasons]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 1 and 0 in ranks
    # Its notes are the verdict's own: none from a rule that only advises on a Kafka design.
    fit_rules = {r.id for r in kb.rules if r.then.fit is not None}
    poor_notes = evaluate(kb, {**answers, "integrations": ["db-in", "saas"], "db_log_access": "no-log",
                               "capture_deletes": True, "cdc_consumers": "other-teams"}).notes
    assert poor_notes and all(n.rule in fit_rules or n.pattern is not None for n in poor_notes)


def test_a_poor_fits_outweighed_reasons_are_shown_apart_in_every_report() -> None:
    """The Markdown and HTML reports put the reasons for Kafka under their own heading, after the
    reasons of the poor fit, so neither reads them as reasons not to adopt."""
    from kafka_advisor.exports import ExportContext, export
    from kafka_advisor.present import OUTWEIGHED_HEADING

    kb = load_kb()
    report = evaluate(kb, COPY_BETWEEN_STORES)
    assert report.verdict.outweighed
    outweighed = report.verdict.outweighed[0].title
    for fmt in ("md", "html"):
        text = export(fmt, ExportContext(report=report, kb=kb)).decode()
        assert text.count(OUTWEIGHED_HEADING) == 1, fmt
        assert text.index(OUTWEIGHED_HEADING) < text.index(outweighed), fmt
        assert text.index(report.verdict.reasons[0].title) < text.index(OUTWEIGHED_HEADING), fmt


BETA_WITH_CARE = """
  - id: beta-with-care
    title: Beta, with care
    when: {question: proposals, contains: use-beta}
    then:
      judge: [{proposal: use-beta, judgement: conditions, conditions: [Only with care.]}]
    because: Beta needs care.
    refs: ["7.1.1"]
    examples:
      - {name: fires, answers: {proposals: [use-beta]}, expect: {fires: true, judged: {use-beta: conditions}}}
      - {name: quiet, answers: {proposals: [use-alpha]}, expect: {fires: false}}
"""


def test_a_rules_conditions_do_not_soften_a_discouragement_that_keeps_the_pattern_off(tmp_path: Path) -> None:
    """A rule endorses a proposal on conditions; where another rule discourages its pattern so that it is
    not recommended at all, the proposal is warned; where the pattern stays recommended, the conditions hold."""
    kb = _kb(tmp_path, extra_rules=BETA_WITH_CARE)
    off = evaluate(kb, {"durable": True, "proposals": ["use-beta"]})
    assert "beta" not in {r.pattern for r in off.recommended} and "beta-with-care" in off.fired
    assert {j.proposal: j.judgement for j in off.proposals}["use-beta"] == "warn"
    kept = evaluate(kb, {"needs": ["audit"], "durable": True, "proposals": ["use-beta"]})
    assert "beta" in {r.pattern for r in kept.recommended}
    assert {j.proposal: j.judgement for j in kept.proposals}["use-beta"] == "conditions"


def test_a_poor_fit_discourages_the_kafka_design_its_answers_point_to() -> None:
    """Issue 9, class 5: under a poor fit the core patterns the answers would have brought (a sink
    connector for the flows out) are discouraged with the answers behind them, not dropped silently;
    an idea that holds with any transport (`any_transport`, such as smart endpoints) is left alone."""
    kb = load_kb()
    answers = {**COPY_BETWEEN_STORES, "integrations": ["db-out", "lake-out"], "logic_in_pipe": "yes-rules"}
    fit = evaluate(kb, {**answers, "replay_needed": True, "consumers_may_be_down": True})
    assert fit.verdict.level != "poor-fit"
    assert {"sink-connector", "smart-endpoints-dumb-pipes"} <= {r.pattern for r in fit.recommended if r.tier == "core"}
    poor = evaluate(kb, answers)
    assert poor.verdict.level == "poor-fit" and poor.recommended == []
    found = {d.pattern: d for d in poor.discouraged}
    sink = found["sink-connector"]
    assert sink.severity == "medium" and sink.alternative in poor.verdict.system_alternatives
    [reason] = sink.reasons
    assert reason.rule == "poor-fit:sink-connector" and "integrations" in reason.answers and "Sink connector" in reason.title
    neutral = {pid for pid, p in kb.patterns.items() if p.any_transport}
    assert "smart-endpoints-dumb-pipes" in neutral and not neutral & set(found)
    assert "smart-endpoints-dumb-pipes" not in {r.pattern for r in poor.recommended}


def test_a_judgements_reasons_are_the_rules_that_gave_it() -> None:
    """Two rules judge one proposal, one with conditions and one warning: the warning stands, and its
    'why' lists the rule that warned, not the milder one it overrode."""
    kb = load_kb()
    answers = {"proposals": ["exactly-once"], "app_resends": True, "duplicate_tolerance": "harmful",
               "db_and_events": "yes-db", "processing_shape": "both"}
    report = evaluate(kb, answers)
    assert {"app-resends-exactly-once-after-dedup", "exactly-once-for-database-writes"} <= set(report.fired)
    [judged] = [j for j in report.proposals if j.proposal == "exactly-once"]
    assert judged.judgement == "warn"
    assert [r.rule for r in judged.reasons] == ["exactly-once-for-database-writes"]


KEPT_WITHOUT_KAFKA = """
  - id: owned-tables-anyway
    title: Owned tables help with or without Kafka
    when: {question: needs, contains: audit}
    then:
      recommend: [{pattern: alpha, weight: 1, without_kafka: true}, {pattern: beta, weight: 1}]
    because: An owner and a contract help whatever carries the data.
    refs: ["7.2.3"]
    examples:
      - {name: fires, answers: {needs: [audit]}, expect: {fires: true, recommended: [alpha]}}
      - {name: quiet, answers: {needs: [replay]}, expect: {fires: false}}
"""


def test_a_poor_fit_keeps_only_what_a_rule_says_holds_without_kafka(tmp_path: Path) -> None:
    """A poor fit recommends nothing, except a recommendation marked `without_kafka` on an idea that
    holds with any transport (product thinking on warehouse tables), and its summary says to keep it."""
    kb = _kb(tmp_path, alpha_extra="any_transport: true\n", extra_rules=KEPT_WITHOUT_KAFKA)
    poor = evaluate(kb, {"style": "queries", "latency_ms": 50, "needs": ["audit"]})
    assert poor.verdict.level == "poor-fit"
    assert [r.pattern for r in poor.recommended] == ["alpha"]  # beta, recommended by the same rule, is dropped
    assert "Without Kafka, keep: Alpha" in poor.verdict.summary
    vm = present.build(poor, kb)
    assert vm.core_title == "Keep, without Kafka" and vm.tier_headings["core"].startswith("Without Kafka")
    assert f"### {vm.tier_headings['core']}" in render_markdown(vm) and "Core: the patterns" not in render_markdown(vm)
    fit = evaluate(kb, {"style": "events", "needs": ["audit"]})
    assert {"alpha", "beta"} <= {r.pattern for r in fit.recommended}
    # Proposed under the poor fit: alpha's idea is kept (on the condition of doing without Kafka),
    # beta is pointless.
    both = evaluate(kb, {"style": "queries", "latency_ms": 50, "needs": ["audit"], "proposals": ["use-alpha", "use-beta"]})
    judged = {j.proposal: j for j in both.proposals}
    assert judged["use-alpha"].judgement == "conditions" and "without Kafka" in judged["use-alpha"].conditions[0]
    assert judged["use-beta"].judgement == "warn"
    assert "alpha" not in {d.pattern for d in both.discouraged} and "beta" in {d.pattern for d in both.discouraged}


def test_without_kafka_on_a_pattern_that_needs_kafka_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        _kb(tmp_path, extra_rules=KEPT_WITHOUT_KAFKA)  # alpha is not any_transport here
    assert str(info.value).startswith("rules/main.yaml:") and "recommend[0].without_kafka" in str(info.value)
    assert "expected a pattern with any_transport: true" in str(info.value)


def test_what_a_poor_fit_keeps_is_not_built_on_kafka() -> None:
    """The outbox kept under a poor fit (a dual write where loss is unacceptable) is listed, but the
    diagram, the config snippets and the topic sizing draw and configure nothing on Kafka."""
    kb = load_kb()
    rep = evaluate(kb, {"proposals": ["dual-write"], "loss_tolerance": "unacceptable", "event_volume": "low",
                        "ops_capacity": "nobody", "kafka_status": "evaluating", "db_and_events": "yes-db"})
    assert rep.verdict.level == "poor-fit" and [r.pattern for r in rep.recommended] == ["transactional-outbox"]
    assert rep.kafka_recommended == [] and rep.kafka_chosen() == []
    dot = architecture_dot(rep, kb)
    assert "Debezium" not in dot and "Kafka Connect" not in dot
    assert snippets_for(rep, kb) == [] and size_topics(rep, kb) == []
