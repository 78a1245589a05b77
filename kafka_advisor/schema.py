"""Generate the JSON Schemas that YAML editors use (`python -m kafka_advisor.schema`).

The files under schema/ are committed; a test fails when they no longer match the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .model import AnswersFile, Pattern, QuestionFile, RuleFile

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
SCHEMAS: dict[str, type[BaseModel]] = {
    "questions.schema.json": QuestionFile,
    "rules.schema.json": RuleFile,
    "pattern.schema.json": Pattern,
    "answers.schema.json": AnswersFile,
}


def render(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, model in SCHEMAS.items():
        (SCHEMA_DIR / name).write_text(render(model), encoding="utf-8")
        print(f"wrote schema/{name}")


if __name__ == "__main__":
    main()
