"""Kafka Pattern Advisor: the Streamlit entry point (`make run`). Pages live in kafka_advisor/ui/."""

import streamlit as st

from kafka_advisor.ui import pages, state

st.set_page_config(page_title="Kafka Pattern Advisor", page_icon="🧭", layout="wide")
page = pages.navigation()
kb, errors = state.load()
if kb is None:
    st.title("Kafka Pattern Advisor")
    st.error("The knowledge base could not be loaded, so the advisor cannot give advice. "
             "Fix the problem below and restart the app.", icon=":material/error:")
    st.code("\n".join(errors[:20]) + (f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""),
            language=None, wrap_lines=True)
    st.stop()
state.import_from_url(kb)
page.run()
