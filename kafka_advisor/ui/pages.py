"""The page table: one place that knows each page's file, title, icon and URL."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from .style import PAGE_ICONS

# Paths are relative to app.py, as st.Page, st.page_link and st.switch_page expect.
ASSESS = "kafka_advisor/ui/assess.py"
RESULTS = "kafka_advisor/ui/results.py"
CATALOGUE = "kafka_advisor/ui/catalogue.py"
AUDIT = "kafka_advisor/ui/audit.py"


def navigation() -> StreamlitPage:
    return st.navigation([
        st.Page(ASSESS, title="Assess", icon=PAGE_ICONS["assess"], default=True),  # served at /
        st.Page(RESULTS, title="Results", icon=PAGE_ICONS["results"], url_path="results"),
        st.Page(CATALOGUE, title="Pattern catalogue", icon=PAGE_ICONS["catalogue"], url_path="catalogue"),
        st.Page(AUDIT, title="Audit a config", icon=PAGE_ICONS.get("audit", ":material/fact_check:"), url_path="audit"),
    ])
