"""`qdeck review` at the terminal: scripted key presses judge pairs and pin tiers; undo and resume."""

from __future__ import annotations

import yaml

from qdeck.review import store
from tests.review.project import export_rows, judgments, pair, review


def test_keys_judge_in_order_and_undo_takes_back_the_last_answer(proj):
    rows = export_rows(proj)
    assert len(rows) >= 3
    out = review(proj, "sdur")  # same, different, undo (the second pair again), related; then EOF quits
    assert judgments(proj) == {pair(rows[0]): "same", pair(rows[1]): "related"}
    assert "undone" in out and f"pair 1 of {len(rows)}" in out
    assert "2 judged;" in out.splitlines()[-1]


def test_quit_midway_keeps_every_answer_and_the_next_run_resumes(proj):
    rows = export_rows(proj)
    review(proj, "dq" + "s" * 5)  # keys after q are never read
    assert judgments(proj) == {pair(rows[0]): "different"}
    out = review(proj, "rq")
    assert f"{len(rows) - 1} pairs to judge (1 judged before)" in out
    assert judgments(proj) == {pair(rows[0]): "different", pair(rows[1]): "related"}
    # The file is written whole after each answer: it always parses, with the texts as judged.
    text = yaml.safe_load((proj / "data" / "judgments.yaml").read_text(encoding="utf-8"))
    assert [len(j["questions"]) for j in text["judgments"]] == [2, 2]


def test_a_note_attaches_to_the_last_answer(proj):
    review(proj, "s" + "n" + "asked the same way\n" + "q")
    (j,) = store.load(proj / "data" / "judgments.yaml")
    assert (j.verdict, j.note) == ("same", "asked the same way")


def test_tier_keys_pin_tiers_and_undo_restores_the_file(proj):
    overrides = proj / "data" / "overrides.yaml"
    overrides.write_text("merge: []\nsplit: []\ncanonical: {}\ntier: {}\ntopics: {}\n", encoding="utf-8")
    original = overrides.read_text(encoding="utf-8")
    out = review(proj, "2u", "--tiers")
    assert "undone" in out and overrides.read_text(encoding="utf-8") == original
    review(proj, "3aq", "--tiers")
    written = yaml.safe_load(overrides.read_text(encoding="utf-8"))
    assert len(written["tier"]) == 2 and "3-mid" in written["tier"].values()
    assert set(written["tier"]) == set(written["topics"])
