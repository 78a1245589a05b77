"""Shared fixtures: the shipped knowledge base, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafka_advisor.loader import KnowledgeBase, load_kb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb(ROOT)
