"""AppTest: the wizard step "Your system's parts" (the system inventory).

AppTest cannot type into an ``st.data_editor``: it applies the edit state a keyed editor holds
(``edited_rows``, ``added_rows``, ``deleted_rows``) when that state is assigned on
``at.session_state`` before a run. The browser sends the same state after each edit, so the
tests below drive the tables exactly that way (``edit``); like the browser's, each assignment
holds every edit made since the table was drawn.
"""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest
from test_ui_support import GOOD, RESULTS, ROOT, new_app, run, set_answer, texts

from kafka_advisor.engine import effective_answers, evaluate
from kafka_advisor.inventory import summary_of
from kafka_advisor.loader import KnowledgeBase, load_answers_doc, parse_answers_doc_bytes
from kafka_advisor.share import inventory_from_param, inventory_to_param
from kafka_advisor.ui import inventory_editor as editor
from kafka_advisor.ui.assess import download_yaml
from kafka_advisor.ui.style import md_escape

TWELVE = ROOT / "examples" / "order-platform-12-services-good-fit.yaml"
SERVICES, EXTERNALS = 0, 1  # the editors, in page order


def to_parts(at: AppTest) -> AppTest:
    at.button(key="goto_inventory").click()
    run(at)
    assert at.header[0].value == editor.TITLE
    return at


def edit(at: AppTest, table: int, *, added: list[dict[str, Any]] | None = None,
         edited: dict[int, dict[str, Any]] | None = None, deleted: list[int] | None = None) -> AppTest:
    """What the browser sends after editing a table: every edit since the table was drawn."""
    at.session_state[at.data_editor[table].key] = {"edited_rows": edited or {}, "added_rows": added or [],
                                                   "deleted_rows": deleted or []}
    return run(at)


THREE = [{"name": "orders", "team": "checkout", "database": "postgresql", "log_capture": "yes",
          "produces": "order-placed"},
         {"name": "payments", "team": "checkout", "consumes": "order-placed"},
         {"name": "shipping", "team": "fulfilment", "consumes": "order-placed, payment-captured"}]


def inventory(at: AppTest) -> Any:
    """The inventory in effect (the key exists once something set it)."""
    return at.session_state.get("inventory")


def report(at: AppTest) -> Any:
    """The report the results page drew last (state.report's memo)."""
    return at.session_state["memo_report"][1]


def test_the_step_comes_right_after_the_first_section(kb: KnowledgeBase) -> None:
    at = run(new_app())
    at.button(key="next").click()
    run(at)
    assert at.header[0].value == editor.TITLE
    assert at.get("progress")[0].proto.text == f"Step 2 of {len(kb.sections) + 2}: {editor.TITLE}"
    assert editor.HELP in texts(at)
    assert [d.editing_mode for d in at.data_editor] == ["dynamic", "dynamic"]
    assert list(at.data_editor[SERVICES].value.columns) == list(editor.SERVICE_COLUMNS)
    assert list(at.data_editor[EXTERNALS].value.columns) == list(editor.EXTERNAL_COLUMNS)
    assert len(at.data_editor[SERVICES].value) == 0  # empty: nothing is assumed
    assert at.button(key="inv_example").label == "Start from an example"
    assert not at.error
    at.button(key="next").click()  # skipped: the questions are asked as before
    run(at)
    assert at.header[0].value == f"2. {kb.sections[1].title}"
    assert inventory(at) is None
    at.button(key="back").click()
    run(at)
    at.button(key="back").click()
    run(at)
    assert at.header[0].value == f"1. {kb.sections[0].title}"
    assert at.number_input(key="q__service_count")  # still asked


def test_editing_the_services_table_answers_the_service_count(kb: KnowledgeBase) -> None:
    at = run(new_app())
    set_answer(at, kb, "system_name", "Shop")
    run(at)
    set_answer(at, kb, "service_count", 7)
    run(at)
    edit(to_parts(at), SERVICES, added=[*THREE, {}])  # the browser's new empty row is ignored
    assert not at.error
    inv = inventory(at)
    assert [s.name for s in inv.services] == ["orders", "payments", "shipping"]
    assert "In effect:** 3 services \\(2 teams\\), 2 events." in texts(at)
    assert "Events named so far: order\\-placed, payment\\-captured." in texts(at)
    assert inventory_from_param(at.query_params["inv"]) == (inv, None)  # the address bar carries it
    assert "service_count" not in at.query_params  # implied by the inventory, not repeated

    at.button(key="goto_0").click()
    run(at)
    assert not [w for w in at.number_input if w.key == "q__service_count"]  # not asked: shown as derived
    page = texts(at)
    assert (f"{kb.questions['service_count'].text} **3 services** — from your inventory "
            "(services listed in the inventory)") in page
    assert "**2 teams** — from your inventory (distinct teams in the inventory)" in page

    at.switch_page(RESULTS)
    run(at)
    assert report(at).answers["service_count"] == 3 and "service_count" in report(at).derived
    assert report(at).inventory == inv

    # Deleting the rows removes the inventory: the user's own answer is back, and the report follows.
    at.switch_page("kafka_advisor/ui/assess.py")
    run(at)
    edit(to_parts(at), SERVICES, deleted=[0, 1, 2, 3])
    assert inventory(at) is None
    at.button(key="goto_0").click()
    run(at)
    assert at.number_input(key="q__service_count").value == 7
    at.switch_page(RESULTS)
    run(at)
    assert report(at).answers["service_count"] == 7 and report(at).inventory is None


def test_an_invalid_row_is_one_line_per_problem_and_the_rows_are_kept(kb: KnowledgeBase) -> None:
    at = to_parts(run(new_app()))
    edit(at, SERVICES, added=THREE[:2])
    valid = inventory(at)
    assert len(valid.services) == 2 and not at.error
    long_name = "n" * 61
    edit(at, SERVICES, added=[*THREE[:2], {"name": "Orders"}, {"name": long_name, "team": "x"}])
    assert len(at.error) == 1
    box = at.error[0].value
    for line in ("Services row 3, name: the name 'Orders' is used twice (also Services row 1), expected each "
                 "service and system to have its own name",
                 "Services row 4, name: 61 characters, expected text of 1 to 60 characters"):
        assert f"- {md_escape(line)}" in box.split("\n"), box
    assert f"last valid list ({md_escape(summary_of(valid))})" in box
    assert inventory(at) == valid  # the last valid inventory stays in effect
    assert [r["name"] for r in at.session_state["inv_rows"]["services"]] == ["orders", "payments", "Orders", long_name]

    at.button(key="goto_0").click()  # leave the step: the editor widget is dropped...
    run(at)
    to_parts(at)  # ...and drawn again from the kept rows
    shown = at.data_editor[SERVICES].value
    assert list(shown["name"]) == ["orders", "payments", "Orders", long_name]
    assert len(at.error) == 1
    edit(at, SERVICES, edited={2: {"name": "refunds"}}, deleted=[3])  # fixed: edits on the table as drawn
    assert not at.error
    assert [s.name for s in inventory(at).services] == ["orders", "payments", "refunds"]


def test_uploading_the_twelve_service_file_restores_the_inventory(kb: KnowledgeBase) -> None:
    doc = load_answers_doc(kb, TWELVE)
    at = run(new_app())
    at.file_uploader[0].set_value((TWELVE.name, TWELVE.read_bytes(), "application/x-yaml"))
    run(at)
    assert inventory(at) == doc.inventory
    assert at.session_state["answers"] == doc.answers
    assert any("system inventory (12 services" in s.value for s in at.success)
    page = texts(at)  # the review step
    assert md_escape(summary_of(doc.inventory)) in page
    assert "**12 services** — from your inventory" in page
    to_parts(at)
    assert list(at.data_editor[SERVICES].value["name"])[:3] == ["storefront", "catalog", "search"]
    assert list(at.data_editor[EXTERNALS].value["kind"]) == ["warehouse"]

    # "Download answers" writes what state.shared_answers gives (AppTest cannot read the bytes): it reads
    # back to the same assessment, with no answer that disagrees with the inventory.
    given = kb.derived_from(doc.inventory)
    shared = {q: v for q, v in effective_answers(kb, {**doc.answers, **given}).items() if q not in given}
    back = parse_answers_doc_bytes(kb, download_yaml(doc.title, shared, doc.inventory).encode("utf-8"), "saved.yaml")
    assert back.inventory == doc.inventory and back.title == doc.title
    assert evaluate(kb, back.answers, inventory=back.inventory) == evaluate(kb, doc.answers, inventory=doc.inventory)

    at.file_uploader[0].set_value((GOOD.name, GOOD.read_bytes(), "application/x-yaml"))
    run(at)
    assert inventory(at) is None  # a file is a whole assessment: without one, none is kept


def test_start_from_an_example_fills_empty_tables_only(kb: KnowledgeBase) -> None:
    at = to_parts(run(new_app()))
    at.button(key="inv_example").click()
    run(at)
    assert inventory(at) == editor.EXAMPLE
    assert list(at.data_editor[SERVICES].value["name"]) == ["orders", "payments", "shipping"]
    assert list(at.data_editor[EXTERNALS].value["name"]) == ["Analytics warehouse"]
    assert not [b for b in at.button if b.key == "inv_example"]  # not offered over the user's rows
    edit(at, SERVICES, edited={0: {"team": "sales"}})
    assert inventory(at).services[0].team == "sales"


def test_share_link_with_an_inventory(kb: KnowledgeBase) -> None:
    doc = load_answers_doc(kb, TWELVE)
    at = new_app()
    at.query_params["system_name"] = "Shop"
    at.query_params["inv"] = inventory_to_param(doc.inventory)
    run(at)
    assert inventory(at) == doc.inventory
    assert at.session_state["answers"] == {"system_name": "Shop"}
    assert any("the system inventory (12 services" in s.value for s in at.success)

    bad = new_app()
    bad.query_params["system_name"] = "Shop"
    bad.query_params["inv"] = "!!garbage"
    run(bad)
    assert inventory(bad) is None
    assert bad.session_state["answers"] == {"system_name": "Shop"}
    warning = "\n".join(w.value for w in bad.warning)
    assert md_escape("Link parameter 'inv':") in warning and "ignored" in warning
    assert "inv" not in bad.query_params  # the mirror drops what was not understood


def test_start_over_clears_the_inventory(kb: KnowledgeBase) -> None:
    at = to_parts(run(new_app()))
    at.button(key="inv_example").click()
    run(at)
    assert "inv" in at.query_params
    at.button(key="clear_all").click()
    run(at)
    assert inventory(at) is None and "inv_rows" not in at.session_state
    assert dict(at.query_params) == {}
    to_parts(at)
    assert len(at.data_editor[SERVICES].value) == 0


def test_review_lists_the_inventory_and_works_without_one(kb: KnowledgeBase) -> None:
    at = run(new_app())
    at.button(key="goto_review").click()
    run(at)
    assert "None listed: the questions it could answer were asked instead." in texts(at)
    at.button(key="edit_inventory").click()
    run(at)
    assert at.header[0].value == editor.TITLE
