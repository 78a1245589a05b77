"""html: one self-contained page (inline SVG diagram, inline CSS, print styles) that opens offline.

The page is the template `templates/report.html.j2` rendered from the view model; Jinja autoescapes
everything a user typed, and knowledge-base prose goes through markdown-it with raw HTML disabled.
"""

from __future__ import annotations

from markupsafe import Markup

from ..diagram import dot_available, render
from ..present import OUTWEIGHED_HEADING, ViewModel
from . import ExportContext, Exporter, register
from .common import diagram_dot, export_date, inline_svg
from .templating import ENV, css

CSS = css("report.css")
CAPTION = ("Composed from the recommended patterns' diagram fragments; shared parts (one Kafka cluster, one Connect "
           "cluster, one schema registry) are drawn once.")

NO_DOT = ("the Graphviz 'dot' program is needed to draw the architecture diagram and was not found on PATH. "
          "Install Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz) and export "
          "again; the DOT source below renders with any Graphviz viewer.")


def render_html(ctx: ExportContext) -> str:
    dot = diagram_dot(ctx)
    svg = Markup(inline_svg(render(dot, "svg"))) if dot_available() else None  # diagram.py escaped every label
    return _page(ctx.vm, dot, svg, show_discouraged=ctx.show_discouraged)


def _page(vm: ViewModel, dot: str, svg: Markup | None, *, show_discouraged: bool = False,
          caption: str = CAPTION) -> str:
    return ENV.get_template("report.html.j2").render(
        vm=vm, v=vm.verdict, date=export_date().isoformat(), css=CSS, svg=svg, dot=dot, no_dot=NO_DOT,
        show_discouraged=show_discouraged, caption=caption, tier_headings=vm.tier_headings,
        outweighed_heading=OUTWEIGHED_HEADING)


register(Exporter("html", "HTML report (self-contained)", "html", "text/html; charset=utf-8",
                  lambda ctx: render_html(ctx).encode("utf-8")))
