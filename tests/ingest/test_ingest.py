"""The question catalog built from the five real source lists."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from qdeck.config import load_recipe
from qdeck.pipeline import read_catalog
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def cat():
    return read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml"))


@pytest.fixture(scope="module")
def by_ref(cat):
    return {q.ref: q for q in cat.questions}


def test_counts_per_source(cat):
    counts = Counter(q.source for q in cat.questions if not q.follow_up_of)
    follow_ups = Counter(q.source for q in cat.questions if q.follow_up_of)
    assert counts == {"tiered-200": 200, "answered-200": 200, "senior-180": 180, "deep-dive-71": 71, "levels-415": 415}
    assert follow_ups == {"deep-dive-71": 209}


def test_levels_numbers_keep_their_gaps(cat):
    numbers = sorted(int(q.number) for q in cat.questions if q.source == "levels-415")
    expected = [*range(1, 161), *range(201, 296), *range(401, 456), *range(601, 651), *range(801, 826), *range(951, 981)]
    assert numbers == expected


def test_refs_are_unique_and_printed_numbers(cat):
    refs = [q.ref for q in cat.questions]
    assert len(refs) == len(set(refs))
    for q in cat.questions:
        assert q.ref == f"{q.source}#{q.number}"
        assert re.fullmatch(r"\d+(\.\d+)?", q.number)
    deep = [q for q in cat.questions if q.source == "deep-dive-71" and not q.follow_up_of]
    assert [q.number for q in deep] == [str(n) for n in range(1, 72)]
    for q in cat.questions:
        if q.follow_up_of:
            assert q.ref.startswith(q.follow_up_of + ".")


def test_text_is_one_clean_line(cat):
    for q in cat.questions:
        assert q.text and "\n" not in q.text and "  " not in q.text and q.text == q.text.strip(), q.ref
        outside_code = re.sub(r"`[^`]*`", "", q.text)
        assert not re.search(r"(?<![\w*])\*\*[A-Za-z][^*]*[\w.)]\*\*(?![\w*])", outside_code), q.ref


def test_wrapped_and_blank_line_split_questions_are_joined(by_ref):
    assert by_ref["levels-415#803"].text.endswith("(e.g., token bucket, leaky bucket).")
    assert by_ref["tiered-200#176"].code_task == "pool with initializer."


def test_code_is_left_intact(by_ref):
    assert "`**kwargs`" in by_ref["tiered-200#16"].text
    assert "`2 ** 4`" in by_ref["levels-415#28"].text
    assert "`__init__`" in by_ref["tiered-200#30"].text


def test_code_tasks_are_their_own_field(cat, by_ref):
    tasks = [q for q in cat.questions if q.source == "tiered-200" and q.code_task]
    assert len(tasks) == 79
    q6 = by_ref["tiered-200#6"]
    assert q6.text == "Show how to iterate over a list and also with index (two methods)."
    assert q6.code_task.startswith("write a function `enumerate_items(lst)`")
    assert "[CODE]" not in " ".join(q.text for q in cat.questions)


def test_mojibake_is_repaired(cat, by_ref):
    assert by_ref["senior-180#1"].text == "What are Python's key features?"
    senior = [q for q in cat.questions if q.source == "senior-180"]
    for q in senior:
        for value in (q.text, q.section, q.level):
            assert not re.search("[ÃÂâğŸï¸]", value), (q.ref, value)
    assert {q.section for q in senior} >= {"Python Fundamentals", "Real-World System & Interview Scenarios"}
    assert {q.level for q in senior} == {"Core", "Deep / Follow-up", "Scenario-Based"}


def test_sections_levels_and_tiers(by_ref):
    q = by_ref["levels-415#1"]
    assert (q.level, q.section, q.tier) == ("Level 1: Beginner", "Core Concepts & Syntax", "1-beginner")
    # Level 5 has no section headings: it must not inherit Level 4's last section.
    assert by_ref["levels-415#801"].section is None
    assert by_ref["levels-415#801"].tier == "4-senior"
    assert by_ref["levels-415#951"].tier is None  # coding challenges: inferred later
    assert by_ref["senior-180#6"].tier == "3-mid"
    assert by_ref["senior-180#11"].tier == "4-senior"
    assert by_ref["senior-180#1"].tier == "2-junior"
    assert by_ref["tiered-200#151"].tier == "4-senior"
    assert by_ref["answered-200#1"].tier is None
    assert by_ref["deep-dive-71#1"].tier is None


def test_trailers_are_not_questions(by_ref, cat):
    assert "How I'll use" not in by_ref["tiered-200#200"].text
    assert "Review chapters" not in by_ref["answered-200#200"].answer
    tiered = next(r for r in cat.sources if r.spec.name == "tiered-200")
    assert any(s.reason == "trailer" and "How I'll use" in s.text for s in tiered.parsed.skipped)


def test_answered_200_answers_are_repaired(by_ref):
    assert by_ref["answered-200#6"].answer.splitlines()[:3] == [
        "- `pass` is a no-op placeholder.",
        "- `continue` skips to next loop iteration.",
        "- `break` exits the nearest loop.",
    ]
    assert by_ref["answered-200#19"].answer.splitlines()[0] == "- `sys.argv` lists script name and arguments."


def test_every_nonblank_line_is_accounted_for(cat):
    for result in cat.sources:
        lines = result.spec.file.read_text(encoding="utf-8").splitlines()
        nonblank = {i for i, line in enumerate(lines, 1) if line.strip()}
        parsed = result.parsed
        covered = set(parsed.consumed) | set(parsed.heading_lines) | {s.line for s in parsed.skipped}
        assert nonblank == covered, (result.spec.name, sorted(nonblank - covered)[:10])


def test_deep_dive_answers_are_structured(by_ref):
    first = by_ref["deep-dive-71#1"]
    assert first.tests.startswith("Whether you understand memory")
    assert "```python" in first.answer and "a = []  # refcount = 1" in first.answer
    assert first.red_flag
    assert by_ref["deep-dive-71#1.1"].follow_up_of == "deep-dive-71#1"
    assert "fragmentation" in by_ref["deep-dive-71#1.1"].answer


def test_a_cached_parse_equals_a_fresh_one(tmp_path):
    from qdeck.ingest import parse_source

    from qdeck.cache import Cache

    recipe = load_recipe(ROOT / "decks" / "python-interview.yaml")
    cache = Cache(tmp_path)
    for spec in recipe.sources:
        fresh = parse_source(spec, cache)
        assert list(tmp_path.glob("parse-*.json")), spec.name
        assert parse_source(spec, cache) == fresh


def test_a_changed_source_misses_the_cache(tmp_path):
    from dataclasses import replace

    from qdeck.cache import Cache
    from qdeck.ingest import parse_source

    cache = Cache(tmp_path / "cache")
    spec = load_recipe(ROOT / "decks" / "python-interview.yaml").sources[0]
    copy = tmp_path / "list.txt"
    copy.write_text("1. What is a list?\n", encoding="utf-8")
    first = parse_source(replace(spec, file=copy), cache)
    copy.write_text("1. What is a tuple?\n", encoding="utf-8")
    second = parse_source(replace(spec, file=copy), cache)
    assert (first.questions[0].text, second.questions[0].text) == ("What is a list?", "What is a tuple?")
