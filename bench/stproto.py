"""A Streamlit client that speaks the app's own websocket protocol, as the browser's frontend does.

One `StSession` is one browser tab: it connects to `/_stcore/stream`, sends `rerun_script` BackMsgs
that carry the full set of widget states (plus a trigger for a clicked button), reads ForwardMsgs
until `script_finished`, keeps the ForwardMsg cache that the frontend keeps (`cached_message_hashes`
out, `ref_hash` in), follows page changes and the query string, and fetches deferred downloads.

It parses every frame (upb protobuf, C) but renders nothing, so a session costs the driver little
CPU and the time it measures is the server's: BackMsg sent to `script_finished` received.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, BackMsg, DeferredFileRequestPayload
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

# Widgets whose value the frontend keeps and sends back on every rerun (buttons only send triggers).
VALUE_WIDGETS = {"radio", "button_group", "number_input", "text_input", "checkbox", "file_uploader"}
TRIGGER_WIDGETS = {"button", "download_button"}
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
ID_PREFIX = "$$ID-"  # keyed widget ids are "$$ID-<hash>-<user key>"


class ProtocolError(Exception):
    """The server answered in a way a browser would show as an error (or not at all)."""


@dataclass
class Widget:
    id: str
    kind: str
    proto: Any
    fragment_id: str


@dataclass
class Run:
    """What one interaction brought back."""

    seconds: float = 0.0
    frames: int = 0
    bytes: int = 0
    status: int = -1
    headings: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)  # matches of the session's token pattern
    errors: list[str] = field(default_factory=list)


def widget_key(widget_id: str) -> str:
    return widget_id.split("-", 2)[2] if widget_id.startswith(ID_PREFIX) else widget_id


def initial_state(w: Widget, prior: WidgetState | None) -> WidgetState | None:
    """The value the frontend holds for a widget it just drew: the server's value when the server set
    one (`set_value`), else what the tab already had for that id, else the widget's default."""
    p, s = w.proto, WidgetState(id=w.id)
    if not getattr(p, "set_value", False) and prior is not None:
        return prior
    if w.kind == "radio":
        if p.set_value:
            if not p.HasField("raw_value"):
                return None
            s.string_value = p.raw_value
        elif p.HasField("default"):
            s.string_value = p.options[p.default]
        else:
            return None
    elif w.kind == "button_group":
        values = list(p.raw_values) if p.set_value else [p.options[i].content for i in p.default]
        s.string_array_value.data.extend(values)
    elif w.kind == "number_input":
        if p.set_value and not p.HasField("value"):
            return None
        if not p.set_value and not p.HasField("default"):
            return None
        number = p.value if p.set_value else p.default
        if p.data_type == p.INT:
            s.int_value = int(number)
        else:
            s.double_value = number
    elif w.kind == "text_input":
        s.string_value = p.value if p.set_value else p.default
    elif w.kind == "checkbox":
        s.bool_value = p.value if p.set_value else p.default
    elif w.kind == "file_uploader":
        s.file_uploader_state_value.SetInParent()  # no file: the browser sends an empty state
    return s


def http_get(url: str, timeout: float = 30.0) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # loopback only: the server we started
            return bytes(resp.read())
    except urllib.error.HTTPError as exc:
        raise ProtocolError(f"GET {url.split('/', 3)[-1]}: HTTP {exc.code}") from None


class StSession:
    """One browser tab's conversation with the server."""

    def __init__(self, base: str, *, token_re: re.Pattern[bytes] | None = None, timeout: float = 60.0) -> None:
        self.base, self.token_re, self.timeout = base.rstrip("/"), token_re, timeout
        self.ws: ClientConnection | None = None
        self.session_id = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> page script hash
        self.query = ""
        self.widgets: dict[str, Widget] = {}  # user key (or id) -> widget, as drawn by the last run
        self.states: dict[str, WidgetState] = {}  # widget id -> value the tab holds
        self._cache: dict[str, list[Any]] = {}  # ForwardMsg hash -> [frame bytes, run count, fragment id]
        self._runs = 0
        self._max_age = 2
        self._run_widgets: dict[str, Widget] = {}
        self._run_states: dict[str, WidgetState] = {}
        self._fragments: list[str] = []  # the fragments the current run runs; empty for a full run

    # ------------------------------------------------------------------ connection

    async def open(self, path: str = "", query: str = "") -> Run:
        """Connect and run the first script run, as a tab opening `base/path?query` does."""
        self.ws = await connect(self.base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                compression=None, max_size=None, ping_interval=None, open_timeout=self.timeout)
        self.query = query
        return await self.rerun(page_name=path)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    # ------------------------------------------------------------------ interactions

    async def rerun(self, *, changes: Sequence[WidgetState] = (), trigger: str | None = None,
                    fragment_id: str = "", page_hash: str | None = None, page_name: str = "") -> Run:
        for s in changes:
            self.states[s.id] = s
        cs = ClientState(query_string=self.query, page_script_hash=self.page_hash if page_hash is None else page_hash,
                         page_name=page_name, fragment_id=fragment_id, cached_message_hashes=list(self._cache),
                         context_info=ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US",
                                                  url=f"{self.base}/", color_scheme="light"))
        if page_hash is None or page_hash == self.page_hash:
            cs.widget_states.widgets.extend(self.states.values())
        if trigger is not None:
            cs.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        return await self._exchange(BackMsg(rerun_script=cs).SerializeToString())

    async def send_raw(self, payload: bytes) -> Run:
        """Send a BackMsg as recorded elsewhere (a browser's), and read its run."""
        return await self._exchange(payload)

    def widget(self, key: str) -> Widget:
        try:
            return self.widgets[key]
        except KeyError:
            raise ProtocolError(f"no widget {key!r} on the page") from None

    async def click(self, key: str) -> Run:
        w = self.widget(key)
        return await self.rerun(trigger=w.id, fragment_id=w.fragment_id)

    async def set(self, key: str, value: Any) -> Run:
        """Give a value widget a new value (radio: option label; pills: list of labels)."""
        w = self.widget(key)
        s = WidgetState(id=w.id)
        if w.kind == "button_group":
            s.string_array_value.data.extend(value)
        elif w.kind == "checkbox":
            s.bool_value = bool(value)
        elif w.kind == "number_input":
            if w.proto.data_type == w.proto.INT:
                s.int_value = int(value)
            else:
                s.double_value = float(value)
        else:
            s.string_value = str(value)
        return await self.rerun(changes=[s], fragment_id=w.fragment_id)

    async def goto_page(self, url_path: str) -> Run:
        """A page link in the sidebar: the frontend drops the query string and the page's widget states."""
        self.query = ""
        return await self.rerun(page_hash=self.pages[url_path])

    async def download(self, key: str) -> tuple[float, bytes]:
        """GET a download button's file: a deferred button first asks the server to run its callable."""
        w = self.widget(key)
        if not w.proto.deferred_file_id:
            t0 = time.perf_counter()
            url = w.proto.url
            body = await asyncio.to_thread(http_get, url if url.startswith("http") else self.base + url, self.timeout)
            return time.perf_counter() - t0, body
        request_id = uuid.uuid4().hex
        msg = BackMsg(backend_operation_request=BackendOperationRequest(
            request_id=request_id, session_id=self.session_id,
            deferred_file=DeferredFileRequestPayload(file_id=w.proto.deferred_file_id)))
        assert self.ws is not None
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        async with asyncio.timeout(self.timeout):
            while True:
                fwd = ForwardMsg.FromString(await self.ws.recv())
                if fwd.WhichOneof("type") == "backend_operation_response":
                    resp = fwd.backend_operation_response
                    if resp.request_id == request_id:
                        break
        if resp.error_msg:
            raise ProtocolError(f"download {key}: {resp.error_msg}")
        url = resp.deferred_file.url
        body = await asyncio.to_thread(http_get, url if url.startswith("http") else self.base + url, self.timeout)
        return time.perf_counter() - t0, body

    # ------------------------------------------------------------------ reading

    async def _exchange(self, payload: bytes) -> Run:
        assert self.ws is not None
        run = Run()
        t0 = time.perf_counter()
        await self.ws.send(payload)
        try:
            async with asyncio.timeout(self.timeout):
                while run.status not in DONE:
                    data = await self.ws.recv()
                    self._on_frame(data, run)  # type: ignore[arg-type]
                    if run.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        break
        except TimeoutError:
            raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from None
        run.seconds = time.perf_counter() - t0
        return run

    def _on_frame(self, data: bytes, run: Run) -> None:
        run.frames += 1
        run.bytes += len(data)
        if self.token_re is not None:
            run.tokens.update(m.decode() for m in self.token_re.findall(data))
        msg = ForwardMsg.FromString(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            entry = self._cache.get(msg.ref_hash)
            if entry is None:
                run.errors.append(f"ForwardMsg cache miss {msg.ref_hash}")
                return
            entry[1] = self._runs
            msg = ForwardMsg.FromString(entry[0])
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable:
            if msg.hash in self._cache:
                self._cache[msg.hash][1] = self._runs
            else:
                self._cache[msg.hash] = [data, self._runs, msg.delta.fragment_id]
        if kind == "delta":
            self._on_delta(msg, run)
        elif kind == "new_session":
            self._on_new_session(msg)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.pages = {p.url_pathname if not p.is_default else "": p.page_script_hash
                          for p in msg.navigation.app_pages}
        elif kind == "script_finished":
            run.status = msg.script_finished
            if run.status in DONE:
                self._finish_run()
            elif run.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.errors.append("script compile error")
        elif kind == "page_not_found":
            run.errors.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            run.errors.append(msg.session_event.script_compilation_exception.message)

    def _on_new_session(self, msg: ForwardMsg) -> None:
        ns = msg.new_session
        if ns.HasField("initialize"):
            self.session_id = ns.initialize.session_id
        self._max_age = ns.config.max_cached_message_age or self._max_age
        self.page_hash = ns.page_script_hash
        self._fragments = list(msg.metadata.run.fragment_ids)
        self._run_widgets, self._run_states = {}, {}  # a run that ended early for a rerun draws nothing

    def _on_delta(self, msg: ForwardMsg, run: Run) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind in VALUE_WIDGETS or kind in TRIGGER_WIDGETS:
            proto = getattr(el, kind)
            w = Widget(proto.id, kind, proto, delta.fragment_id)
            self._run_widgets[widget_key(proto.id)] = w
            if kind in VALUE_WIDGETS:
                s = initial_state(w, self.states.get(proto.id))
                if s is not None:
                    self._run_states[proto.id] = s
        elif kind == "heading":
            run.headings.append(el.heading.body)
        elif kind == "exception":
            run.errors.append(f"{el.exception.type}: {el.exception.message}")
        elif kind == "alert" and el.alert.format == el.alert.ERROR:
            run.errors.append(f"error box: {el.alert.body[:120]}")

    def _finish_run(self) -> None:
        # The frontend drops widgets that a full run did not draw; a fragment run redraws only its part.
        if self._fragments:
            self.widgets.update(self._run_widgets)
            self.states.update(self._run_states)
        else:
            self.widgets, self.states = self._run_widgets, self._run_states
        self._run_widgets, self._run_states = {}, {}
        self._runs += 1
        # The frontend's ForwardMsg cache forgets what went unused for more than max_cached_message_age runs
        # (a fragment run ages only that fragment's messages).
        stale = [h for h, (_, seen, frag) in self._cache.items() if self._runs - seen > self._max_age
                 and (not self._fragments or frag in self._fragments)]
        for h in stale:
            del self._cache[h]
