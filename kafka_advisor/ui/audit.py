"""Audit page: paste or upload a config, pick its role (or let it be detected), read the findings.

What the user typed lives in one plain dict, ``st.session_state[INPUT]`` (text, file name, role), which
the widgets read their value from and write back to through ``on_change``: a failed upload or a page
change never loses it. Secrets are masked by the audit before anything is shown; every text that comes
from the config is shown through ``st.code``/``st.dataframe`` or escaped with ``md_escape``.
If an assessment is loaded (``st.session_state["answers"]``), the config is judged against it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import streamlit as st

from kafka_advisor import sarif
from kafka_advisor.audit import AuditResult, audit, text_report
from kafka_advisor.audit_parse import MAX_BYTES, decode
from kafka_advisor.audit_roles import ROLE_LABELS
from kafka_advisor.model import Report
from kafka_advisor.ui import pages, state
from kafka_advisor.ui.style import SEVERITIES, md_escape, severity_md
from kafka_advisor.yamlsource import AdvisorError

TITLE = "Audit a config"
INPUT = "audit_input"  # {"text": str, "name": str, "role": str, "judge": bool}: the user's own input
TEXT_W, ROLE_W, JUDGE_W = "audit_text_w", "audit_role_w", "audit_judge_w"
UPLOAD_N, UPLOAD_ERROR = "audit_upload_n", "audit_upload_error"
DETECT = "detect"
ROLE_OPTIONS = [DETECT, *ROLE_LABELS, "librdkafka-producer", "librdkafka-consumer", "librdkafka-admin"]
UPLOAD_TYPES = ["properties", "conf", "cfg", "json", "yaml", "yml", "sh", "py", "txt"]
DEFAULT_NAME = "pasted-config"


def role_label(option: str) -> str:
    if option == DETECT:
        return "Detect from the keys"
    if option.startswith("librdkafka-"):
        return f"{ROLE_LABELS[option.removeprefix('librdkafka-')].capitalize()} (confluent-kafka / librdkafka)"
    return ROLE_LABELS[option][0].upper() + ROLE_LABELS[option][1:]


def user_input() -> dict[str, Any]:
    return st.session_state.setdefault(INPUT, {"text": "", "name": DEFAULT_NAME, "role": DETECT, "judge": True})


# --------------------------------------------------------------------------- callbacks


def _typed() -> None:
    data = user_input()
    data["text"] = st.session_state.get(TEXT_W, "")
    if not data["text"].strip():
        data["name"] = DEFAULT_NAME


def _role_picked() -> None:
    user_input()["role"] = st.session_state.get(ROLE_W, DETECT)


def _judge_toggled() -> None:
    user_input()["judge"] = bool(st.session_state.get(JUDGE_W, True))


def _uploaded() -> None:
    """Put an uploaded file into the text box; a file that is not a text config leaves the text as it was."""
    key = f"audit_upload_{st.session_state.get(UPLOAD_N, 0)}"
    file = st.session_state.get(key)
    if file is None:
        return
    st.session_state[UPLOAD_N] = st.session_state.get(UPLOAD_N, 0) + 1  # a fresh uploader: the same file can come again
    st.session_state.pop(UPLOAD_ERROR, None)
    try:
        text = decode(file.getvalue(), file.name, max_bytes=MAX_BYTES)
    except AdvisorError as exc:
        st.session_state[UPLOAD_ERROR] = exc.one_line()
        return
    data = user_input()
    data["text"], data["name"] = text, Path(file.name).name
    st.session_state[TEXT_W] = text


def _clear() -> None:
    data = user_input()
    data["text"], data["name"] = "", DEFAULT_NAME
    st.session_state[TEXT_W] = ""
    st.session_state.pop(UPLOAD_ERROR, None)


# --------------------------------------------------------------------------- the audit


def _assessment(kb: Any) -> Report | None:
    if not state.answers() and state.inventory() is None:
        return None
    return state.report(kb)


def run_audit(data: dict[str, Any], report: Report | None) -> tuple[AuditResult | None, str | None]:
    """The result, or the one-line reason the input could not be audited (memoised per input)."""
    role = None if data["role"] == DETECT else data["role"]
    key = (data["text"], data["name"], data["role"], id(report) if report is not None else None)

    def make() -> tuple[AuditResult | None, str | None]:
        try:
            return audit(data["text"], data["name"], role=role, report=report), None
        except AdvisorError as exc:
            return None, exc.one_line()
        except Exception as exc:  # a bug of ours: keep the page and the text, log only the type (never the config)
            logging.getLogger(__name__).error("audit failed: %s", type(exc).__name__)
            return None, f"{data['name']}: the advisor failed to audit this config ({type(exc).__name__})."

    return state.memo("audit", key, make)


def numbered(result: AuditResult, line: int | None) -> str:
    width = len(str(len(result.lines)))
    rows = result.excerpt(line)
    return "\n".join(f"{'>' if n == line else ' '} {n:>{width}} | {text}" for n, text in rows)


_FLAVOURS = {"topic": "topic-properties", "streams": "streams", "connect-worker": "connect-worker",
             "source-connector": "connector-json", "sink-connector": "connector-json"}


def fixing_snippets(kb: Any, report: Report | None) -> list[Any]:
    """The report's config snippets (kafka_advisor.configs), when an assessment is judged against."""
    if report is None:
        return []
    try:
        from kafka_advisor import configs
    except ImportError:  # the snippets module is optional for this page
        return []
    return state.memo("audit_snippets", state.state_key(), lambda: configs.snippets_for(report, kb))


def snippet_for(result: AuditResult, key: str | None, snippets: list[Any]) -> Any | None:
    """The advisor's own snippet that sets this key for this kind of config, if there is one."""
    if not key:
        return None
    role = result.role.role
    flavour = _FLAVOURS.get(role) or ("librdkafka" if result.role.flavour == "librdkafka" else "java-properties")
    plain = key.split("override.")[-1] if role.endswith("-connector") and "override." in key else key
    for s in snippets:
        if s.flavour == flavour and (s.role is None or s.role == role) and (key in s.config or plain in s.config):
            return s
    return None


def findings(result: AuditResult, snippets: list[Any] | None = None) -> None:
    if not result.findings:
        st.success("No findings: nothing in this config contradicts Kafka's rules"
                   + (" or your assessment." if result.intent is not None else "."), icon=":material/check_circle:")
        return
    for severity in ("high", "medium", "low"):
        group = [f for f in result.findings if f.severity == severity]
        if not group:
            continue
        st.subheader(f"{SEVERITIES[severity].label} ({len(group)})")
        for f in group:
            with st.container(border=True):
                where = f"line {f.line}" if f.line is not None else "not set in the file"
                st.markdown(f"{severity_md(f.severity)} **{md_escape(f.title or f.rule)}** · {md_escape(where)} · "
                            f"`{f.rule}`")
                st.markdown(md_escape(f.message))
                if f.line is not None:
                    st.code(numbered(result, f.line), language=None)
                st.markdown(f"**Fix:** {md_escape(f.fix)}")
                snippet = snippet_for(result, f.key, snippets or [])
                if snippet is not None:
                    with st.expander(f"The advisor's snippet that sets it: {md_escape(snippet.title)}"):
                        st.code(snippet.body, language={"connector-json": "json", "librdkafka": "python"}.get(
                            snippet.flavour, "properties"))
                st.caption(f"Source: {md_escape(f.source)}")


def summary(result: AuditResult) -> None:
    counts = result.counts()
    parts = [f"{severity_md(s)} {counts[s]}" for s in ("high", "medium", "low")]
    st.markdown(f"**{md_escape(result.name)}**: {md_escape(result.role.label)} · " + " ".join(parts))
    st.caption(f"Role {md_escape(result.role.reason)}.")
    if result.intent is not None:
        st.caption("Judged against your assessment: its chosen patterns, loss and duplicate tolerance and Kafka version.")
    for note in result.notes[1:]:
        st.caption(md_escape(note))
    if result.masked:
        st.caption(f"{result.masked} secret value{'s are' if result.masked != 1 else ' is'} masked as ******** "
                   "here and in every download.")


def downloads(result: AuditResult) -> None:
    stem = Path(result.name).stem or "config"
    left, right = st.columns(2)
    with left:
        st.download_button("Download SARIF (code scanning)", data=sarif.dumps([result]), file_name=f"{stem}.sarif",
                           mime="application/sarif+json", icon=":material/download:", on_click="ignore",
                           key="audit_sarif")
    with right:
        st.download_button("Download the findings (text)", data=text_report(result), file_name=f"{stem}-audit.txt",
                           mime="text/plain", icon=":material/download:", on_click="ignore", key="audit_text_dl")


def settings_table(result: AuditResult) -> None:
    n = len(result.settings)
    with st.expander(f"The {n} setting{'s' if n != 1 else ''} as read (secrets masked)"):
        st.dataframe([{"Line": n, "Key": k, "Value": v} for k, v, n in result.settings], hide_index=True)


# --------------------------------------------------------------------------- page


def render() -> None:
    kb = state.get_kb()
    data = user_input()
    st.title(TITLE)
    st.caption("Paste or upload a producer, consumer, topic, connector, Connect worker or Kafka Streams config "
               "(.properties, JSON, YAML, a kafka-topics.sh command or a confluent-kafka Python dict). It is checked "
               "in this session only: nothing is stored, and secrets are masked in everything shown.")
    report = _assessment(kb)
    with st.sidebar:
        if report is not None:
            st.checkbox("Judge against my assessment", key=JUDGE_W, value=data["judge"], on_change=_judge_toggled,
                        help="Also check the config against the patterns, guarantees and Kafka version you chose.")
        else:
            st.caption("No assessment loaded: only Kafka's own rules are checked.")
            st.page_link(pages.ASSESS, label="Start an assessment", icon=":material/checklist_rtl:")
    if TEXT_W not in st.session_state:
        st.session_state[TEXT_W] = data["text"]  # the widget was dropped (another page): give it the text back
    left, right = st.columns([3, 2])
    with left:
        st.text_area("Config", key=TEXT_W, on_change=_typed, height=260, max_chars=MAX_BYTES,
                     placeholder="acks=all\nenable.idempotence=true\n...")
    with right:
        st.selectbox("What is it?", ROLE_OPTIONS, index=ROLE_OPTIONS.index(data["role"]), format_func=role_label,
                     key=ROLE_W, on_change=_role_picked)
        st.file_uploader("Or upload a file", type=UPLOAD_TYPES, key=f"audit_upload_{st.session_state.get(UPLOAD_N, 0)}",
                         on_change=_uploaded, max_upload_size=1, help="At most 1 MB of text.")
        st.button("Clear", on_click=_clear, icon=":material/backspace:", key="audit_clear", disabled=not data["text"])
    problem = st.session_state.get(UPLOAD_ERROR)
    if problem:
        st.error(f"**That file could not be read; the text above is unchanged.**  \n{md_escape(problem)}",
                 icon=":material/error:")
    if not data["text"].strip():
        st.info("Paste a config above or upload a file to audit it.", icon=":material/content_paste:")
        return
    judged = report if report is not None and data["judge"] else None
    result, error = run_audit(data, judged)
    if error is not None or result is None:
        st.error(f"**This config could not be audited; your text is kept.**  \n{md_escape(error or '')}",
                 icon=":material/error:")
        return
    summary(result)
    downloads(result)
    findings(result, fixing_snippets(kb, judged))
    settings_table(result)


if __name__ == "__main__":  # st.navigation runs page files as __main__
    render()
