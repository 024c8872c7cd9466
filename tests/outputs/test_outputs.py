"""The note catalog, the merge report and the source table, on the project's real questions."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from qdeck.config import load_recipe
from qdeck.models import Note
from qdeck.outputs.catalog import NOTE_FIELDS, catalog_jsonl
from qdeck.outputs.report import merge_report_html
from qdeck.outputs.summary import sources_table
from qdeck.pipeline import read_catalog
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml"))


@pytest.fixture(scope="module")
def by_ref(catalog):
    return {q.ref: q for q in catalog.questions}


def note_of(by_ref, *refs: str, **fields) -> Note:
    first = by_ref[refs[0]]
    return Note(key=refs[0], question=first.text, refs=refs, answer=first.answer,
                sources=tuple(sorted({by_ref[r].source for r in refs})), **fields)


def test_catalog_is_one_json_object_per_note_in_order(by_ref):
    notes = [note_of(by_ref, "tiered-200#13", "senior-180#36"), note_of(by_ref, "deep-dive-71#1")]
    lines = catalog_jsonl(notes).splitlines()
    records = [json.loads(line) for line in lines]
    assert [list(r) for r in records] == [list(NOTE_FIELDS)] * 2
    assert [r["refs"] for r in records] == [["tiered-200#13", "senior-180#36"], ["deep-dive-71#1"]]
    assert records[1]["question"] == by_ref["deep-dive-71#1"].text
    assert catalog_jsonl(notes).endswith("\n") and catalog_jsonl([]) == ""


def test_merge_report_lists_active_merged_notes_only(by_ref):
    merged = note_of(by_ref, "tiered-200#13", "senior-180#36", "answered-200#41",
                     similarity=(("senior-180#36", 0.81), ("answered-200#41", 0.64)))
    single = note_of(by_ref, "deep-dive-71#1")
    retired = replace(note_of(by_ref, "tiered-200#1", "levels-415#16"), status="retired")
    page = merge_report_html("Deck <&>", [merged, single, retired], by_ref)
    assert "<title>Deck &lt;&amp;&gt;: merged questions</title>" in page
    assert "1 merged notes from 3 questions" in page
    assert page.count("<section ") == 1 and "lowest similarity 0.64" in page
    for ref in merged.refs:
        assert ref in page
    assert "deep-dive-71#1" not in page and "levels-415#16" not in page


def test_sources_table_counts_every_source(catalog):
    header, *rows = sources_table(catalog.sources).splitlines()
    assert header.split() == ["source", "format", "questions", "answers", "follow-ups", "skipped", "warnings"]
    cells = {row.split()[0]: row.split() for row in rows}
    assert list(cells) == [spec.name for spec in catalog.recipe.sources] + ["total"]
    deep = catalog.sources[[r.spec.name for r in catalog.sources].index("deep-dive-71")]
    main = [q for q in deep.questions if not q.follow_up_of]
    assert cells["deep-dive-71"][1:5] == ["deep-dive", str(len(main)), str(len(main)),
                                          str(len(deep.questions) - len(main))]
    assert int(cells["total"][1]) == sum(1 for q in catalog.questions if not q.follow_up_of)
