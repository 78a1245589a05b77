"""The loader: every mistake in the knowledge base is one line with file, line, column and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from minikb import QUESTIONS, RULES, write_minikb

from kafka_advisor.loader import KnowledgeBaseError, answers_yaml, load_kb, parse_answers, validate_answers
from kafka_advisor.yamlsource import AdvisorError, parse_text

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<field>[^:]+): (?P<msg>.+)$")


def load_errors(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(root)
    return [e.one_line() for e in info.value.errors]


def test_minikb_loads(tmp_path: Path) -> None:
    kb = load_kb(write_minikb(tmp_path))
    assert list(kb.questions) == ["style", "latency_ms", "needs", "durable", "name"]
    assert sorted(kb.patterns) == ["alpha", "beta", "gamma"]
    assert kb.section_of["needs"] == "basics"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        # a misspelled key
        ("    because: Kafka adds latency.", "    becuase: Kafka adds latency.", 33, "rules[2].becuase",
         "unknown field 'becuase', expected one of: id, title, when, then, because"),
        # an unknown operator inside a nested condition
        ("        - {question: latency_ms, lt: 100}", "        - {question: latency_ms, below: 100}", 29,
         "rules[2].when.all[1].below", "unknown field 'below'"),
        # an unknown question id
        ("    when: {question: durable, equals: true}", "    when: {question: durible, equals: true}", 40,
         "rules[3].when.question", "unknown question id 'durible'"),
        # an option value that does not exist
        ("    when: {question: style, equals: events}", "    when: {question: style, equals: event}", 5,
         "rules[0].when.equals", "'event' is not an option of 'style', expected one of: events, queries"),
        # an operator that does not fit the question type
        ("    when: {question: needs, contains_any: [replay, audit]}", "    when: {question: needs, equals: replay}", 15,
         "rules[1].when.equals", "'equals' does not apply to multi question 'needs'"),
        # an unknown pattern id
        ("      recommend: [{pattern: alpha, weight: 5}]", "      recommend: [{pattern: alpah, weight: 5}]", 7,
         "rules[0].then.recommend[0].pattern", "unknown pattern id 'alpah'"),
        # a value out of range
        ("      recommend: [{pattern: alpha, weight: 5}]", "      recommend: [{pattern: alpha, weight: 500}]", 7,
         "rules[0].then.recommend[0].weight", "less than or equal to 100"),
        # a bad severity
        ("severity: high, alternative: Use REST.", "severity: huge, alternative: Use REST.", 31,
         "rules[2].then.discourage[0].severity", "'low', 'medium' or 'high'"),
        # a chapter section that does not exist
        ('    refs: ["7.1.3"]', '    refs: ["7.9.9"]', 20, "rules[1].refs[0]", "unknown chapter section '7.9.9'"),
        # an example answer that is not an option
        ("{name: quiet, answers: {style: queries}, expect: {fires: false}}",
         "{name: quiet, answers: {style: querys}, expect: {fires: false}}", 12,
         "rules[0].examples[1].answers.style", "'querys' is not an option"),
        # a duplicate rule id
        ("  - id: durable-baseline", "  - id: events-fit", 38, "rules[3].id", "duplicate rule id 'events-fit'"),
        # a list where a mapping belongs
        ("    then:\n      recommend: [{pattern: alpha, weight: 5}]\n", "    then: [recommend]\n", 6,
         "rules[0].then", "expected"),
    ],
)
def test_rule_errors_point_at_the_line(tmp_path: Path, old: str, new: str, line: int, field: str, message: str) -> None:
    assert old in RULES
    errors = load_errors(write_minikb(tmp_path, rules=RULES.replace(old, new, 1)))
    assert all("\n" not in e for e in errors)
    # The loader reports every problem; the one this case introduced must be among them, exactly placed.
    found = [m for m in map(LINE.match, errors) if m and m["field"] == field]
    assert found, errors
    m = found[0]
    assert m["path"] == "rules/main.yaml"
    assert int(m["line"]) == line, errors
    assert message in m["msg"], errors


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    show_if: {question: style, equals: queries}", "    show_if: {question: needs, contains: replay}",
         "questions[1].show_if.question", "comes later in the questionnaire"),
        ("      - {value: queries, label: Queries}", "      - {value: events, label: Queries}", "questions[0]",
         "duplicate option values"),
        ("    type: bool", "    type: boolean", "questions[3].type", "'single', 'multi', 'bool', 'number' or 'text'"),
        ("      - {value: queries, label: Queries}", "      - {value: 'yes', label: Queries}", "questions[0].options[1].value",
         "reads as a YAML boolean"),
    ],
)
def test_question_errors(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    assert old in QUESTIONS
    errors = load_errors(write_minikb(tmp_path, questions=QUESTIONS.replace(old, new, 1)))
    m = LINE.match(errors[0])
    assert m, errors[0]
    assert m["path"] == "questions/01-basics.yaml"
    assert m["field"] == field, errors[0]
    assert message in m["msg"], errors[0]


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    errors = load_errors(write_minikb(tmp_path, rules=RULES.replace("    title: Events fit", "    title: [Events fit", 1)))
    assert re.match(r"^rules/main\.yaml:\d+:\d+: YAML syntax error: .*expected valid YAML$", errors[0]), errors[0]


def test_duplicate_yaml_keys_are_rejected(tmp_path: Path) -> None:
    rules = RULES.replace("    title: Events fit", "    title: Events fit\n    title: Again", 1)
    errors = load_errors(write_minikb(tmp_path, rules=rules))
    assert errors[0].startswith("rules/main.yaml:5:5: rules[0].title: duplicate key"), errors[0]


def test_pattern_file_name_must_match_id(tmp_path: Path) -> None:
    root = write_minikb(tmp_path)
    (root / "patterns" / "alpha.yaml").rename(root / "patterns" / "alpha2.yaml")
    errors = load_errors(root)
    assert any("patterns/alpha2.yaml:2:1: id: id 'alpha' differs from the file name" in e for e in errors), errors


def test_every_error_is_reported_not_just_the_first(tmp_path: Path) -> None:
    broken = RULES.replace("{pattern: alpha, weight: 5}", "{pattern: nope, weight: 5}").replace(
        "{question: durable, equals: true}", "{question: durible, equals: true}")
    errors = load_errors(write_minikb(tmp_path, rules=broken))
    assert len(errors) == 2


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    root = write_minikb(tmp_path)
    (root / "rules" / "empty.yaml").write_text("")
    (root / "rules" / "list.yaml").write_text("- a\n- b\n")
    errors = load_errors(root)
    assert "rules/empty.yaml: file is empty, expected a YAML mapping" in errors
    assert "rules/list.yaml:1:1: top level is a list, expected a mapping" in errors


# --------------------------------------------------------------------------- answers


@pytest.fixture()
def mini(tmp_path: Path):
    return load_kb(write_minikb(tmp_path))


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"nope": 1}, "answers.nope", "unknown question id 'nope'"),
        ({"style": "evnts"}, "answers.style", "'evnts' is not an option, expected one of: events, queries"),
        ({"latency_ms": 0}, "answers.latency_ms", "below the minimum, expected a number from 1 to 10000"),
        ({"latency_ms": 10001}, "answers.latency_ms", "above the maximum"),
        ({"latency_ms": "fast"}, "answers.latency_ms", "expected a number"),
        ({"latency_ms": True}, "answers.latency_ms", "expected a number"),
        ({"needs": ["replay", "x"]}, "answers.needs", "'x' is not an option"),
        ({"needs": {"a": 1}}, "answers.needs", "expected a list"),
        ({"durable": "yes please"}, "answers.durable", "expected true or false"),
        ({"name": "x" * 201}, "answers.name", "expected at most 200"),
    ],
)
def test_bad_answers(mini, answers: dict, field: str, message: str) -> None:
    with pytest.raises(AdvisorError) as info:
        validate_answers(mini, answers)
    assert info.value.field == field
    assert message in info.value.message


def test_answers_normalise(mini) -> None:
    got = validate_answers(mini, {"needs": "audit", "name": 2048, "latency_ms": 5.0, "durable": None})
    assert got == {"needs": ["audit"], "name": "2048", "latency_ms": 5}


def test_answers_file_errors_carry_lines(mini) -> None:
    src = parse_text("title: t\nanswers:\n  style: events\n  latency_ms: 0\n", "a.yaml")
    with pytest.raises(AdvisorError) as info:
        parse_answers(mini, src)
    assert info.value.one_line() == ("a.yaml:4:3: answers.latency_ms: 0 is below the minimum, "
                                     "expected a number from 1 to 10000")


def test_answers_yaml_round_trips(mini) -> None:
    answers = {"style": "queries", "latency_ms": 20, "needs": ["replay", "audit"], "durable": True,
               "name": 'a "quoted" <name> {x} \u05e9\u05dc\u05d5\u05dd \U0001f680\nline'}
    text = answers_yaml('T: "x"', answers)
    title, back = parse_answers(mini, parse_text(text, "x.yaml"))
    assert title == 'T: "x"'
    assert back == answers


# --------------------------------------------------------------------------- named conditions

NAMED = """
conditions:
  - id: quick-queries
    title: Queries with a tight budget
    when:
      all:
        - {question: style, equals: queries}
        - {question: latency_ms, lt: 100}
"""


def _with_named(rules: str) -> str:
    return NAMED + rules


def test_a_named_condition_behaves_like_the_tree_it_names(tmp_path: Path) -> None:
    from kafka_advisor.engine import evaluate

    inline = load_kb(write_minikb(tmp_path / "inline"))
    tree = "      all:\n        - {question: style, equals: queries}\n        - {question: latency_ms, lt: 100}\n"
    assert tree in RULES
    named = load_kb(write_minikb(tmp_path / "named", rules=_with_named(RULES.replace(
        "    when:\n" + tree, "    when: {condition: quick-queries}\n", 1))))
    assert named.condition_users == {"quick-queries": ["tight-latency"]}
    for answers in ({"style": "queries", "latency_ms": 50}, {"style": "queries", "latency_ms": 500}, {"style": "events"}):
        a, b = evaluate(inline, answers), evaluate(named, answers)
        assert a.verdict.level == b.verdict.level
        assert a.fired == b.fired
        assert a.to_json() == b.to_json()
    assert evaluate(named, {"style": "queries", "latency_ms": 50}).verdict.level == "poor-fit"


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        # a rule names a condition nobody defined
        (_with_named(RULES.replace("    when: {question: durable, equals: true}", "    when: {condition: quick-querys}", 1)),
         "rules[3].when.condition", "unknown condition 'quick-querys', expected one from a rule file's conditions: "
                                    "(quick-queries)"),
        # a named condition names another one: names never nest, so expansion stays linear
        (NAMED.replace("        - {question: latency_ms, lt: 100}", "        - {condition: quick-queries}") + RULES,
         "conditions[0].when.all[1].condition", "a named condition cannot name condition 'quick-queries'"),
        # two conditions with one id
        (NAMED + NAMED.replace("conditions:\n", "", 1) + RULES, "conditions[1].id", "duplicate condition id 'quick-queries'"),
        # a name together with a comparison
        (_with_named(RULES.replace("    when: {question: durable, equals: true}",
                                   "    when: {condition: quick-queries, question: durable, equals: true}", 1)),
         "rules[3].when", "expected it alone"),
    ],
)
def test_named_condition_errors(tmp_path: Path, rules: str, field: str, message: str) -> None:
    errors = load_errors(write_minikb(tmp_path, rules=rules))
    found = [m for m in map(LINE.match, errors) if m and m["field"] == field]
    assert found, errors
    assert message in found[0]["msg"], errors


def test_show_if_cannot_name_a_condition(tmp_path: Path) -> None:
    questions = QUESTIONS.replace("    show_if: {question: style, equals: queries}", "    show_if: {condition: quick-queries}")
    errors = load_errors(write_minikb(tmp_path, rules=_with_named(RULES), questions=questions))
    wanted = "show_if cannot name condition 'quick-queries'"
    assert any("questions[1].show_if.condition" in e and wanted in e for e in errors), errors


def test_an_unused_named_condition_is_a_lint_finding(tmp_path: Path) -> None:
    from kafka_advisor.lint import unused_conditions

    kb = load_kb(write_minikb(tmp_path, rules=_with_named(RULES)))
    [finding] = unused_conditions(kb)
    assert "no rule names condition 'quick-queries'" in finding.one_line()
    assert finding.one_line().startswith("rules/main.yaml:")
