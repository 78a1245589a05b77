"""The print edition of the report: the HTML the PDF is made from, written for a review board.

The layout is `templates/print.html.j2` with `templates/print.css`, rendered from the view model (ctx.vm)
through templating.py like the HTML report. This module keeps what must be Python: fitting the
architecture diagram to a page (its labels laid over the drawing as positioned text, never below 11 CSS
px), grouping the what-if rows by question and result, and the sentence ledger that keeps every long
sentence printed once. No display text is made here: it all comes from the view model.

WeasyPrint's time grows with the amount of text and the number of boxes, so the page stays lean; see
print.css for what that means for the markup.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field

from markupsafe import Markup

from ..present import TOP_REASONS, TOP_RISKS, ViewModel, WhatIfRow
from ..system_diagram import architecture_dot, architecture_svg
from . import ExportContext
from .common import SEVERITIES, export_date, one_line
from .htmlpage import CAPTION, NO_DOT
from .templating import ENV, css, kb_text

CSS = css("print.css")

SYSTEM_CAPTION = ("Drawn from the system inventory: the services, events and external systems, with the parts the "
                  "core patterns add. Baseline and later patterns do not change its shape.")
FRAGMENT_CAPTION = ("Drawn from the core patterns' diagram fragments (the answers name no system inventory); shared "
                    "parts are drawn once.")

# The diagram page: A4 (landscape or portrait, whichever draws it larger), or A3 when A4 would shrink the
# smallest label below MIN_LABEL_PX; the margins are print.css's diagram pages, plus room for the heading
# and the caption. The drawing is never enlarged past its natural size.
PAGES_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
DIAGRAM_MARGIN_MM = (6.0, 6.0, 9.0, 6.0)  # top, right, bottom, left: as @page diagram-* in print.css
DIAGRAM_TEXT_MM = 14.0  # the heading above the drawing and the caption below it
PT_PER_MM = 72 / 25.4
PX_PER_PT = 96 / 72  # CSS px per pt
MIN_LABEL_PX = 11.0  # the smallest diagram label on paper, in CSS px (8.25 pt)
INLINE_HEIGHT = 0.3  # a drawing at most this share of a portrait page high stays in the text flow

# --------------------------------------------------------------------------- sentences printed once

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_FRAGMENT = re.compile(r"(?<=[.!?])\s+|:\s+")
LONG_SENTENCE = 40  # sentences at least this long are printed once; short ones ("Not sure.") may repeat


def _key(text: str) -> str:
    return " ".join(text.split()).rstrip(".").casefold()


@dataclass
class Ledger:
    """The long sentences the page has printed so far, in document order (Jinja renders top to bottom)."""

    sentences: set[str] = field(default_factory=set)
    fragments: set[str] = field(default_factory=set)

    def fresh(self, text: str) -> str:
        """`text` without the long sentences already printed; the rest is recorded as printed."""
        kept = []
        for sentence in _SENTENCE_END.split(one_line(text)):
            key = _key(sentence)
            if len(key) >= LONG_SENTENCE and key in self.sentences:
                continue
            self.sentences.add(key)
            kept.append(sentence)
        self.fragments |= {_key(x) for x in _FRAGMENT.split(one_line(text))}
        return " ".join(kept)

    def shown(self, text: str) -> bool:
        """Whether all of `text` was printed already (also as the part after "Name: "); else record it."""
        parts = {_key(x) for x in _FRAGMENT.split(one_line(text))} - {""}
        if parts and parts <= self.fragments:
            return True
        self.fresh(text)
        return False


def print_text(text: str) -> Markup:
    """Knowledge-base Markdown as inline HTML (templating.kb_text), without its <wbr> break hints: print.css
    lets every word break where it must (overflow-wrap: anywhere), and each <wbr> is one more box to lay out."""
    return Markup(str(kb_text(text)).replace("<wbr>", ""))


def first_sentence(text: str) -> str:
    """The catalogue's one-line description of a pattern: the first sentence of its summary (see docs.py)."""
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


# --------------------------------------------------------------------------- what-if


VERDICT_CHANGES = "Changes that would change the verdict"
LIST_CHANGES = "Changes that alter only the pattern lists"


def what_if_rows(vm: ViewModel) -> list[tuple[str, list[tuple[str, str, list[tuple[list[str], str]]]]]]:
    """What-if by question, the verdict-changing results first: [(heading, [(question, answer now, [(changes,
    result)])])]. Each question and its answer now are written once per heading, and each result once per
    question, with every change that leads to it (`1 team or 2 teams`). A multi-select change shows the
    options ticked or unticked (`+ Join or aggregate`) rather than the whole new list, and no answer now.
    """
    groups: dict[str, dict[str, dict[str, list[WhatIfRow]]]] = {VERDICT_CHANGES: {}, LIST_CHANGES: {}}
    for w in vm.what_if:
        heading = VERDICT_CHANGES if w.verdict is not None else LIST_CHANGES
        groups[heading].setdefault(w.question, {}).setdefault(w.effect, []).append(w)
    out = []
    for heading, questions in groups.items():
        rows = []
        for question, effects in questions.items():
            every = [w for ws in effects.values() for w in ws]
            starts = dict.fromkeys(w.from_text for w in every if not w.change)
            now = next(iter(starts)) if len(starts) == 1 else ""
            changes = [(list(dict.fromkeys(w.change or (w.to_text if now else f"{w.from_text} → {w.to_text}")
                                           for w in ws)), effect) for effect, ws in effects.items()]
            rows.append((question, now, changes))
        if rows:
            out.append((heading, rows))
    return out


# --------------------------------------------------------------------------- the diagram

_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"[^>]*?\bviewBox="([-\d. ]+)"', re.S)
_GRAPH_TRANSFORM = re.compile(r'<g id="graph0"[^>]*?transform="scale\(([-\d.]+) ([-\d.]+)\) rotate\(0\) '
                              r'translate\(([-\d.]+) ([-\d.]+)\)"')
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-z]{3,20}")
ASCENT = 0.905  # Liberation Sans ascent in em: from the top of a line-height: 1 box to the SVG text baseline


@dataclass(frozen=True)
class Drawing:
    dot: str
    html: Markup | None  # None: no `dot`, the DOT source is shown instead
    page: str = "a4-landscape"  # the named page (size and orientation) it is drawn on; "inline": in the text
    smallest_px: float = 0.0  # the smallest label as printed, in CSS px
    system: bool = False  # the user's system (system_diagram.py), not the pattern fragments


def page_area(size: str, orientation: str) -> tuple[float, float]:
    """The room for the drawing on a diagram page, in pt: (width, height)."""
    short, long = PAGES_MM[size]
    w, h = (long, short) if orientation == "landscape" else (short, long)
    top, right, bottom, left = DIAGRAM_MARGIN_MM
    return (w - left - right) * PT_PER_MM, (h - top - bottom - DIAGRAM_TEXT_MM) * PT_PER_MM


def page_box(svg_w: float, svg_h: float, smallest_pt: float = 0.0) -> tuple[str, float]:
    """(page name, scale) that draws a svg_w x svg_h pt diagram largest, at most at its natural size.

    A4 in either orientation; A3 only when A4 would print the smallest label (`smallest_pt` at natural size)
    below MIN_LABEL_PX. A drawing that fits a third of a portrait page at natural size stays in the text.
    """
    w, h = page_area("a4", "portrait")
    if svg_w <= w and svg_h <= INLINE_HEIGHT * h:
        return "inline", 1.0
    best = ("a4-landscape", 0.0)
    for size in ("a4", "a3"):
        for orientation in ("landscape", "portrait"):
            w, h = page_area(size, orientation)
            scale = min(1.0, w / svg_w, h / svg_h)
            if scale > best[1] + 1e-9:
                best = (f"{size}-{orientation}", scale)
        if best[1] * smallest_pt * PX_PER_PT >= MIN_LABEL_PX or best[1] >= 1.0:
            break
    return best


def svg_size(svg: str) -> tuple[float, float] | None:
    size = _SVG_SIZE.search(svg)
    return (float(size.group(1)), float(size.group(2))) if size else None


def smallest_label_pt(svg: str) -> float:
    """The smallest text of a Graphviz SVG at its natural size, in pt (0 when it has none)."""
    size, view = _SVG_SIZE.search(svg), None
    if size is not None:
        view = [float(v) for v in size.group(3).split()]
    k = float(size.group(1)) / view[2] if size is not None and view and len(view) == 4 and view[2] > 0 else 1.0
    transform = _GRAPH_TRANSFORM.search(svg)
    k *= abs(float(transform.group(1))) if transform else 1.0
    sizes = []
    for attrs, _ in _TEXT.findall(svg):
        try:
            sizes.append(float(dict(_ATTR.findall(attrs)).get("font-size", "14")) * k)
        except ValueError:
            continue
    return min(sizes, default=0.0)


def positioned_text(svg: str, scale: float | None = None) -> Markup | None:
    """The diagram as a text-free SVG image with its labels laid over it as positioned HTML text.

    Same drawing, same font and metrics (Arial = Liberation Sans), text still selectable; about half the PDF
    time of an inline SVG. None when the SVG is not shaped as Graphviz writes it (then the caller inlines it).
    `scale`: printed size / natural size (default: as page_box fits it).
    """
    size, transform = _SVG_SIZE.search(svg), _GRAPH_TRANSFORM.search(svg)
    if size is None or transform is None:
        return None
    width, height = float(size.group(1)), float(size.group(2))
    view = [float(v) for v in size.group(3).split()]
    if len(view) != 4 or view[2] <= 0:
        return None
    if scale is None:
        scale = page_box(width, height, smallest_label_pt(svg))[1]
    k = scale * width / view[2]  # SVG user units -> pt on the page
    sx, sy, tx, ty = (float(v) for v in transform.groups())
    spans = []
    for attrs, content in _TEXT.findall(svg):
        a = dict(_ATTR.findall(attrs))
        try:
            x, y, font = float(a["x"]), float(a["y"]), float(a.get("font-size", "14"))
        except (KeyError, ValueError):
            return None
        size_pt = k * font
        left, top = k * (sx * (x + tx) - view[0]), k * (sy * (y + ty) - view[1]) - ASCENT * size_pt
        anchor = a.get("text-anchor", "start")
        cls = {"middle": ' class="c"', "end": ' class="e"'}.get(anchor, "")
        left -= {"middle": 200.0, "end": 400.0}.get(anchor, 0.0)
        style = f"left:{left:.2f}pt;top:{top:.2f}pt;font-size:{size_pt:.2f}pt"
        if a.get("font-weight") == "bold":
            style += ";font-weight:bold"
        if a.get("font-style") == "italic":
            style += ";font-style:italic"
        fill = a.get("fill", "")
        if _COLOUR.fullmatch(fill) and fill != "black":
            style += f";color:{fill}"
        spans.append(f'<span{cls} style="{style}">{html.escape(html.unescape(content), quote=False)}</span>')
    bare = _TEXT.sub("", svg)
    data = base64.b64encode(bare.encode("utf-8")).decode("ascii")
    w, h = width * scale, height * scale
    return Markup(f'<div class="drawing" style="width:{w:.1f}pt;height:{h:.1f}pt">'
                  f'<img alt="" style="width:{w:.1f}pt;height:{h:.1f}pt" src="data:image/svg+xml;base64,{data}">'
                  + "".join(spans) + "</div>")


def fitted_svg(svg: str, scale: float | None = None) -> Markup:
    """The inline SVG sized to the page (the fallback when its text cannot be laid over)."""
    size = _SVG_SIZE.search(svg)
    if size is None:
        return Markup(svg)
    width, height = float(size.group(1)), float(size.group(2))
    if scale is None:
        scale = page_box(width, height, smallest_label_pt(svg))[1]
    start, end = size.span(1)
    svg = f"{svg[:start]}{width * scale:.1f}{svg[end:]}"
    size = _SVG_SIZE.search(svg)
    assert size is not None
    start, end = size.span(2)
    return Markup(f"{svg[:start]}{height * scale:.1f}{svg[end:]}")


def _diagram_source(ctx: ExportContext) -> tuple[str, str | None, bool]:
    """(DOT, SVG or None without `dot`, whether it is drawn from an inventory)."""
    dot = architecture_dot(ctx.report, ctx.kb, show_discouraged=ctx.show_discouraged)
    inventory = ctx.report.inventory is not None and not ctx.report.inventory.is_empty()
    return dot, architecture_svg(ctx.report, ctx.kb, show_discouraged=ctx.show_discouraged), inventory


def drawing(ctx: ExportContext) -> Drawing:
    dot, svg, system = _diagram_source(ctx)
    if svg is None:
        return Drawing(dot, None, system=system)
    size, smallest = svg_size(svg), smallest_label_pt(svg)
    page, scale = page_box(*size, smallest) if size else ("a4-landscape", 1.0)
    # the diagram modules escaped every label, and positioned_text escapes the text it moves out of the SVG
    return Drawing(dot, positioned_text(svg, scale) or fitted_svg(svg, scale), page, smallest * scale * PX_PER_PT,
                   system)


# --------------------------------------------------------------------------- the page


def render_print_html(ctx: ExportContext) -> str:
    vm = ctx.vm
    art = drawing(ctx)
    caption = (SYSTEM_CAPTION if vm.inventory else FRAGMENT_CAPTION) if art.system else CAPTION
    ledger = Ledger()
    names = vm.pattern_names
    return ENV.get_template("print.html.j2").render(
        vm=vm, v=vm.verdict, date=export_date().isoformat(), css=CSS, drawing=art, caption=caption, no_dot=NO_DOT,
        show_discouraged=ctx.show_discouraged, tier_headings=vm.tier_headings, top_reasons=TOP_REASONS,
        top_risks=TOP_RISKS, severities=SEVERITIES, whatif=what_if_rows(vm), names=names,
        flips=sum(1 for w in vm.what_if if w.verdict is not None),
        fresh=ledger.fresh, shown=ledger.shown, first_sentence=first_sentence, kb=print_text)
