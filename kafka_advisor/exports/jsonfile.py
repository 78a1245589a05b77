"""json: the report's stable JSON shape, plus the export title and the checklist state.

JSON is data: answers keep exactly what the user typed, format controls included, so a script reading the
report sees the real values. Only the file's text is made safe to open: format controls, C1 controls and the
line separators are written as \\u escapes (valid JSON, same decoded value), so no editor, terminal or diff
view shows them raw. Everything else stays readable UTF-8 (ensure_ascii=False).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..diagram import FORMAT_CONTROLS
from . import ExportContext, Exporter, register
from .common import checked_ids, display_title

# json.dumps already escapes C0 controls; these it leaves raw when ensure_ascii=False.
_RAW_IN_JSON = re.compile(f"{FORMAT_CONTROLS.pattern}|[\x7f-\x9f\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    # Outside the BMP (tag characters), JSON spells a character as its UTF-16 surrogate pair.
    return json.dumps(m.group(), ensure_ascii=True)[1:-1]


def report_document(ctx: ExportContext) -> dict[str, Any]:
    doc = ctx.report.to_json()
    checked = checked_ids(ctx)
    doc["title"] = display_title(ctx)
    doc["checklist_state"] = {"checked": checked, "done": len(checked), "total": len(ctx.report.checklist)}
    return doc


def dumps(doc: Any) -> str:
    """Readable UTF-8 JSON with format controls as \\u escapes (used by the export and the CLI)."""
    # The characters can only occur inside JSON strings, where a \u escape means the same character.
    return _RAW_IN_JSON.sub(_escape, json.dumps(doc, indent=2, ensure_ascii=False))


def render_json(ctx: ExportContext) -> bytes:
    return (dumps(report_document(ctx)) + "\n").encode("utf-8")


register(Exporter("json", "JSON report", "json", "application/json", render_json))
