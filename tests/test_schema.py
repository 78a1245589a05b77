"""The committed JSON Schemas match the models, and they accept the shipped YAML."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from kafka_advisor.schema import SCHEMA_DIR, SCHEMAS, render

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_current(name: str) -> None:
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == render(SCHEMAS[name]), f"schema/{name} is stale: run `make schema`"


@pytest.mark.parametrize(
    ("schema", "folder"),
    [("questions.schema.json", "questions"), ("rules.schema.json", "rules"), ("pattern.schema.json", "patterns"),
     ("answers.schema.json", "examples")],
)
def test_shipped_yaml_validates_against_schema(schema: str, folder: str) -> None:
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / schema).read_text()))
    files = sorted((ROOT / folder).glob("*.yaml"))
    assert files
    for f in files:
        errors = list(validator.iter_errors(yaml.safe_load(f.read_text())))
        assert not errors, f"{f.name}: {errors[0].message}"


def test_schema_catches_a_typo() -> None:
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / "rules.schema.json").read_text()))
    bad = {"rules": [{"id": "x", "title": "t", "when": {"question": "a", "equals": 1}, "then": {"notes": ["n"]},
                      "becuase": "typo", "refs": ["7.1.1"], "examples": []}]}
    assert list(validator.iter_errors(bad))
