"""Audit results as SARIF 2.1.0, the format code scanning (GitHub, GitLab, Azure DevOps) shows in a pull request.

One run, the tool driver listing every check as a rule (id, short description, help with the fix and
the source); one result per finding: rule id and index, level from the severity, the message with
the fix, and the location (the file as given, relative, and the line). The output is validated in
tests/test_audit.py against the official schema (tests/reference/sarif-schema-2.1.0.json).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from . import audit_checks as checks
from .audit import AuditResult

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"high": "error", "medium": "warning", "low": "note"}
TOOL = "kafka-advisor audit"
VERSION = "0.1.0"  # pyproject.toml's version


def _rule(check: checks.Check) -> dict[str, Any]:
    help_uri = next((part.strip() for part in check.source.split(";") if part.strip().startswith("https://")), None)
    rule: dict[str, Any] = {
        "id": check.id,
        "name": "".join(w.capitalize() for w in check.id.split("-")),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": f"{check.title}. Source: {check.source}"},
        "help": {"text": f"Fix: {check.fix} Source: {check.source}",
                 "markdown": f"**Fix:** {check.fix}\n\n**Source:** {check.source}"},
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {"severity": check.severity, "tags": ["kafka", "configuration"],
                       "precision": "high" if check.needs != "answers" else "medium"},
    }
    if help_uri:
        rule["helpUri"] = help_uri
    return rule


def to_sarif(results: Iterable[AuditResult]) -> dict[str, Any]:
    table = checks.CHECKS
    index = {c.id: i for i, c in enumerate(table)}
    out_results = []
    artifacts: dict[str, int] = {}
    for result in results:
        uri = quote(result.name.replace("\\", "/"), safe="/:._-~")
        artifacts.setdefault(uri, len(artifacts))
        for f in result.findings:
            location: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": artifacts[uri]}}
            if f.line is not None and f.line >= 1:
                location["region"] = {"startLine": f.line}
            entry: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": LEVELS[f.severity],
                "message": {"text": f"{f.message} Fix: {f.fix}"},
                "locations": [{"physicalLocation": location}],
                "properties": {"severity": f.severity, "fix": f.fix, "source": f.source, "role": result.role.role},
            }
            if f.key:
                entry["properties"]["key"] = f.key
            out_results.append(entry)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL, "version": VERSION, "rules": [_rule(c) for c in table]}},
            "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
            "results": out_results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def dumps(results: Iterable[AuditResult]) -> str:
    return json.dumps(to_sarif(results), indent=2, ensure_ascii=False) + "\n"
