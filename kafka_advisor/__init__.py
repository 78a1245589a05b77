"""Kafka Pattern Advisor: decide whether and how to use Apache Kafka, with reasons.

The core (model, loader, engine, whatif, lint, cli) is pure Python and never imports Streamlit;
the UI lives in kafka_advisor.ui.
"""

from .engine import evaluate
from .loader import KnowledgeBase, load_kb

__all__ = ["KnowledgeBase", "evaluate", "load_kb"]
