"""zip: every other format, the answers YAML and the diagram files in one archive."""

from __future__ import annotations

import io
import zipfile

from ..configs import snippet_files
from ..diagram import dot_available, render
from ..loader import answers_yaml
from . import EXPORTERS, STEMS, ExportContext, Exporter, export, register, slug
from .common import diagram_dot, display_title, export_date

NO_DOT_NOTE = ("The Graphviz 'dot' program was not found when this archive was made, so diagram.svg, diagram.png and "
               "diagram.pdf are missing and the HTML and PDF reports show the DOT source instead of the drawing.\n"
               "Install Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz) and export "
               "again, or render diagram.dot with any Graphviz viewer.\n")


def members(ctx: ExportContext) -> dict[str, bytes]:
    """Archive member name -> bytes, in a fixed order."""
    files: dict[str, bytes] = {}
    has_dot = dot_available()
    for name, exporter in EXPORTERS.items():
        if name == "zip" or (exporter.needs_dot and not has_dot):
            continue
        files[f"{STEMS.get(name, name)}.{exporter.extension}"] = export(name, ctx)
    # The answers the inventory implies stay out: the inventory is written instead, and it gives them back.
    given = {q: v for q, v in ctx.report.answers.items() if q not in ctx.report.derived}
    files["answers.yaml"] = answers_yaml(ctx.title, given, ctx.report.inventory).encode("utf-8")
    files.update(snippet_files(ctx.report, ctx.kb))  # configs/<pattern>/...: the snippets, ready to paste
    if has_dot:
        files["diagram.pdf"] = render(diagram_dot(ctx), "pdf")
    else:
        files["README-diagram.txt"] = NO_DOT_NOTE.encode("utf-8")
    return files


def render_zip(ctx: ExportContext) -> bytes:
    folder = slug(display_title(ctx)) or "kafka-advisor"
    day = export_date()
    stamp = (day.year, day.month, day.day, 0, 0, 0)  # fixed time of day: same inputs, same archive
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, data in members(ctx).items():
            info = zipfile.ZipInfo(f"{folder}/{member}", date_time=stamp)
            # PNG and PDF are compressed already: deflating them again costs time and saves nothing.
            info.compress_type = zipfile.ZIP_STORED if member.endswith((".png", ".pdf")) else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


register(Exporter("zip", "Everything (ZIP)", "zip", "application/zip", render_zip))
