"""What a learner sees, through the real Anki library: the back of a card, and where retired cards land."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

import pytest

pytest.importorskip("anki.collection")  # imports anki in the order it needs

from qdeck.anki import RETIRED_DECK, write_apkg  # noqa: E402
from qdeck.config import load_recipe  # noqa: E402
from qdeck.dedupe import Matcher, Overrides, Vocabulary, make_note  # noqa: E402
from qdeck.identity import Lock, assign_identities  # noqa: E402
from qdeck.models import Answer, Question  # noqa: E402
from qdeck.pipeline import build  # noqa: E402
from tests.anki.helpers import DECK, NS, cards_by_guid, mk, study  # noqa: E402
from tests.helpers import ROOT  # noqa: E402

RETIRED_TAG = "python-interview::status::retired"
NO_ANSWER_TAG = "python-interview::answer::none"


def _shown(html: str) -> str:
    """The card's text without its style sheet and tags: what a reader can see."""
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _card(col: Any, guid: str) -> Any:
    return col.get_card(col.find_cards(f'"Note ID:{guid}"')[0])


def test_the_back_shows_one_answer_then_labelled_blocks(tmp_path, anki_collection, anki_import):
    merged = replace(
        mk(("short#1", "deep#4", "other#9"), "What is a context manager?", "",
           variants=("Explain the context manager protocol.",)),
        sources=("short", "deep", "other"),
        source_titles=("Short answers", "Deep <dives> & more", "Other list"),
        answers=(Answer("short", "- `with` runs setup and teardown.", ref="short#1"),
                 Answer("deep", "Implements __enter__ and __exit__; see requests.get().",
                        tests="Whether you clean up resources.", red_flag="Only knows open().", ref="deep#4"),
                 Answer("other", "Another view.", ref="other#9")),
        follow_ups=("What if __enter__ raises? — __exit__ does not run.",),
    )
    bare = mk("s#2", "What is a metaclass?", "")
    notes, lock, _ = assign_identities([merged, bare], Lock(), namespace=NS, now=1_700_000_000)
    write_apkg(notes, tmp_path / "p.apkg", deck_name=DECK, notetype_mod=lock.notetype.mod)
    col = anki_collection()
    anki_import(col, tmp_path / "p.apkg")

    back = _card(col, notes[0].guid).answer()
    shown = _shown(back)
    first, more = back.index("Short answers"), back.index('<details class="qd-more"><summary>More answers')
    assert first < more < back.index("Deep &lt;dives&gt; &amp; more") < back.index("Other list"), \
        "the shortest answer first, the others collapsed, each under its list's title (escaped)"
    assert "short#1" not in back and " short " not in shown, "titles, not source slugs"
    assert "What interviewers test" in shown and "Red flag" in shown
    assert "really testing" not in shown, "the section is a label, not prose"
    assert "<code>__enter__</code>" in back and "<code>requests.get()</code>" in back, "identifiers are code"
    assert "<summary>Also asked as</summary>" in back and "<summary>Follow-ups</summary>" in back
    for note in notes:
        card = _card(col, note.guid)
        assert note.guid not in _shown(card.question()) + _shown(card.answer()), "the note id is not printed"
    assert "No answer yet" in _shown(_card(col, notes[1].guid).answer())
    assert "No answer yet" not in shown


def test_make_note_keeps_every_sources_answer():
    questions = [
        Question("a#1", "a", "1", "What is a context manager?", 1, answer="- `with` block."),
        Question("b#1", "b", "1", "Context managers", 1, answer="Long " * 50, tests="Cleanup.", red_flag="Leaks."),
        Question("a#2", "a", "2", "What are context managers for?", 2, answer="- cleanup."),
        Question("b#1.1", "b", "1.1", "What if __enter__ raises?", 3, answer="Hint.", follow_up_of="b#1"),
    ]
    by_ref = {q.ref: q for q in questions}
    matcher = Matcher.build(questions, Vocabulary({}, frozenset(), frozenset()))
    note = make_note(["a#1", "b#1", "a#2"], by_ref, {"b#1": [questions[3]]}, matcher, Overrides(),
                     {"a": "List A", "b": "List B"})
    assert [(a.source, a.ref) for a in note.answers] == [("a", "a#2"), ("a", "a#1"), ("b", "b#1")], \
        "one block per answering member, the shortest first"
    assert note.answers[2].tests == "Cleanup." and note.answers[2].red_flag == "Leaks."
    assert note.source_titles == ("List A", "List B")
    assert note.question in ("What is a context manager?", "What are context managers for?"), "a full question"
    assert note.follow_ups == ("What if __enter__ raises? — Hint.",)


@pytest.fixture(scope="module")
def full_build():
    """The real deck's notes as `qdeck build` makes them (nothing written: --check), without the
    editorial answers, as a recipe that leaves them out has it."""
    recipe = replace(load_recipe(ROOT / "decks" / "python-interview.yaml"), editorial=None)
    return recipe, build(recipe, check=True)


def test_a_first_import_studies_no_retired_card(tmp_path, full_build, anki_collection, anki_import):
    recipe, result = full_build
    notes = list(result.notes)
    retired = [n for n in notes if n.status != "active"]
    assert retired, "the real deck has retired notes"
    path = tmp_path / "full.apkg"
    write_apkg(notes, path, deck_name=recipe.deck, notetype_mod=result.notetype_mod)
    col = anki_collection()
    anki_import(col, path)

    assert col.find_cards(f'"deck:{recipe.deck}" tag:{RETIRED_TAG}') == [], "no retired card in the study tree"
    assert len(col.find_cards(f'"deck:{recipe.deck}"')) == len(notes) - len(retired)
    retired_deck = RETIRED_DECK.format(deck=recipe.deck)
    assert "::" not in retired_deck and len(col.find_cards(f'"deck:{retired_deck}"')) == len(retired)
    tree = col.sched.deck_due_tree()
    main = next(child for child in tree.children if child.name == recipe.deck)
    assert not main.children and main.new_count > 0, "the study tree holds the active deck only"

    # every note without an answer says so and can be filtered on
    unanswered = {n.guid for n in notes if n.status == "active" and not n.answers}
    tagged = {col.get_note(nid).guid for nid in col.find_notes(f"tag:{NO_ANSWER_TAG} -tag:{RETIRED_TAG}")}
    assert tagged == unanswered and len(unanswered) > 100
    for guid in sorted(unanswered)[:20]:
        assert "No answer yet" in _shown(_card(col, guid).answer())


def test_an_upgrade_import_tags_retired_notes_and_moves_no_card(tmp_path, anki_collection, anki_import):
    real_now = int(time.time())
    v1 = [mk("s#1", "What is a list?"), mk("s#2", "What is a dict?"), mk("s#3", "Explain decorators.")]
    notes1, lock1, _ = assign_identities(v1, Lock(), namespace=NS, now=real_now - 3600)
    write_apkg(notes1, tmp_path / "v1.apkg", deck_name=DECK, notetype_mod=lock1.notetype.mod)
    col = anki_collection()
    anki_import(col, tmp_path / "v1.apkg")
    study(col, DECK)
    before = cards_by_guid(col)

    notes2, lock2, _ = assign_identities(v1[:2], lock1, namespace=NS, now=real_now + 60)
    gone = next(n for n in notes2 if n.status == "retired")
    write_apkg(notes2, tmp_path / "v2.apkg", deck_name=DECK, notetype_mod=lock2.notetype.mod)
    log = anki_import(col, tmp_path / "v2.apkg")
    assert gone.guid in {col.get_note(n.id.nid).guid for n in log.updated}
    note = col.get_note(col.find_notes(f'"Note ID:{gone.guid}"')[0])
    assert RETIRED_TAG.replace("python-interview", NS) in note.tags
    assert cards_by_guid(col) == before, "the old user's card keeps its deck and its scheduling"
    assert col.find_cards(f'"deck:{RETIRED_DECK.format(deck=DECK)}"') == [], "the retired deck arrives empty"
    assert "Retired:" in _shown(_card(col, gone.guid).question())
