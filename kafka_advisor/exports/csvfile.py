"""csv: the checklist, one row per item, for Jira and spreadsheets (formula injection neutralised)."""

from __future__ import annotations

import csv
import io

from . import ExportContext, Exporter, register
from .common import PHASE_HEADINGS, config_text, one_line, pattern_name

HEADER = ("id", "pattern", "item", "severity", "phase", "config", "refs", "done")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, so it is shown as text."""
    return "'" + value if value.startswith(FORMULA_START) else value


def render_csv(ctx: ExportContext) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180 line ends, as Excel and Jira expect
    writer.writerow(HEADER)
    for item in ctx.report.checklist:
        row = (item.id, pattern_name(ctx, item.pattern), one_line(item.text), item.severity,
               PHASE_HEADINGS[item.phase].lower(), config_text(item),
               ", ".join(item.refs), "yes" if item.id in ctx.checked else "no")
        writer.writerow([safe_cell(cell) for cell in row])
    return buf.getvalue().encode("utf-8")


register(Exporter("csv", "Checklist (CSV)", "csv", "text/csv; charset=utf-8", render_csv))
