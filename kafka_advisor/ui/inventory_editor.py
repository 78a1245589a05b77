"""The wizard step "Your system's parts": the system inventory as two editable tables.

The tables are the user's draft. Each run reads them back, keeps them in session state as they
are (``state.EDITOR_ROWS``: plain rows, valid or not, so nothing typed is lost) and converts them
into an ``Inventory``. Only a valid conversion replaces the inventory in effect; otherwise the
last valid one stays and each problem is one line naming the table, the row, the column and what
is expected.

An editor widget's value is its edits relative to the table it was first drawn with. That table
(``inv_base_<table>``) is therefore fixed for the widget's life: it is set from the draft when the
widget is new, which is when the step is entered or when the inventory was replaced from outside
(``state.replace_inventory`` changes the widgets' keys).
"""

from __future__ import annotations

import typing
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from kafka_advisor.inventory import (
    DERIVATIONS,
    MAX_EVENTS,
    MAX_EXTERNALS,
    MAX_SERVICES,
    DbKind,
    Direction,
    External,
    ExternalKind,
    Inventory,
    LogCapture,
    Service,
    from_data,
    summary_of,
)
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.ui import state
from kafka_advisor.ui.style import answer_md, kb_md, md_escape
from kafka_advisor.yamlsource import show

TITLE = "Your system's parts"
HELP = ("Optional. List your services and the systems outside Kafka that exchange data with them. The advisor "
        "then counts services, teams and domains for you, works out the integrations and whether change data "
        "capture is possible, and names each service, database and topic in the checklist. Leave the tables "
        "empty and press Next to answer those questions yourself.")

Row = dict[str, str | None]
Rows = dict[str, list[Row]]  # "services" / "externals" -> rows as shown, blank ones included

SERVICE_COLUMNS = ("name", "team", "domain", "database", "log_capture", "produces", "consumes")
EXTERNAL_COLUMNS = ("name", "kind", "direction", "events")
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "services": ("Services", SERVICE_COLUMNS),
    "externals": ("External systems", EXTERNAL_COLUMNS),
}
LIMITS = {"services": MAX_SERVICES, "externals": MAX_EXTERNALS}
COLUMN_WORDS = {"name": "name", "team": "team", "domain": "domain", "database": "database",
                "log_capture": "log capture", "produces": "produces", "consumes": "consumes", "kind": "kind",
                "direction": "direction", "events": "events"}
EVENT_COLUMNS = frozenset({"produces", "consumes", "events"})

# The choices of the select columns: stored value -> what the user reads.
DB_CHOICES = {"postgresql": "PostgreSQL", "mysql": "MySQL", "sqlserver": "SQL Server", "oracle": "Oracle",
              "mongodb": "MongoDB", "other": "Other database", "none": "No database"}
LOG_CHOICES = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
KIND_CHOICES = {"warehouse": "Warehouse", "lake": "Data lake", "search": "Search index", "cache": "Cache",
                "database": "Database", "saas": "SaaS tool", "files": "Files", "other": "Other system"}
DIRECTION_CHOICES = {"source": "Source (writes into Kafka)", "sink": "Sink (reads from Kafka)", "both": "Both"}
CHOICES: dict[str, dict[str, str]] = {"database": DB_CHOICES, "log_capture": LOG_CHOICES, "kind": KIND_CHOICES,
                                      "direction": DIRECTION_CHOICES}
for _name, _literal in (("database", DbKind), ("log_capture", LogCapture), ("kind", ExternalKind),
                        ("direction", Direction)):
    assert list(CHOICES[_name]) == list(typing.get_args(_literal)), f"the {_name} column offers every value"

EXAMPLE = Inventory(
    services=[
        Service(name="orders", team="checkout", database="postgresql", log_capture="yes",
                produces=["order-placed"], consumes=["payment-captured"]),
        Service(name="payments", team="checkout", database="postgresql", log_capture="yes",
                produces=["payment-captured"], consumes=["order-placed"]),
        Service(name="shipping", team="fulfilment", database="mysql", log_capture="unsure",
                produces=["shipment-dispatched"], consumes=["order-placed"]),
    ],
    externals=[External(name="Analytics warehouse", kind="warehouse", direction="sink",
                        events=["order-placed", "payment-captured"])],
)


# --------------------------------------------------------------------------- rows <-> inventory (no Streamlit)


def _max_length(model: type[Any], fld: str) -> int:
    for meta in model.model_fields[fld].metadata:
        limit = getattr(meta, "max_length", None)
        if limit is not None:
            return int(limit)
    raise AssertionError(f"{model.__name__}.{fld} has no length limit")


NAME_MAX = _max_length(Service, "name")
TEXT_MAX = _max_length(Service, "team")


def _event_max() -> int:
    item = typing.get_args(Service.model_fields["produces"].annotation)[0]  # list[EventName] -> EventName
    return next(int(m.max_length) for m in typing.get_args(item)[1:] if getattr(m, "max_length", None))


EVENT_MAX = _event_max()


def rows_of(inv: Inventory | None) -> Rows:
    """The editor's tables for an inventory (select columns filled in, empty text as None)."""
    if inv is None:
        return {"services": [], "externals": []}
    return {
        "services": [{"name": s.name, "team": s.team or None, "domain": s.domain or None, "database": s.database,
                      "log_capture": s.log_capture, "produces": _join(s.produces), "consumes": _join(s.consumes)}
                     for s in inv.services],
        "externals": [{"name": x.name, "kind": x.kind, "direction": x.direction, "events": _join(x.events)}
                      for x in inv.externals],
    }


def _join(events: list[str]) -> str | None:
    return ", ".join(events) or None


def split_events(text: str | None) -> list[str]:
    """'order-placed, order-cancelled' -> ['order-placed', 'order-cancelled']; empty parts dropped."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def clean(value: Any) -> str | None:
    """A cell as the editor returns it (None, NaN, text, now and then a number) -> text or None."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a list or another odd value: keep it as text
        pass
    text = str(value)
    return text if text.strip() else None


def is_blank(row: Row) -> bool:
    return all(clean(v) is None for v in row.values())


def events_named(rows: Rows) -> list[str]:
    """Every event name in the tables, in first-mention order (valid or not, for the hint)."""
    seen: dict[str, None] = {}
    for table, (_, columns) in TABLES.items():
        for row in rows.get(table, []):
            for col in columns:
                if col in EVENT_COLUMNS:
                    for e in split_events(clean(row.get(col))):
                        seen.setdefault(e, None)
    return list(seen)


def inventory_of(rows: Rows) -> tuple[Inventory | None, list[str]]:
    """The tables -> (inventory, []) or (None, one line per problem). Blank rows are ignored; an
    inventory with no rows at all is None. Row numbers count every row shown, from 1."""
    data: dict[str, list[dict[str, Any]]] = {"services": [], "externals": []}
    shown_at: dict[str, list[int]] = {"services": [], "externals": []}  # row number of each kept row
    problems: list[tuple[int, int, str]] = []  # (table, row, line): sorted as the user reads the tables
    first_use: dict[str, str] = {}
    for t, (table, (label, columns)) in enumerate(TABLES.items()):
        for n, row in enumerate(rows.get(table, []), start=1):
            if is_blank(row):
                continue
            item: dict[str, Any] = {}
            for col in columns:
                value = clean(row.get(col))
                if col in EVENT_COLUMNS:
                    item[col] = split_events(value)
                elif col in CHOICES:
                    if value is not None:
                        item[col] = value
                else:
                    item[col] = value.strip() if value is not None else ""
            name = item["name"]
            if name and name.casefold() in first_use:
                problems.append((t, n, f"{label} row {n}, name: the name {show(name)} is used twice (also "
                                       f"{first_use[name.casefold()]}), expected each service and system to "
                                       "have its own name"))
            elif name:
                first_use[name.casefold()] = f"{label} row {n}"
            data[table].append(item)
            shown_at[table].append(n)
    try:
        inv = from_data(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if not loc and problems:
                continue  # the model's own duplicate check: already said above, with row numbers
            problems.append(_problem(err, loc, shown_at))
        inv = None
    if problems:
        return None, [line for _, _, line in sorted(problems, key=lambda p: (p[0], p[1]))]
    assert inv is not None
    return (None if inv.is_empty() else inv), []


def _problem(err: Any, loc: tuple[Any, ...], shown_at: dict[str, list[int]]) -> tuple[int, int, str]:
    if not loc or loc[0] not in TABLES:
        return 9, 0, _plain(err)
    table = str(loc[0])
    t = list(TABLES).index(table)
    label = TABLES[table][0]
    if len(loc) == 1 or not isinstance(loc[1], int):
        count = len(shown_at[table])
        return t, 0, f"{label}: {count} rows, expected at most {LIMITS[table]}"
    n = shown_at[table][loc[1]]
    col = str(loc[2]) if len(loc) > 2 else ""
    where = COLUMN_WORDS.get(col, col)
    if col in EVENT_COLUMNS and len(loc) > 3 and isinstance(loc[3], int):
        where += f", event {loc[3] + 1}"
    return t, n, f"{label} row {n}, {where}: {_expected(err, col, len(loc) > 3)}"


def _expected(err: Any, col: str, one_event: bool) -> str:
    kind = err["type"]
    given = err.get("input")
    length = f"{len(given)} characters, " if isinstance(given, str) and kind == "string_too_long" else ""
    if col in CHOICES:
        return f"expected one of: {', '.join(CHOICES[col].values())}"
    if kind == "string_pattern_mismatch":
        return "expected text on one line, without tabs, line breaks or other control characters"
    if col == "name" and kind in ("string_too_short", "string_too_long", "string_type", "missing"):
        return f"{length}expected text of 1 to {NAME_MAX} characters"
    if col in ("team", "domain") and kind == "string_too_long":
        return f"{length}expected at most {TEXT_MAX} characters (or nothing)"
    if col in EVENT_COLUMNS and not one_event and kind == "too_long":
        return f"{len(given or [])} events, expected at most {MAX_EVENTS}, separated by commas"
    if col in EVENT_COLUMNS and kind in ("string_too_short", "string_too_long"):
        return f"{show(given, 30)} is {length.rstrip(', ') or 'too short'}, expected event names of 1 to " \
               f"{EVENT_MAX} characters, separated by commas"
    return _plain(err)


def _plain(err: Any) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


# --------------------------------------------------------------------------- the step


def _frame(rows: list[Row], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype="object") for c in columns})


def _rows_from(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[Row]:
    return [{c: clean(rec.get(c)) for c in columns} for rec in frame.to_dict("records")]


def draft() -> Rows:
    """The tables as the user left them, or as the inventory in effect gives them."""
    rows: Rows | None = st.session_state.get(state.EDITOR_ROWS)
    return rows if rows is not None else rows_of(state.inventory())


def _fill_example() -> None:
    if all(is_blank(r) for rows in draft().values() for r in rows):  # never over the user's own rows
        state.replace_inventory(EXAMPLE)


def _column_config(table: str) -> dict[str, Any]:
    cc = st.column_config
    events_help = "Event names, separated by commas (e.g. order-placed, order-cancelled)."
    name = cc.TextColumn("Name", max_chars=NAME_MAX, help="Its own name, as in diagrams and the checklist.")
    if table == "services":
        return {
            "name": name,
            "team": cc.TextColumn("Team", max_chars=TEXT_MAX, help="The team that owns it (counts the teams)."),
            "domain": cc.TextColumn("Domain", max_chars=TEXT_MAX,
                                    help="The business domain it belongs to (counts the domains)."),
            "database": cc.SelectboxColumn("Database", options=list(DB_CHOICES), format_func=DB_CHOICES.__getitem__,
                                           help="The database it owns, if any."),
            "log_capture": cc.SelectboxColumn("Log capture", options=list(LOG_CHOICES),
                                              format_func=LOG_CHOICES.__getitem__,
                                              help="Can a connector read its database's change log (CDC)?"),
            "produces": cc.TextColumn("Produces", help=f"What it publishes. {events_help}"),
            "consumes": cc.TextColumn("Consumes", help=f"What it reads. {events_help}"),
        }
    return {
        "name": name,
        "kind": cc.SelectboxColumn("Kind", options=list(KIND_CHOICES), format_func=KIND_CHOICES.__getitem__,
                                   help="What kind of system it is."),
        "direction": cc.SelectboxColumn("Direction", options=list(DIRECTION_CHOICES),
                                        format_func=DIRECTION_CHOICES.__getitem__,
                                        help="Does it write into Kafka (source), read from it (sink), or both?"),
        "events": cc.TextColumn("Events", help=f"What a sink reads or a source writes. {events_help}"),
    }


TABLE_HELP = {
    "services": "One row per service. Add a row with the + under the table; select rows to delete them.",
    "externals": "Warehouses, lakes, search indexes, caches, other databases and SaaS tools that Kafka data "
                 "should reach, or that feed Kafka.",
}


def editor_key(table: str) -> str:
    return f"inv_{table}_{st.session_state.get(state.EDITOR_GEN, 0)}"


def _table(table: str, rows: list[Row]) -> list[Row]:
    """Draw one editable table; return its rows with this run's edits."""
    label, columns = TABLES[table]
    st.subheader(label, anchor=False)
    st.caption(TABLE_HELP[table])
    key, base = editor_key(table), f"inv_base_{table}"
    if key not in st.session_state or base not in st.session_state:
        st.session_state[base] = [dict(r) for r in rows]  # a new widget: its edits start from the draft
    edited = st.data_editor(_frame(st.session_state[base], columns), key=key, num_rows="dynamic", hide_index=True,
                            column_config=_column_config(table), column_order=columns, width="stretch", placeholder="")
    return _rows_from(edited, columns)


def render(kb: KnowledgeBase) -> None:
    """The step: help, the two tables, problems, and what the inventory now answers."""
    st.header(TITLE)
    st.caption(HELP)
    rows = draft()
    if all(is_blank(r) for t in rows.values() for r in t):
        st.button("Start from an example", key="inv_example", icon=":material/auto_awesome:", on_click=_fill_example,
                  help="Fills in three services and a warehouse that you can then change.")
    new: Rows = {"services": _table("services", rows["services"])}
    named = events_named({"services": new["services"]})
    st.caption("Events named so far: " + ", ".join(md_escape(e) for e in named[:40])
               + (f" … and {len(named) - 40} more" if len(named) > 40 else "") + "." if named
               else "No events named yet. Name them the same way in every row, e.g. order-placed.")
    new["externals"] = _table("externals", rows["externals"])
    inv, problems = inventory_of(new)
    if new != rows:
        st.session_state[state.EDITOR_ROWS] = new
        if not problems:
            state.replace_inventory(inv, from_editor=True)
    if problems:
        kept = state.inventory()
        still = f"the advice still uses your last valid list ({md_escape(summary_of(kept))})" if kept else \
            "the advice uses no inventory until then"
        lines = "\n".join(f"- {md_escape(p)}" for p in problems[:20])
        more = f"\n- … and {len(problems) - 20} more" if len(problems) > 20 else ""
        st.error(f"**Some rows need fixing.** Your rows are kept as typed; {still}.\n{lines}{more}",
                 icon=":material/error:")
    _answered_by(kb)


def _answered_by(kb: KnowledgeBase) -> None:
    inv = state.inventory()
    if inv is None:
        return
    given = kb.derived_from(inv)
    lines = [f"- {kb_md(kb.questions[q].text)} **{answer_md(kb.questions[q], v)}**" for q, v in given.items()]
    with st.container(border=True):
        st.markdown(f"**In effect:** {md_escape(summary_of(inv))}.")
        if lines:
            st.markdown("These questions are answered from it and not asked:\n" + "\n".join(lines))
        else:
            st.caption("It answers no question yet: add teams, databases or external systems.")


def derived_line(kb: KnowledgeBase, qid: str, value: Any) -> str:
    """Markdown for a question the inventory answers: its text, the answer, and where it came from."""
    q = kb.questions[qid]
    says = DERIVATIONS[q.derive].says if q.derive else "the inventory"
    return f"{kb_md(q.text)} **{answer_md(q, value)}** — from your inventory ({kb_md(says)})"
