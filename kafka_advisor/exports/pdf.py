"""pdf: the print edition of the report laid out by WeasyPrint.

printpage.py renders templates/print.html.j2 and print.css from the view model; WeasyPrint keeps the
diagram vector (a text-free SVG with its labels laid over it as text) and renders non-Latin text, which
fpdf2 does not. Its time grows with the text: the full checklist appendix is about half of it.
"""

from __future__ import annotations

import functools
import logging

from . import ExportContext, Exporter, register
from .printpage import render_print_html


@functools.lru_cache(maxsize=8)
def html_to_pdf(html: str) -> bytes:
    """Cached: the UI offers every format on each rerun, and the PDF is the slow one."""
    from weasyprint import HTML  # imported late: it takes about half a second and only this format needs it

    # WeasyPrint logs each CSS property it ignores; that is noise for our users.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, base_url=None).write_pdf()


def render_pdf(ctx: ExportContext) -> bytes:
    return html_to_pdf(render_print_html(ctx))


register(Exporter("pdf", "PDF report", "pdf", "application/pdf", render_pdf))
