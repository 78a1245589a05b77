"""A tiny, self-contained knowledge base for engine unit tests (independent of the shipped one)."""

from __future__ import annotations

import textwrap
from pathlib import Path

QUESTIONS = """
section: {id: basics, title: Basics, help: Basic facts.}
questions:
  - id: style
    text: Style?
    help: Why it matters.
    type: single
    options:
      - {value: events, label: Events}
      - {value: queries, label: Queries}
  - id: latency_ms
    text: Latency?
    help: Tight budgets hurt.
    type: number
    min: 1
    max: 10000
    show_if: {question: style, equals: queries}
  - id: needs
    text: Needs?
    help: Pick all.
    type: multi
    options:
      - {value: replay, label: Replay}
      - {value: fanout, label: Fan-out}
      - {value: audit, label: Audit}
  - id: durable
    text: Durable?
    help: Loss matters.
    type: bool
  - id: name
    text: Name?
    help: Label.
    type: text
"""

PATTERN = """
id: {pid}
name: {name}
section: "7.1.1"
summary: A summary.
helps_when: [When it helps.]
hurts_when: [When it hurts.]
tradeoffs: {{pros: [a], cons: [b]}}
checklist:
  - {{id: {pid}-high, text: High item, severity: high, refs: ["7.1.1"], config: {{producer: {{acks: all}}}}}}
  - {{id: {pid}-low, text: Low item, severity: low, refs: ["7.1.1"]}}
diagram:
  nodes: [{{id: n_{us}, kind: service, label: "Svc"}}]
refs: ["7.1.1"]
"""

RULES = """
rules:
  - id: events-fit
    title: Events fit
    when: {question: style, equals: events}
    then:
      recommend: [{pattern: alpha, weight: 5}]
    because: Events are what Kafka is for.
    refs: ["7.1.1"]
    examples:
      - {name: fires, answers: {style: events}, expect: {fires: true, recommended: [alpha]}}
      - {name: quiet, answers: {style: queries}, expect: {fires: false}}
  - id: replay-fit
    title: Replay fits
    when: {question: needs, contains_any: [replay, audit]}
    then:
      recommend: [{pattern: alpha, weight: 3}, {pattern: beta, weight: 4}]
      notes: [Keep retention long enough.]
    because: A log can be re-read.
    refs: ["7.1.3"]
    examples:
      - {name: fires, answers: {needs: [replay]}, expect: {fires: true, recommended: [alpha, beta]}}
      - {name: quiet, answers: {needs: [fanout]}, expect: {fires: false}}
  - id: tight-latency
    title: Tight latency
    when:
      all:
        - {question: style, equals: queries}
        - {question: latency_ms, lt: 100}
    then:
      discourage: [{pattern: gamma, severity: high, alternative: Use REST.}]
      fit: {level: poor-fit, alternative: A synchronous API}
    because: Kafka adds latency.
    refs: ["7.1.2"]
    examples:
      - {name: fires, answers: {style: queries, latency_ms: 50}, expect: {fires: true, verdict: poor-fit}}
      - {name: quiet, answers: {style: queries, latency_ms: 500}, expect: {fires: false}}
  - id: durable-baseline
    title: Durability
    when: {question: durable, equals: true}
    then:
      checklist: [gamma-high]
      discourage: [{pattern: beta, severity: medium, alternative: Something else.}]
    because: Loss matters.
    refs: ["7.4.1"]
    examples:
      - {name: fires, answers: {durable: true}, expect: {fires: true, checklist: [gamma-high]}}
      - {name: quiet, answers: {durable: false}, expect: {fires: false}}
"""


def write_minikb(root: Path, *, rules: str = RULES, questions: str = QUESTIONS) -> Path:
    for sub in ("questions", "rules", "patterns"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "questions" / "01-basics.yaml").write_text(textwrap.dedent(questions))
    (root / "rules" / "main.yaml").write_text(textwrap.dedent(rules))
    for pid, name in (("alpha", "Alpha"), ("beta", "Beta"), ("gamma", "Gamma")):
        (root / "patterns" / f"{pid}.yaml").write_text(PATTERN.format(pid=pid, name=name, us=pid))
    return root
