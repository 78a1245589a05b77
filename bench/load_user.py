"""One virtual user of the advisor: the whole wizard with real widget changes, the results page, a
checklist tick, the Markdown export, then "Start over" and the next walk, in one Streamlit session.

Every walk has its own system name (a token that names the user and the walk) and its own numbers.
After each interaction the user checks what came back: the expected step heading, no exception or
error box, and no token of any other user in any frame (a cross-session leak).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from stproto import ProtocolError, Run, StSession, http_get

from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.model import AnswerValue, Question
from kafka_advisor.ui.style import format_answer

TOKEN_RE = re.compile(rb"LoadSys[0-9A-Z]+")  # names only letters and digits: Markdown escapes nothing
SCRIPT_KINDS = ("open", "answer", "next", "results", "tick", "prepare", "nav", "clear")


@dataclass
class Recorder:
    """Samples and failures of one phase, shared by its users."""

    samples: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in (*SCRIPT_KINDS, "export")})
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    walks: int = 0

    def script_runs(self) -> list[float]:
        return [s for k in SCRIPT_KINDS for s in self.samples[k]]

    def count(self) -> int:
        return sum(len(v) for v in self.samples.values())


class WalkError(Exception):
    """The app answered, but not what a person would expect to see."""


class OutOfTime(Exception):
    """The phase is over: stop before the next interaction."""


@dataclass
class Plan:
    token: str
    answers: dict[str, AnswerValue]


def make_plan(kb: KnowledgeBase, base: dict[str, AnswerValue], token: str, serial: int) -> Plan:
    """The scenario's answers with this walk's own name and numbers (all within the questions' ranges)."""
    answers = dict(base)
    answers["system_name"] = token
    answers["service_count"] = 20 + serial % 950
    answers["team_count"] = 4 + serial % 5
    return Plan(token, {q: answers[q] for q in kb.questions if q in answers})


def widget_values(q: Question, target: AnswerValue, current: Any) -> list[Any]:
    """The values a person's clicks send, one per interaction: pills are clicked one option at a time."""
    if q.type == "multi":
        labels = [q.label_of(v) for v in target]  # type: ignore[union-attr]
        chosen = list(current.string_array_value.data) if current is not None else []
        out = []
        for label in labels:
            if label not in chosen:
                chosen = [*chosen, label]
                out.append(chosen)
        return out
    if q.type == "single":
        want: Any = q.label_of(str(target))
    elif q.type == "bool":
        want = "Yes" if target else "No"
    elif q.type == "number":
        field_name = current.WhichOneof("value") if current is not None else None
        return [] if field_name and getattr(current, field_name) == target else [target]
    else:
        want = str(target)
    return [] if current is not None and current.string_value == want else [want]


class VirtualUser:
    def __init__(self, base: str, kb: KnowledgeBase, scenario: dict[str, AnswerValue], rec: Recorder, *, index: int,
                 run_id: str, think: float, deadline: float, max_walks: int | None = None, seed: int = 0) -> None:
        self.base, self.kb, self.scenario, self.rec = base, kb, scenario, rec
        self.prefix = f"LoadSys{run_id}U{index:03d}"
        self.index, self.think, self.deadline, self.max_walks = index, think, deadline, max_walks
        self.rng = random.Random(seed * 1000 + index)
        self.walk = 0
        self.session: StSession | None = None
        self.finished = asyncio.Event()  # set when the user stops walking (its session may still be open)
        self.failed_walks = 0  # in a row

    def error(self, exc: Exception) -> None:
        self.rec.errors.append(f"user {self.index} walk {self.walk}: {type(exc).__name__}: {exc}"[:300])

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline or (self.max_walks is not None and self.walk >= self.max_walks)

    async def run(self, hold: asyncio.Event | None = None) -> None:
        """Walk until the deadline; then (with `hold`) keep the session open until told, so the server's
        memory can be read with every session alive."""
        try:
            while not self.out_of_time():
                try:
                    await self.session_walks()
                except OutOfTime:
                    break
                except Exception as exc:  # any failure counts as an error; the user starts afresh
                    self.error(exc)
                    if self.session is not None:
                        await self.session.close()
                        self.session = None
                    self.walk += 1
                    self.failed_walks += 1
                    if self.failed_walks >= 5:  # a broken server: stop instead of hammering it
                        return
        finally:
            self.finished.set()
            task = asyncio.current_task()
            if hold is not None and not (task and task.cancelling()):  # a cancelled run (Ctrl-C) does not wait
                await hold.wait()
            if self.session is not None:
                await self.session.close()

    async def session_walks(self) -> None:
        # A tab opening the app loads the page and the health and host-config endpoints first.
        for path in ("/", "/_stcore/health", "/_stcore/host-config"):
            await asyncio.to_thread(http_get, self.base + path)
        self.session = StSession(self.base, token_re=TOKEN_RE)
        await self.act("open", lambda s: s.open(), expect="1. " + self.kb.sections[0].title, think=False)
        while not self.out_of_time():
            await self.walk_once(self.session)

    async def pause(self) -> None:
        if self.think > 0:
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))

    async def act(self, kind: str, do: Callable[[StSession], Awaitable[Run]], *, expect: str | None = None,
                  think: bool = True) -> Run:
        if think:
            await self.pause()
        if time.monotonic() >= self.deadline:
            raise OutOfTime
        assert self.session is not None
        run = await do(self.session)
        self.rec.samples[kind].append(run.seconds)
        self.check(kind, run, expect)
        return run

    def check(self, kind: str, run: Run, expect: str | None) -> None:
        foreign = sorted(t for t in run.tokens if not t.startswith(self.prefix + "W"))
        if foreign:
            self.rec.leaks.append(f"user {self.index} {kind}: saw {', '.join(foreign[:3])}")
        if run.errors:
            raise WalkError(f"{kind}: {'; '.join(run.errors)[:200]}")
        if expect is not None and expect not in run.headings:
            raise WalkError(f"{kind}: expected heading {expect!r}, got {run.headings[-3:]}")

    async def walk_once(self, s: StSession) -> None:
        kb = self.kb
        plan = make_plan(kb, self.scenario, f"{self.prefix}W{self.walk:03d}", self.index * 100 + self.walk)
        for i, section in enumerate(kb.sections):
            for qid, value in plan.answers.items():
                key = f"q__{qid}"
                if kb.section_of[qid] != section.id or key not in s.widgets:
                    continue  # another step, or not relevant for the answers so far (show_if)
                for v in widget_values(kb.questions[qid], value, s.states.get(s.widgets[key].id)):
                    await self.act("answer", lambda s, key=key, v=v: s.set(key, v))
            last = i == len(kb.sections) - 1
            await self.act("next", lambda s: s.click("next"),
                           expect="Review your answers" if last else f"{i + 2}. {kb.sections[i + 1].title}")
        run = await self.act("results", lambda s: s.click("to_results"), expect="Results")
        if plan.token not in run.tokens:
            raise WalkError("results: the page does not name this walk's system")
        tick = next(k for k in s.widgets if k.startswith("chk__"))
        run = await self.act("tick", lambda s: s.set(tick, True))
        try:  # prepare the Markdown file (an interaction), then GET it as the browser's save does
            await self.act("prepare", lambda s: s.click("export_md"))
            seconds, body = await s.download("export_download")
        except ProtocolError as exc:  # a failed download: counted, and the person goes on with the page
            self.error(exc)
        else:
            self.rec.samples["export"].append(seconds)
            self.check_export(plan, body.decode("utf-8"), tick.removeprefix("chk__"))
        await self.act("nav", lambda s: s.goto_page(""), expect="Review your answers")
        await self.act("clear", lambda s: s.click("clear_all"), expect="1. " + kb.sections[0].title)
        self.rec.walks += 1
        self.walk += 1
        self.failed_walks = 0

    def check_export(self, plan: Plan, text: str, ticked: str) -> None:
        found = {m.decode() for m in TOKEN_RE.findall(text.encode())}
        if found != {plan.token}:
            self.rec.leaks.append(f"user {self.index} export: names {sorted(found)[:3]}, expected {plan.token}")
        q = self.kb.questions["service_count"]
        if f"| {q.text} | {format_answer(q, plan.answers['service_count'])} |" not in text:
            raise WalkError("export: this walk's service count is missing")
        if not any(line.startswith("- [x]") and f"(`{ticked}`)" in line for line in text.splitlines()):
            raise WalkError(f"export: the ticked item {ticked} is not done")
