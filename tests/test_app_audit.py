"""AppTest: the Audit page — reachable from the navigation, findings by severity with their lines and fixes,
secrets masked, judged against a loaded assessment, a SARIF download, and nothing typed lost on an error."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest
from test_ui_support import CATALOGUE, ROOT, new_app, run

from kafka_advisor.loader import KnowledgeBase, load_answers_doc
from kafka_advisor.share import answers_to_query
from kafka_advisor.ui.audit import ROLE_OPTIONS, TEXT_W, TITLE
from kafka_advisor.ui.pages import AUDIT

CORPUS = ROOT / "tests" / "audit_corpus"
SECRET = "Pl4nted-App-Secret"
CONFIG = (f"acks=1\nretries=0\nenable.idempotency=true\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
          f"required username=\"app\" password=\"{SECRET}\";\nssl.truststore.password={SECRET}\n")


def audit_page(answers_file: Path | None = None, kb: KnowledgeBase | None = None) -> AppTest:
    at = new_app()
    if answers_file is not None and kb is not None:
        at.query_params.update(answers_to_query(kb, load_answers_doc(kb, answers_file).answers))
    run(at)
    at.switch_page(AUDIT)
    return run(at)


def paste(at: AppTest, text: str) -> AppTest:
    at.text_area(key=TEXT_W).input(text)
    return run(at)


def shown(at: AppTest) -> str:
    """Everything the page shows as output (not the text box the user typed into)."""
    parts = [str(e.value) for kind in ("title", "subheader", "markdown", "caption", "code", "success", "warning", "error",
                                       "info") for e in at.get(kind)]
    parts += [e.value.to_string() for e in at.dataframe]
    return "\n".join(parts)


def test_the_page_is_reachable_through_the_navigation() -> None:
    at = audit_page()
    assert at.title[0].value == TITLE
    assert any("Paste a config" in i.value for i in at.info)
    assert not at.error


def test_findings_by_severity_with_lines_fixes_and_masked_secrets() -> None:
    at = paste(audit_page(), CONFIG)
    headings = [h.value for h in at.subheader]
    assert headings == ["High (2)", "Medium (1)"], headings
    codes = [c.value for c in at.code]
    assert any("> 1 | acks=1" in c for c in codes) and any("> 3 | enable.idempotency=true" in c for c in codes)
    page = shown(at)
    assert "Fix:" in page and "enable\\.idempotence" in page
    assert SECRET not in page
    assert "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule" not in page  # the value is masked
    assert "2 secret values are masked" in page
    buttons = {b.proto.label for b in at.get("download_button")}
    assert buttons == {"Download SARIF (code scanning)", "Download the findings (text)"}


def test_judged_against_the_loaded_assessment(kb: KnowledgeBase) -> None:
    consumer = "group.id=ledger-reader\nenable.auto.commit=false\nisolation.level=read_uncommitted\n"
    at = paste(audit_page(CORPUS / "answers" / "eos-v39.yaml", kb), consumer)
    page = shown(at)
    assert "Judged against your assessment" in page and "eos-read-uncommitted" in page
    if importlib.util.find_spec("kafka_advisor.configs") is not None:  # the advisor's own snippet for the fix
        assert any(e.label.startswith("The advisor's snippet that sets it") for e in at.expander)
    at.checkbox(key="audit_judge_w").uncheck()
    run(at)
    assert "eos-read-uncommitted" not in shown(at) and "No findings" in shown(at)
    plain = paste(audit_page(), consumer)  # no assessment: only Kafka's own rules
    assert "No findings" in shown(plain) and "No assessment loaded" in shown(plain)


def test_an_unreadable_config_keeps_the_text() -> None:
    at = audit_page()
    text = "acks=all\nthis line is not a setting\n"
    paste(at, text)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "your text is kept" in errors[0] and ":2:" in errors[0]
    assert at.text_area(key=TEXT_W).value == text
    at.selectbox(key="audit_role_w").set_value("topic")
    run(at)
    assert at.text_area(key=TEXT_W).value == text  # still there after another change


def test_upload_fills_the_text_and_a_binary_upload_changes_nothing() -> None:
    at = audit_page()
    good = (CORPUS / "bad" / "unknown-key.properties").read_bytes()
    at.file_uploader[0].set_value(("producer.properties", good, "text/plain"))
    run(at)
    assert at.text_area(key=TEXT_W).value == good.decode()
    assert "producer\\.properties" in shown(at) and "unknown-key" in shown(at)  # the file name, escaped
    at.file_uploader[0].set_value(("renamed.properties", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"))
    run(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "text above is unchanged" in errors[0] and "binary file" in errors[0]
    assert at.text_area(key=TEXT_W).value == good.decode()


def test_the_text_survives_a_page_change() -> None:
    at = paste(audit_page(), "acks=all\nlinger.ms=5\n")
    at.switch_page(CATALOGUE)
    run(at)
    at.switch_page(AUDIT)
    run(at)
    assert at.text_area(key=TEXT_W).value == "acks=all\nlinger.ms=5\n"
    assert "No findings" in shown(at)


def test_config_text_is_never_rendered_as_markup() -> None:
    at = paste(audit_page(), "linger.ms=[click](https://e.vil) **bold** :red[alarm] <b>x</b>\nacks=all\n")
    for m in at.markdown:
        outside_code = re.sub(r"(`+)(.+?)\1", "", m.value)  # inside a code span nothing is interpreted
        for raw in ("[click](", "https://e.vil", "**bold**", ":red[", "<b>"):
            assert raw not in outside_code, m.value
    assert "bad-value" in shown(at)


def test_librdkafka_role_and_every_role_option_render() -> None:
    at = paste(audit_page(), "{'acks': 1, 'enable.idempotence': True}")
    assert "confluent-kafka" in shown(at) and "idempotence-conflict" in shown(at)
    for option in ROLE_OPTIONS:
        at.selectbox(key="audit_role_w").set_value(option)
        run(at)  # each role renders (findings, or one error line), never an exception
