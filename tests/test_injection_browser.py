"""Hostile links, answers, file names and titles in Chromium: the app shows them as text, never as markup.

Every URL in the corpus points at a host the page was not served from (127.0.0.1:9, example.invalid), so a
link, image or frame made from user text shows up in the DOM scan, and a fetch of one in the request log.
The positive half: each warning still shows the parameter it ignored, character for character, as text.
Reuses the server and browser fixtures of test_browser.py (one `streamlit run` for this module).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from test_browser import ROOT, Server, answer, drawn_svg, open_results, settle, shoot
from test_browser import browser as browser  # the fixtures of test_browser.py, for this module too
from test_browser import server as server

from kafka_advisor.diagram import FORMAT_CONTROLS, one_line
from kafka_advisor.loader import KnowledgeBase, load_answers_file
from kafka_advisor.share import answers_from_query, answers_to_query

pytestmark = pytest.mark.browser

EXAMPLE = ROOT / "examples" / "retail-data-mesh-good-fit.yaml"  # both text questions are asked and drawn
# Text that must never reach an attribute (href, src, srcdoc, style...): it only occurs in the corpus.
NEEDLES = ("example.invalid", "127.0.0.1:9/", "javascript:", "data:text/html")
FORBIDDEN = "img, iframe, frame, object, embed, video, audio, svg image, svg a, .katex, .katex-display, math"

# Five per page load: the link warning lists five lines (then "... and N more").
HOSTILE_KEYS = [
    "[click here](https://example.invalid/phish)",
    "![p](http://127.0.0.1:9/pixel.png)",
    "<img src=http://127.0.0.1:9/img.png>",
    '<a href="https://example.invalid/a">a</a>',
    "<script>fetch('http://127.0.0.1:9/s')</script>",
    # ---
    "<iframe src=https://example.invalid/f></iframe>",
    "https://example.invalid/bare www.example.invalid",
    "mail@example.invalid <https://example.invalid/au>",
    "[r][1]\n\n[1]: https://example.invalid/ref",
    "[d](data:text/html;base64,PHNjcmlwdD4=)",
    # ---
    "[j](javascript:alert(1)) <javascript:alert(2)>",
    ":red[x] :red-background[y] :blue-badge[z]",
    ":material/warning: :material_warning: :streamlit:",
    ":smile: :+1: x:heart:y a -> b -- c",
    "$\\href{https://example.invalid/k}{x}$ $x^2$",
    # ---
    "$$\\href{https://example.invalid/k2}{y}$$",
    "# h | a | b |\n|---|---|\n> q\n- li\n1. ol",
    "**b** _e_ ~~s~~ `c` <b>t</b> \\*",
    "&#x202E;&#8238;&lt;b&gt; &#x200B; &amp;",
    "x\u202edef\u2066i\u2069\u200bz\ufeff\U000e0041",
]
HOSTILE_VALUES = [  # real question ids of each kind, with values they refuse
    ("kafka_status", "![p](http://127.0.0.1:9/pixel.png)"),  # single
    ("goals", "decouple-services,<img src=http://127.0.0.1:9/i.png>"),  # multi
    ("service_count", "[n](https://example.invalid/n) :smile:"),  # number
    ("replay_needed", ":material/warning: $\\href{https://example.invalid/b}{x}$"),  # bool
    ("ops_capacity", "<a href=https://example.invalid/o>o</a> www.example.invalid"),  # single
]
# Text answers are accepted as typed, so they reach the review step, the results and the diagram.
SYSTEM_NAME = "\u202e[n](https://example.invalid/s) ![i](http://127.0.0.1:9/s.png) :smile: $x$\u200b"
SOURCE_DB = "<img src=http://127.0.0.1:9/d> :red[r]\u2066:material_warning:\u2069"
TITLE = "<img src=http://127.0.0.1:9/t.png> [t](https://example.invalid/t) \u202eeltit"
BAD_FILE = "![i](https:example.invalid) :smile: $x$ www.example.invalid.yaml"
GOOD_FILE = "[f](https:example.invalid) :streamlit: <iframe src=https:example.invalid>.yaml"
PATTERN = "[p](https://example.invalid/p) <img src=http://127.0.0.1:9/c.png> :smile:"


# --------------------------------------------------------------------------- watching the page


@dataclass
class Watched:
    page: Any
    origin: str
    foreign: list[str] = field(default_factory=list)  # every request for another host


@pytest.fixture
def watched(browser: Any, server: Server) -> Iterator[Watched]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(30_000)
    w = Watched(ctx.new_page(), server.url)
    home = urlsplit(server.url).netloc

    def is_foreign(url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp") and urlsplit(url).netloc != home

    # Recorded, not routed: routing turns off the browser cache, and every page load would fetch Streamlit's
    # bundle again (three times slower). The corpus hosts do not answer (port 9, .invalid), so nothing is served.
    ctx.on("request", lambda req: w.foreign.append(req.url) if is_foreign(req.url) else None)
    yield w
    ctx.close()


def visible(text: str) -> str:
    return " ".join(text.split())


# One pass over the DOM: attributes that carry corpus text or a format control (an input's value is what the
# user typed, shown for editing), all text (hidden parts too), the visible text, and every link's href.
SCAN = """([needles, controls]) => {
  const control = new RegExp(controls, 'u');
  const attrs = [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => !(['INPUT', 'TEXTAREA'].includes(el.tagName) && a.name === 'value'))
    .filter(a => needles.some(n => a.value.toLowerCase().includes(n)) || control.test(a.value))
    .map(a => `${el.tagName}[${a.name}=${a.value.slice(0, 100)}]`));
  const svg = [...document.querySelectorAll('svg text')].map(t => t.textContent).join(' ');
  return {attrs, all: document.documentElement.textContent, shown: document.body.innerText + ' ' + svg,
          hrefs: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
          scripts: [...document.querySelectorAll('script')].map(s => s.textContent + ' ' + (s.src || ''))};
}"""


def assert_inert(w: Watched, shown: list[str]) -> None:
    """No markup from user text on the page, no format control in it, and each of `shown` visible as text."""
    page = w.page
    dom = page.evaluate(SCAN, [list(NEEDLES), FORMAT_CONTROLS.pattern])
    assert dom["attrs"] == [], "user text reached an attribute"
    assert page.locator(FORBIDDEN).count() == 0, page.locator(FORBIDDEN).evaluate_all("els => els.map(e => e.outerHTML)")
    assert dom["hrefs"], "the page has links of its own: the scan saw them"
    leaving = [h for h in dom["hrefs"] if re.match(r"^[a-z][a-z0-9+.-]*:", h, re.I) and not h.startswith(w.origin)]
    assert leaving == [], "a link leaves the app"
    assert not [s for s in dom["scripts"] if any(n in s for n in NEEDLES)], "user text reached a script"
    assert FORMAT_CONTROLS.search(dom["all"]) is None, "a bidi or zero-width character reached the page"
    for s in shown:
        assert visible(s) in visible(dom["shown"]), f"not shown as plain text: {s!r}"
    assert not w.foreign, w.foreign  # the favicon is an emoji, drawn locally: the app fetches nothing foreign


def link_warning(w: Watched, params: list[tuple[str, str]]) -> None:
    w.page.goto(f"{w.origin}/?{urlencode(params)}")
    w.page.get_by_text("Some parts of the link were not understood").wait_for()
    settle(w.page)


# --------------------------------------------------------------------------- tests


def test_hostile_link_parameters_show_as_text(watched: Watched, kb: KnowledgeBase) -> None:
    batches = [[(k, "1") for k in HOSTILE_KEYS[i:i + 5]] for i in range(0, len(HOSTILE_KEYS), 5)] + [HOSTILE_VALUES]
    for n, params in enumerate(batches):
        found, errors = answers_from_query(kb, dict(params))
        assert found == {} and len(errors) == 5
        link_warning(watched, params)  # a new page load: a new session, which reads its link afresh
        assert_inert(watched, [one_line(e) for e in errors])
        if n == 0:
            checks_are_live(watched)
        if n == 2:  # the directives, icons and emoji: one picture for a human reviewer
            shoot(watched.page, "browser-injection-link-warnings.png", height=1200)


def checks_are_live(w: Watched) -> None:
    """The scan and the request log can fail: a planted link and a planted fetch are both caught."""
    with w.page.expect_request("http://127.0.0.1:9/planted"):
        w.page.evaluate("""() => { const a = document.createElement('a'); a.href = 'https://example.invalid/x';
            document.body.append(a); fetch('http://127.0.0.1:9/planted').catch(() => null); }""")
    assert "http://127.0.0.1:9/planted" in w.foreign
    with pytest.raises(AssertionError, match="attribute"):
        assert_inert(w, [])
    w.foreign.remove("http://127.0.0.1:9/planted")  # planted by the test, not sent by the app


def test_hostile_text_answers_in_review_results_and_diagram(watched: Watched, kb: KnowledgeBase) -> None:
    answers = {**load_answers_file(kb, EXAMPLE)[1], "source_db_name": SOURCE_DB}
    answers.pop("system_name", None)
    page = watched.page
    page.goto(f"{watched.origin}/?{urlencode(answers_to_query(kb, answers))}")
    page.get_by_role("heading", name="Assess your system").wait_for()
    settle(page)
    answer(page, kb, "system_name", SYSTEM_NAME)  # typed into step 1, as a user would
    page.locator(".st-key-goto_review button").click()
    page.get_by_role("heading", name="Review your answers").wait_for()
    page.get_by_text(one_line(SOURCE_DB)[:20]).first.wait_for()
    settle(page)
    assert_inert(watched, [one_line(SYSTEM_NAME), one_line(SOURCE_DB)])
    assert "<U+202E>" in page.locator("[data-testid='stMain']").inner_text()  # the override is visible, not applied
    open_results(page)
    assert_inert(watched, [f"Assessment of {one_line(SYSTEM_NAME)}"])
    drawn = "".join(drawn_svg(page).locator("text").all_text_contents())
    assert "".join(one_line(SYSTEM_NAME).split()) in "".join(drawn.split())  # the diagram title, wrapped
    assert "<U+2066>" in drawn and "<U+2069>" in drawn  # the source database's isolates, shown


def test_hostile_file_names_and_answers_file_title(watched: Watched, kb: KnowledgeBase) -> None:
    page = watched.page
    page.goto(watched.origin)
    page.get_by_role("heading", name="Assess your system").wait_for()
    settle(page)
    upload = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    upload.set_input_files(files=[{"name": BAD_FILE, "mimeType": "application/x-yaml", "buffer": b"answers: [\n"}])
    page.get_by_text("Could not load that file").wait_for()
    settle(page)
    assert_inert(watched, ["Could not load that file; your answers are unchanged.", one_line(BAD_FILE)])

    answers = dict(load_answers_file(kb, EXAMPLE)[1])
    answers.pop("system_name", None)  # so the results caption names the file's title
    body = yaml.safe_dump({"title": TITLE, "answers": answers}, allow_unicode=True).encode()
    upload.set_input_files(files=[{"name": GOOD_FILE, "mimeType": "application/x-yaml", "buffer": body}])
    page.get_by_text(f"Loaded {len(answers)} answers from").wait_for()
    settle(page)
    assert_inert(watched, [f"Loaded {len(answers)} answers from {one_line(GOOD_FILE)}."])
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Results").click()
    page.get_by_text("Assessment of").wait_for()  # the diagram is checked in the test above
    settle(page)
    assert_inert(watched, [f"Assessment of {one_line(TITLE)}"])


def test_hostile_pattern_id_and_catalogue_search(watched: Watched, kb: KnowledgeBase) -> None:
    page = watched.page
    page.goto(f"{watched.origin}/catalogue?{urlencode({'pattern': PATTERN})}")
    page.get_by_text("There is no pattern called").wait_for()
    settle(page)
    assert_inert(watched, [f"There is no pattern called {PATTERN}."])
    page.get_by_role("link", name="All patterns").click()
    page.get_by_text(f"{len(kb.patterns)} of {len(kb.patterns)} patterns").wait_for()
    settle(page)
    box = page.get_by_label("Search")
    box.fill(HOSTILE_KEYS[0] + " " + HOSTILE_KEYS[1])
    box.press("Enter")
    page.get_by_text("No pattern matches").wait_for()
    settle(page)
    assert_inert(watched, ["No pattern matches."])
