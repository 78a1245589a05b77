"""Check the protocol driver against a real browser: the same wizard Next clicks, timed both ways.

Chromium (Playwright, Debian's /usr/bin/chromium) clicks Next as bench_ui.py does and times the
click to the updated page; DevTools stamps when its network stack sent the BackMsg and read the last
ForwardMsg. Beside it, one protocol session (bench/stproto.py) makes the same step twice: once with
its own BackMsg and once replaying the very bytes Chromium sent, each timed BackMsg to
script_finished. Equal times for the two say the driver costs the server what a browser costs it.

Then Chromium downloads the Markdown export from the results page, first alone and then while a
few protocol sessions walk the wizard without think time: whether a person's download survives
other people's script runs (the driver saw it fail under load).
"""

from __future__ import annotations

import asyncio
import base64
import os
import statistics
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from bench_ui import Wizard
from load_server import serving
from load_user import Recorder, VirtualUser
from stproto import StSession
from test_browser import launch, settle

from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import AnswerValue
from kafka_advisor.share import answers_to_query

T = TypeVar("T")


class LoopThread:
    """An asyncio loop in a thread: Playwright's sync API owns the main thread's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Wire:
    """Chromium's websocket frames from DevTools events, stamped by its network stack: the last BackMsg
    (larger than a heartbeat) it sent, and when it read the last ForwardMsg."""

    def __init__(self, page: Any) -> None:
        self.sent, self.last, self.payload = 0.0, 0.0, b""
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent", self._sent)
        cdp.on("Network.webSocketFrameReceived", self._received)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        raw = base64.b64decode(event["response"]["payloadData"])
        if len(raw) > 16:
            self.sent, self.payload = event["timestamp"], raw

    def _received(self, event: dict[str, Any]) -> None:
        self.last = event["timestamp"]

    def ms(self) -> float:
        return (self.last - self.sent) * 1000


def browser_vs_protocol(kb: KnowledgeBase, answers: dict[str, AnswerValue], clicks: int, log: Path,
                        warm: int = 3) -> dict[str, Any]:
    """Medians (ms) of a wizard Next from the same share link: Chromium click to updated page and on the
    wire, the server's time for Chromium's own BackMsg (replayed), and for the driver's BackMsg."""
    from playwright.sync_api import sync_playwright

    query = urlencode(answers_to_query(kb, answers))
    steps = len(kb.sections) + 1  # the wizard's steps and the review step
    # The server gets core 0 to itself, Chromium and this process core 1: on a 2-core machine, a browser
    # drawing deltas as they stream in would otherwise take CPU from the server it is timing.
    before = os.sched_getaffinity(0)
    pinned = len(before) >= 2
    if pinned:
        os.sched_setaffinity(0, {sorted(before)[1]})  # this thread; Playwright, Chromium, the loop inherit it
    loop = LoopThread()
    out: dict[str, list[float]] = {"browser_ms": [], "browser_wire_ms": [], "replay_ms": [], "protocol_ms": []}
    try:
        with serving(log, cpus=str(sorted(before)[0]) if pinned else None) as server, sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            wire = Wire(page)
            wizard = Wizard(page, server, kb, query)  # type: ignore[arg-type]  (only .url is used)
            session = StSession(server.url)
            loop.call(session.open(query=query))
            step = 0
            for i in range(clicks + warm):
                ms = wizard.click()
                page.evaluate("1")  # let the last DevTools events arrive
                if step == steps - 1:  # from the review step back to step 1, as the Wizard did (not timed)
                    loop.call(session.click("goto_0"))
                    step = 0
                # The same step twice on one session, Back in between, in alternating order.
                timed: dict[str, float] = {}
                for n, kind in enumerate(("mine", "replay") if i % 2 == 0 else ("replay", "mine")):
                    if n:
                        loop.call(session.click("back"))
                    run = loop.call(session.click("next") if kind == "mine" else session.send_raw(wire.payload))
                    timed[kind] = run.seconds * 1000
                step += 1
                if i >= warm:
                    for key, value in (("browser_ms", ms), ("browser_wire_ms", wire.ms()),
                                       ("replay_ms", timed["replay"]), ("protocol_ms", timed["mine"])):
                        out[key].append(value)
            loop.call(session.close())
            alone = downloads(page, server.url, query, 5)
            busy = downloads_under_load(page, server.url, query, 10, loop, kb, answers)
            browser.close()
    finally:
        loop.stop()
        os.sched_setaffinity(0, before)
    return {"clicks": clicks, "pinned": pinned, **{k: statistics.median(v) for k, v in out.items()},
            "downloads_alone": alone, "downloads_busy": busy}


def downloads(page: Any, url: str, query: str, n: int) -> tuple[int, int]:
    """(complete Markdown files, attempts): the Markdown export button clicked n times in Chromium."""
    if "/results" not in page.url:
        page.goto(f"{url}/results?{query}")
        page.locator(".st-key-export_md").wait_for(timeout=60_000)
        settle(page)
    good = 0
    for _ in range(n):
        try:
            page.locator(".st-key-export_md button").click()
            with page.expect_download(timeout=15_000) as info:
                page.locator(".st-key-export_download button").click()
            ok = info.value.failure() is None and Path(info.value.path()).read_bytes().startswith(b"# Kafka")
        except Exception:  # a download that never starts counts as failed, as it would for a person
            ok = False
        good += ok
        page.wait_for_timeout(300)
    return good, n


def downloads_under_load(page: Any, url: str, query: str, n: int, loop: LoopThread, kb: KnowledgeBase,
                         answers: dict[str, AnswerValue], sessions: int = 4) -> tuple[int, int]:
    """The same downloads while `sessions` protocol users walk the wizard without think time."""
    users = [VirtualUser(url, kb, answers, Recorder(), index=i, run_id="BRWS", think=0,
                         deadline=time.monotonic() + 600) for i in range(sessions)]

    async def walk_all() -> None:
        await asyncio.gather(*(u.run() for u in users))

    walking = asyncio.run_coroutine_threadsafe(walk_all(), loop.loop)
    try:
        time.sleep(2)  # let them get going
        return downloads(page, url, query, n)
    finally:
        for u in users:
            u.deadline = 0.0  # each stops before its next interaction
        walking.result(120)
