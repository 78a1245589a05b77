"""Streamlit pages and widgets. The only package of kafka_advisor that imports streamlit."""
