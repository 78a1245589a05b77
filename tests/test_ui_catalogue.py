"""AppTest: the pattern catalogue (listing, search, section filter, one page per pattern)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from test_ui_support import CATALOGUE, new_app, run, texts

from kafka_advisor.chapter import area_of
from kafka_advisor.loader import KnowledgeBase
from kafka_advisor.ui.catalogue import ALL, matches
from kafka_advisor.ui.style import section_title


def catalogue(pattern: str | None = None) -> AppTest:
    at = run(new_app())
    if pattern is not None:
        at.query_params["pattern"] = pattern
    at.switch_page(CATALOGUE)
    return run(at)


def listed(at: AppTest, kb: KnowledgeBase) -> list[str]:
    names = {p.name: pid for pid, p in kb.patterns.items()}
    out = []
    for m in at.markdown:
        head = m.value.split(" · ")[0].strip("*")
        if head in names:
            out.append(names[head])
    return out


def test_lists_every_pattern(kb: KnowledgeBase) -> None:
    at = catalogue()
    assert at.title[0].value == "Pattern catalogue"
    assert sorted(listed(at, kb)) == sorted(kb.patterns)
    assert f"{len(kb.patterns)} of {len(kb.patterns)} patterns" in texts(at)
    links = [p for p in at.get("page_link") if p.proto.label == "Open"]
    assert sorted(p.proto.query_string for p in links) == sorted(f"pattern={pid}" for pid in kb.patterns)


def test_search_narrows_the_list(kb: KnowledgeBase) -> None:
    target = next(iter(kb.patterns.values()))
    word = target.name.split()[0]
    at = catalogue()
    at.text_input(key="cat_search").input(word)
    run(at)
    shown = listed(at, kb)
    assert target.id in shown
    assert shown == [pid for pid in shown if matches(kb.patterns[pid], ALL, word)]
    at.text_input(key="cat_search").input("zzzz-no-such-words")
    run(at)
    assert listed(at, kb) == []
    assert "No pattern matches" in at.info[0].value


def test_section_filter(kb: KnowledgeBase) -> None:
    target = next(iter(kb.patterns.values()))
    at = catalogue()
    box = at.selectbox(key="cat_section")
    assert target.section in box.options or section_title(target.section) in " ".join(box.options)
    box.set_value(target.section)
    run(at)
    shown = listed(at, kb)
    assert target.id in shown
    assert all(target.section in (kb.patterns[p].section, *kb.patterns[p].refs) for p in shown)
    at.selectbox(key="cat_section").set_value(area_of(target.section))
    run(at)
    assert len(listed(at, kb)) >= len(shown)


def test_pattern_page_shows_everything(kb: KnowledgeBase) -> None:
    p = max(kb.patterns.values(), key=lambda x: len(x.related))
    at = catalogue(p.id)
    assert at.title[0].value == p.name
    page = texts(at)
    for text in (p.summary, p.helps_when[0], p.hurts_when[0], p.tradeoffs.pros[0], p.tradeoffs.cons[0]):
        assert text[:30] in page
    for item in p.checklist:
        assert item.text[:30] in page
    assert len(at.get("graphviz_chart")) == 1
    related = [x for x in at.get("page_link") if x.proto.query_string.startswith("pattern=")]
    assert [x.proto.query_string for x in related] == [f"pattern={r}" for r in p.related]
    assert [x.proto.label for x in related] == [kb.patterns[r].name for r in p.related]
    assert at.query_params["pattern"] == p.id  # the address bar names the pattern, so the page can be shared


def test_unknown_pattern_is_a_friendly_warning() -> None:
    at = catalogue("no-such-pattern")
    assert "no\\-such\\-pattern" in at.warning[0].value
    assert not at.exception
