"""json: the report's stable JSON shape, plus the export title and the checklist state."""

from __future__ import annotations

import json
from typing import Any

from . import ExportContext, Exporter, register
from .common import checked_ids, display_title


def report_document(ctx: ExportContext) -> dict[str, Any]:
    doc = ctx.report.to_json()
    checked = checked_ids(ctx)
    doc["title"] = display_title(ctx)
    doc["checklist_state"] = {"checked": checked, "done": len(checked), "total": len(ctx.report.checklist)}
    return doc


def render_json(ctx: ExportContext) -> bytes:
    return (json.dumps(report_document(ctx), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


register(Exporter("json", "JSON report", "json", "application/json", render_json))
