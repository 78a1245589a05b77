"""Browser tests: `streamlit run` on a free loopback port, driven by Debian's Chromium via Playwright.

The server fixture starts the app in a new process group and kills the group in teardown. Each test
saves a screenshot under test-artifacts/. bench/bench_ui.py reuses the helpers below.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from kafka_advisor.engine import evaluate, visible_questions
from kafka_advisor.exports.common import DECISION_WORDS
from kafka_advisor.loader import KnowledgeBase, load_answers_doc, load_answers_file, parse_answers_bytes
from kafka_advisor.model import DECISIONS, AnswerValue
from kafka_advisor.share import answers_to_query, encode_answer
from kafka_advisor.ui.style import BOOL_LABELS, LEVELS

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
GOOD = ROOT / "examples" / "order-platform-good-fit.yaml"
TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"  # issue 10's system, with its inventory
INVENTORY_TITLE = "Your system's parts"
POOR = ROOT / "examples" / "crud-app-poor-fit.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STREAMLIT_FLAGS = ["--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                   "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]
IDLE = "[data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"streamlit did not listen on port {port} within {timeout} s")


def start(script: Path, *, log: Path, env: Mapping[str, str] | None = None, cwd: Path = ROOT) -> Server:
    """`streamlit run script` in a new process group (so teardown can kill it and its children)."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), *STREAMLIT_FLAGS]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **(env or {})})
    try:
        _wait_for_port(port, proc, 60)
    except BaseException:
        stop(proc)
        raise
    return Server(f"http://127.0.0.1:{port}", proc, log)


def stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@contextlib.contextmanager
def serving(script: Path, *, log: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    server = start(script, log=log, env=env)
    try:
        yield server
    finally:
        stop(server.proc)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# --------------------------------------------------------------------------- driving the app


def settle(page: Any, timeout: float = 15_000) -> None:
    """Wait until the script run that an interaction started has finished."""
    page.wait_for_selector(IDLE, timeout=timeout, state="attached")


def wait_url_param(page: Any, key: str, value: str | None, timeout: float = 15_000) -> None:
    """The app mirrors answers into the URL at the end of each run: a deterministic sign the run saw them."""
    page.wait_for_function("([k, v]) => new URLSearchParams(location.search).get(k) === v", arg=[key, value],
                           polling=5, timeout=timeout)
    settle(page, timeout)


def widget(page: Any, qid: str) -> Any:
    return page.locator(f".st-key-q__{qid}")


def answer(page: Any, kb: KnowledgeBase, qid: str, value: AnswerValue) -> None:
    """Answer one question through its widget, as a user would."""
    q = kb.questions[qid]
    box = widget(page, qid)
    if q.type == "single":
        box.get_by_text(q.label_of(str(value)), exact=True).click()
    elif q.type == "bool":
        box.get_by_text(BOOL_LABELS["unsure" if value == "unsure" else bool(value)], exact=True).click()
    elif q.type == "multi":
        assert isinstance(value, list)
        for i, v in enumerate(value):
            box.get_by_role("button", name=q.label_of(v), exact=True).click()
            so_far = [x for x in q.option_values() if x in value[: i + 1]]
            wait_url_param(page, qid, ",".join(so_far))
        return
    else:
        field = box.locator("input")
        field.fill(encode_answer(q, value))
        field.press("Enter")
    wait_url_param(page, qid, encode_answer(q, value))


def next_step(page: Any) -> None:
    page.locator(".st-key-next button").click()
    settle(page)
    # Each new step starts at its top, not where the previous one was scrolled to.
    page.wait_for_function("() => document.querySelector(\"[data-testid='stMain']\").scrollTop === 0", polling=5)


def walk_wizard(page: Any, kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> None:
    """From step 1 to the review step, answering every question the scenario answers and the app shows."""
    shown = set(visible_questions(kb, answers))
    for i, section in enumerate(kb.sections):
        page.get_by_role("heading", name=f"{i + 1}. {section.title}", exact=True).wait_for()
        for qid, sec in kb.section_of.items():
            if sec == section.id and qid in shown and qid in answers:
                answer(page, kb, qid, answers[qid])
        next_step(page)
        if i == 0:  # the optional inventory step comes right after the first section
            page.get_by_role("heading", name=INVENTORY_TITLE, exact=True).wait_for()
            next_step(page)
    page.get_by_role("heading", name="Review your answers").wait_for()
    settle(page)


def open_results(page: Any) -> None:
    page.get_by_role("button", name="See the results").click()
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    page.locator(".st-key-export_prepare").wait_for()  # the end of the summary
    settle(page)


def pick_export(page: Any, label: str) -> None:
    page.locator(".st-key-export_format").click()
    page.get_by_role("option", name=label, exact=True).click()
    settle(page)


def open_tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    settle(page)


def drawn_svg(page: Any) -> Any:
    """The architecture tab's diagram, drawn on the server and inlined."""
    open_tab(page, "Architecture")
    svg = page.locator(".architecture-svg svg").first
    svg.wait_for()
    return svg


# The smallest label as shown: the SVG's font size (in its own units) times the scale it is drawn at.
SMALLEST_LABEL_PX = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')));
  return Math.min(...sizes) * scale;
}"""


def verdict_text(page: Any, level: str) -> str:
    # The banner's heading is the decision ("Adopt Kafka", ...); the level's label is the line under it.
    heading = DECISION_WORDS[DECISIONS[level]]
    banner = page.locator("[data-testid='stAlert']").filter(has=page.get_by_role("heading", name=heading, exact=True))
    banner.wait_for()
    text = str(banner.inner_text())
    assert LEVELS[level].label in text
    return text


def glance_reasons(page: Any, rep: Any) -> None:
    """At a glance, under the decision: the verdict's first reasons by their titles."""
    main = page.locator("[data-testid='stMain']").inner_text()
    for reason in rep.verdict.reasons[:3]:
        assert reason.title in main


def ranked(rep: Any) -> list[str]:
    """The recommendations as the Patterns tab lists them: numbered within their tier."""
    tiers = [[r for r in rep.recommended if r.tier == t] for t in ("core", "baseline", "later")]
    return [f"{i}. {r.name}" for recs in tiers for i, r in enumerate(recs, 1)]


def recommended_labels(page: Any) -> list[str]:
    # A summary's text also holds its icons' ligature names: the label is the last line.
    labels = [x.strip().splitlines()[-1] for x in page.locator("[data-testid='stExpander'] summary").all_inner_texts()]
    return [x for x in labels if re.match(r"^\d+\. ", x)]


def shoot(page: Any, name: str, *, height: int = 2400) -> Path:
    """A tall screenshot: Streamlit scrolls inside its own container, so full_page alone is short."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(300)  # the layout settles after a resize
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


# --------------------------------------------------------------------------- fixtures

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving(ROOT / "app.py", log=ARTIFACTS / "streamlit-browser-tests.log") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def start_page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", name="Assess your system").wait_for()
    settle(page)
    return page


# --------------------------------------------------------------------------- tests


def test_good_fit_walkthrough_and_share_link(server: Server, context: Any, browser: Any, kb: KnowledgeBase) -> None:
    answers = load_answers_file(kb, GOOD)[1]
    rep = evaluate(kb, answers)
    page = start_page(context, server.url)
    walk_wizard(page, kb, answers)
    review = page.locator("[data-testid='stMain']").inner_text()
    assert kb.questions["goals"].label_of("decouple-services") in review  # labels, not option values
    shoot(page, "browser-good-fit-review.png", height=3000)
    open_results(page)
    banner = verdict_text(page, rep.verdict.level)
    glance_reasons(page, rep)
    assert recommended_labels(page) == ranked(rep)
    shoot(page, "browser-good-fit-results.png")
    svg = drawn_svg(page)
    assert svg.locator("g.node").count() >= 2  # the diagram is drawn, not a silent blank
    open_tab(page, "Patterns")

    # A share link opened in a fresh browser session (dark mode) gives the same results.
    link = page.url
    assert "/results?" in link and "service_count=25" in link
    other = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    try:
        fresh = other.new_page()
        fresh.goto(link)
        fresh.get_by_role("heading", name="Results", exact=True).wait_for(timeout=30_000)
        fresh.locator(".st-key-export_prepare").wait_for(timeout=30_000)
        settle(fresh)
        assert verdict_text(fresh, rep.verdict.level) == banner
        assert recommended_labels(fresh) == recommended_labels(page)
        shoot(fresh, "browser-share-link-dark.png")
    finally:
        other.close()


def test_poor_fit_walkthrough_and_why_not(server: Server, context: Any, kb: KnowledgeBase) -> None:
    answers = load_answers_file(kb, POOR)[1]
    rep = evaluate(kb, answers)
    page = start_page(context, server.url)
    walk_wizard(page, kb, answers)
    open_results(page)
    banner = verdict_text(page, rep.verdict.level)
    glance_reasons(page, rep)
    for alternative in rep.verdict.system_alternatives:
        assert alternative[:40] in banner
    shoot(page, "browser-poor-fit-results.png")
    assert drawn_svg(page).locator("g").count() > 0
    open_tab(page, "Patterns")
    # "Why not X?" leads to X's page in the catalogue.
    assert rep.discouraged
    dis = rep.discouraged[0]
    page.get_by_role("link", name=f"Read about {dis.name}").click()
    page.get_by_role("heading", name=dis.name, exact=True).wait_for()
    page.wait_for_function("p => new URLSearchParams(location.search).get('pattern') === p", arg=dis.pattern, polling=5)
    page.locator("[data-testid='stGraphVizChart'] svg").wait_for()
    settle(page)
    shoot(page, "browser-poor-fit-why-not.png")
    page.get_by_role("link", name="All patterns").click()
    page.get_by_role("heading", name="Pattern catalogue").wait_for()
    page.wait_for_function("!location.search.includes('pattern=')", polling=5)
    settle(page)


def test_checklist_tick_reaches_the_markdown_download(server: Server, context: Any, kb: KnowledgeBase) -> None:
    answers = load_answers_file(kb, GOOD)[1]
    rep = evaluate(kb, answers)
    page = start_page(context, server.url)
    # Load the answers the way a returning user would: upload the YAML file.
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(GOOD))
    page.get_by_text(f"Loaded {len(answers)} answers from").wait_for()
    settle(page)
    # ... and the answers download gives the same answers back.
    with page.expect_download() as saved:
        page.locator(".st-key-download_answers button").click()
    assert parse_answers_bytes(kb, Path(saved.value.path()).read_bytes(), "saved.yaml")[1] == answers
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Results").click()
    page.locator(".st-key-export_prepare").wait_for()
    open_tab(page, "Checklist")
    ticked, untouched = rep.checklist[0], rep.checklist[1]
    group = [i for i in rep.checklist if i.pattern == ticked.pattern and i.phase == ticked.phase]
    box = page.locator(f".st-key-chk__{ticked.id}")
    box.locator("label").click()
    page.locator(f".st-key-progress__{ticked.phase}__{ticked.pattern}").get_by_text(f"1 of {len(group)} done").wait_for()
    settle(page)
    # The tick survives navigation to another page and back.
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Pattern catalogue").click()
    page.get_by_role("heading", name="Pattern catalogue").wait_for()
    settle(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Results").click()
    page.locator(".st-key-export_prepare").wait_for()
    open_tab(page, "Checklist")
    page.locator(f".st-key-progress__{ticked.phase}__{ticked.pattern}").get_by_text(f"1 of {len(group)} done").wait_for()
    assert page.locator(f".st-key-chk__{ticked.id} input").is_checked()
    # The summary's export: pick Markdown, prepare it, then save it.
    pick_export(page, "Markdown report")
    button = page.locator(".st-key-export_prepare button")
    button.scroll_into_view_if_needed()
    button.click()
    page.locator(".st-key-export_ready_box").get_by_text(f"1 of {len(rep.checklist)} checklist items ticked").wait_for()
    with page.expect_download() as info:
        page.locator(".st-key-export_download button").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert any("[x]" in line and ticked.id in line for line in lines), "the ticked item is done in the report"
    assert any("[ ]" in line and untouched.id in line for line in lines)
    assert info.value.suggested_filename.endswith(".md")
    page.locator(f".st-key-chk__{ticked.id}").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "browser-checklist-ticked.png"))


def test_twelve_service_system_walk_draws_its_own_parts(server: Server, context: Any, kb: KnowledgeBase) -> None:
    """Issue 10's system: 12 services with a PostgreSQL database each, 5 teams, events to shipping and billing,
    a warehouse for analytics. Loaded from its answers file, walked step by step, then read at 1400 px."""
    doc = load_answers_doc(kb, TWELVE)
    assert doc.inventory is not None
    rep = evaluate(kb, doc.answers, inventory=doc.inventory)
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(server.url)
    page.get_by_role("heading", name="Assess your system").wait_for()
    settle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(TWELVE))
    page.get_by_text("system inventory").first.wait_for()
    settle(page)
    # The walk: every step in turn. The inventory step lists the twelve services; the questions it answers
    # are shown as answered from it, not asked.
    page.locator("[data-testid='stSidebar'] .st-key-goto_0 button").first.click()
    page.get_by_role("heading", name=f"1. {kb.sections[0].title}", exact=True).wait_for()
    settle(page)
    first = page.locator("[data-testid='stMain']").inner_text()
    assert "from your inventory" in first and "12 services" in first
    next_step(page)
    page.get_by_role("heading", name=INVENTORY_TITLE, exact=True).wait_for()
    assert "12 services (5 teams)" in page.locator("[data-testid='stMain']").inner_text()
    shoot(page, "browser-12-services-inventory.png", height=1600)
    for section in kb.sections[1:]:  # each of the other sections, then the review
        next_step(page)
        page.get_by_role("heading", name=re.compile(re.escape(section.title))).first.wait_for()
    next_step(page)
    page.get_by_role("heading", name="Review your answers").wait_for()
    open_results(page)
    verdict_text(page, rep.verdict.level)
    # The summary first: verdict, core cards, exports; it fits in two screens (900 px each) at 1400 px.
    summary_end = page.locator(".st-key-actions").bounding_box()
    top = page.locator("[data-testid='stMain'] h1").first.bounding_box()
    assert summary_end is not None and top is not None
    assert summary_end["y"] + summary_end["height"] - top["y"] <= 2 * 900
    for rec in (r for r in rep.recommended if r.tier == "core"):
        page.locator(f".st-key-core_card_{rec.pattern}").wait_for()
    shoot(page, "browser-12-services-summary.png", height=1800)
    # The architecture: this system's own services by name, readable at 1400 px.
    svg = drawn_svg(page)
    drawn = svg.locator("text").all_text_contents()
    for service in doc.inventory.services:
        assert service.name in drawn, service.name
    assert any("PostgreSQL" in t for t in drawn) and "Analytics warehouse" in drawn
    assert svg.bounding_box()["width"] <= 1400
    assert float(svg.evaluate(SMALLEST_LABEL_PX)) >= 11
    shoot(page, "browser-12-services-architecture.png", height=1800)
    # The PDF from the same page: a few pages, the diagram's smallest label readable on A4.
    pick_export(page, "PDF report")
    page.locator(".st-key-export_prepare button").click()
    page.locator(".st-key-export_ready_box").wait_for()
    with page.expect_download() as info:
        page.locator(".st-key-export_download button").click()
    pdf = ARTIFACTS / "browser-12-services-report.pdf"
    Path(info.value.path()).replace(pdf)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                              check=True).stdout).group(1))  # type: ignore[union-attr]
    assert pages <= 6
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for service in doc.inventory.services:
        assert service.name in text
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(ARTIFACTS / "browser-12-services-pdf")], check=True)


def test_what_if_apply_then_browser_back_restores_the_answer(server: Server, context: Any, kb: KnowledgeBase) -> None:
    answers = load_answers_file(kb, GOOD)[1]
    rep = evaluate(kb, answers, with_what_if=True)
    first = next(w for w in rep.what_if if not w.fact)
    page = context.new_page()
    page.goto(f"{server.url}/results?{urlencode(answers_to_query(kb, answers))}")
    page.locator(".st-key-export_prepare").wait_for()
    settle(page)
    open_tab(page, "What if")
    page.locator(".st-key-whatif_0 button:visible").first.click()  # a button with help text is drawn twice
    page.locator(".st-key-whatif_preview_box").wait_for()  # before and after, nothing changed yet
    settle(page)
    page.locator(".st-key-whatif_apply button").click()
    page.get_by_text("Changed").first.wait_for()
    settle(page)
    before = encode_answer(kb.questions[first.question], answers[first.question]) if first.question in answers else None
    assert new_param(page, first.question) != before
    page.go_back()  # the browser's own Back button
    page.get_by_text("Back to the answers").first.wait_for()
    wait_url_param(page, first.question, before)
    shoot(page, "browser-what-if-back.png", height=1400)


def new_param(page: Any, key: str) -> str | None:
    return page.evaluate("k => new URLSearchParams(location.search).get(k)", key)  # type: ignore[no-any-return]
