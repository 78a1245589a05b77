"""The hostile-input corpus through the app's upload (AppTest): one error, answers and page kept.

The upload shows the same one line as the CLI, with the uploaded file's name, escaped for
Markdown (tests/test_injection_browser.py checks in Chromium that escaped text renders as
text). Files over the upload limit get the size line instead.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_bad_inputs import CORPUS, _answer_bytes, _answer_cases
from test_ui_support import new_app, run, set_answer

from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.ui.style import md_escape

UPLOAD_LIMIT = 200_000  # loader.parse_answers_bytes: uploads are answers files, never larger


@pytest.fixture(scope="module")
def app(kb: KnowledgeBase) -> AppTest:
    at = run(new_app())
    set_answer(at, kb, "service_count", 7)
    run(at)
    set_answer(at, kb, "system_name", "Kept")
    return run(at)


@pytest.mark.parametrize("name", _answer_cases())
def test_upload_of_a_corpus_case_is_one_error_and_keeps_everything(app: AppTest, name: str) -> None:
    before = dict(app.session_state["answers"])
    raw = _answer_bytes(name)
    app.file_uploader[0].set_value((f"{name}.yaml", raw, "application/x-yaml"))
    run(app)
    assert not app.exception, [e.value for e in app.exception]
    errors = [e.value for e in app.error]
    assert len(errors) == 1, errors
    if len(raw) > UPLOAD_LIMIT:
        expected = f"{name}.yaml: file is {len(raw):,} bytes, expected at most {UPLOAD_LIMIT:,}"
    else:
        golden = (CORPUS / "answers" / f"{name}.err").read_text(encoding="utf-8").rstrip("\n")
        expected = golden.replace("{file}", f"{name}.yaml")
    assert "answers are unchanged" in errors[0]
    assert md_escape(expected) in errors[0], (expected, errors[0])  # the CLI's line, shown as text
    assert app.session_state["answers"] == before
    assert app.header[0].value.startswith("1. ")  # the wizard is still there
    assert [b for b in app.sidebar.button if b.label == "Review answers"]
