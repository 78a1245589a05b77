"""csv: the checklist, one row per item, for Jira and spreadsheets (formula injection neutralised)."""

from __future__ import annotations

import csv
import io

from ..present import PHASE_HEADINGS, ViewModel
from . import Exporter, register

HEADER = ("id", "pattern", "item", "severity", "phase", "config", "refs", "done")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, so it is shown as text."""
    return "'" + value if value.startswith(FORMULA_START) else value


def render_csv(vm: ViewModel) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180 line ends, as Excel and Jira expect
    writer.writerow(HEADER)
    for item in vm.items:
        row = (item.id, item.pattern, item.text, item.severity, PHASE_HEADINGS[item.phase].lower(), item.config,
               ", ".join(item.refs), "yes" if item.done else "no")
        writer.writerow([safe_cell(cell) for cell in row])
    return buf.getvalue().encode("utf-8")


register(Exporter("csv", "Checklist (CSV)", "csv", "text/csv; charset=utf-8", lambda ctx: render_csv(ctx.vm)))
