"""Editorial answers: every code example compiles and every >>> session passes, from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdeck.config.editorial import load_editorial
from qdeck.editorial import check_examples
from qdeck.errors import InputError
from tests.helpers import ROOT

DATA = Path(__file__).resolve().parents[1] / "data" / "editorial"
EDITORIAL = load_editorial(DATA)


@pytest.mark.parametrize("guid", sorted(EDITORIAL.answers))
def test_examples_compile_and_pass(guid: str) -> None:
    assert check_examples(EDITORIAL.answers[guid]) == []


def test_a_failing_session_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "title: qdeck editors\nanswers:\n- guid: d:1\n  question: Q?\n  answer: |-\n"
        "    ```python\n    >>> x = [1]\n    ```\n\n    ```python\n    >>> x + [2]\n    [1, 2, 3]\n    ```\n"
        "- guid: d:2\n  question: Q?\n  answer: |-\n    ```python\n    >>> int('x')\n    3\n    ```\n",
        encoding="utf-8")
    answers = load_editorial(tmp_path).answers
    first, second = check_examples(answers["d:1"]), check_examples(answers["d:2"])
    assert len(first) == 1 and "block 2" in first[0] and "[1, 2, 3]" in first[0]  # x came from block 1
    assert len(second) == 1 and "ValueError" in second[0]


def test_code_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "title: t\nanswers:\n- guid: d:1\n  question: Q?\n  answer: |-\n    ```python\n    def f(:\n    ```\n",
        encoding="utf-8")
    assert "does not compile" in check_examples(load_editorial(tmp_path).answers["d:1"])[0]


@pytest.mark.parametrize("body, message", [
    ("- just a list\n", "expected a mapping"),
    ("title: t\nanswers:\n- guid: d:1\n  question: Q?\n", "answer"),
    ("title: t\nanswers:\n- guid: d:1\n  question: Q?\n  answer: A\n- guid: d:1\n  question: Q?\n  answer: B\n",
     "has an answer already"),
    ("title: t\nanswers:\n- guid: d:1\n  question: Q?\n  answer: |-\n    ```python\n    x = 1\n", "not closed"),
])
def test_bad_files_are_one_clear_error(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_editorial(tmp_path)
    assert "bad.yaml" in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------------- on the shipped deck, in real Anki


@pytest.fixture(scope="module")
def releases():
    """The shipped deck as an older release without editorial answers (v1), then with them (v2)."""
    import time

    from qdeck.config import load_recipe
    from qdeck.identity import load_lock
    from qdeck.pipeline import identify, read_catalog

    recipe = load_recipe(ROOT / "decks" / "python-interview.yaml")
    cat = read_catalog(recipe)
    now = int(time.time())
    v1, lock1, _ = identify(cat, load_lock(recipe.lock_path), now=now - 3600)
    v2, _, report = identify(cat, lock1, now=now, editorial=load_editorial(recipe.editorial))
    return recipe, v1, lock1, v2, report


def test_every_active_note_of_the_shipped_deck_has_an_answer(releases):
    *_, v2, _ = releases
    active = [n for n in v2 if n.status == "active"]
    assert active and [n.question for n in active if not n.answer.strip()] == []
    assert not any(t.endswith("::answer::none") for n in active for t in n.tags)


def test_a_newer_release_brings_editorial_answers_in_place(tmp_path, releases, anki_collection, anki_import):
    pytest.importorskip("anki.collection")
    from qdeck.anki import write_apkg
    from tests.anki.helpers import cards_by_guid, study

    recipe, v1, lock1, v2, report = releases
    added = [n for n in v2 if n.status == "active" and n.answers and n.answers[0].source == "editorial"]
    assert len(added) > 500 and {n.guid for n in added} <= set(report.changed)
    write_apkg(v1, tmp_path / "v1.apkg", deck_name=recipe.deck, notetype_mod=lock1.notetype.mod)
    write_apkg(v2, tmp_path / "v2.apkg", deck_name=recipe.deck, notetype_mod=lock1.notetype.mod)
    col = anki_collection()
    anki_import(col, tmp_path / "v1.apkg")
    study(col, recipe.deck)
    before, reviews = cards_by_guid(col), col.db.scalar("select count() from revlog")
    assert reviews > 0
    anki_import(col, tmp_path / "v2.apkg")

    assert cards_by_guid(col) == before, "same notes, same cards, same scheduling"
    assert col.db.scalar("select count() from revlog") == reviews
    for note in added[:10]:
        card = col.get_card(col.find_cards(f'"Note ID:{note.guid}"')[0])
        back = card.answer()
        assert "qdeck editors" in back and "No answer yet" not in back, note.question


def test_an_answer_for_a_guid_the_lock_never_had_is_an_error_naming_it(tmp_path: Path) -> None:
    from qdeck.editorial import editorial_notices

    (tmp_path / "a.yaml").write_text(
        "title: t\nanswers:\n- guid: deck:AAAA\n  question: Q?\n  answer: A\n"
        "- guid: other:BBBB\n  question: Q?\n  answer: B\n", encoding="utf-8")
    editorial = load_editorial(tmp_path)
    with pytest.raises(InputError, match=r"a\.yaml: deck:AAAA is no note's GUID"):
        editorial_notices(editorial, [], ["deck:CCCC"], namespace="deck", fresh=False)
    # a deck built without its lock mints new GUIDs: one warning, no failure; another deck's GUIDs are not its own
    assert editorial_notices(editorial, [], [], namespace="deck", fresh=True) == [
        "1 editorial answers apply to no note: the lock is new, so every GUID is new; build with the "
        "committed lock to keep them"]
    assert editorial_notices(editorial, [], ["deck:CCCC"], namespace="nobody", fresh=False) == []


def test_an_answer_kept_beside_a_lists_answer_is_reviewed_once(releases) -> None:
    """A list's answer that joined an editorially answered note is a notice until a maintainer marks
    the editorial answer `beside_list: true`; every such answer of the shipped deck was reviewed."""
    from dataclasses import replace

    from qdeck.config.editorial import Editorial
    from qdeck.editorial import editorial_notices

    recipe, _, lock1, v2, _ = releases
    known = [n.guid for n in v2]
    reviewed = [e for e in EDITORIAL.answers.values() if e.beside_list]
    assert reviewed, "the shipped deck has answers kept beside a list's answer"
    beside = [line for line in editorial_notices(EDITORIAL, v2, known, namespace="python-interview", fresh=False)
              if "beside a list's answer" in line]
    assert beside == []
    unmarked = Editorial({g: replace(e, beside_list=False) for g, e in EDITORIAL.answers.items()})
    beside = [line for line in editorial_notices(unmarked, v2, known, namespace="python-interview", fresh=False)
              if "beside a list's answer" in line]
    noticed = {line.split()[7] for line in beside}
    assert noticed and noticed <= {e.guid for e in reviewed}  # a mark outlives a list's answer harmlessly


def test_answers_use_only_markup_the_card_renders() -> None:
    """The card's markdown subset has no bold or italics: `**word**` would show its asterisks."""
    import re

    prose = {guid: re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", e.answer, flags=re.S))
             for guid, e in EDITORIAL.answers.items()}
    assert [guid for guid, text in prose.items() if "**" in text or "__" in text] == []
