"""Proof with the real Anki library: importing a newer build loses no study, and Anki's rules as pinned."""

from __future__ import annotations

import json
import sqlite3
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("anki.collection")  # imports anki in the order it needs

from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition  # noqa: E402

from qdeck.anki import FIELDS, MODEL_ID, MODEL_NAME, FieldSpec, render_fields, write_apkg  # noqa: E402
from qdeck.identity import Lock, assign_identities  # noqa: E402
from qdeck.models import Note  # noqa: E402
from tests.anki.helpers import (  # noqa: E402
    DECK,
    NS,
    TAG_ROOT,
    cards_by_guid,
    change_fields,
    mk,
    notes_by_guid,
    revlog,
    snapshot,
    study,
)

RETIRED = f"{TAG_ROOT}::status::retired"
IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER


def guids(log_notes: Any, col: Any) -> set[str]:
    return {col.get_note(n.id.nid).guid for n in log_notes}


def fields_of(col: Any, guid: str) -> dict[str, str]:
    note = col.get_note(col.find_notes(f'"Note ID:{guid}"')[0])
    return dict(note.items())


def package(tmp_path: Path, name: str, notes: list[Note], lock: Lock, deck: str = DECK) -> Path:
    path = tmp_path / f"{name}.apkg"
    write_apkg(notes, path, deck_name=deck, notetype_mod=lock.notetype.mod)
    return path


# ---------------------------------------------------------------------- the user story


BUILD1 = [
    mk("tiered#1", "How do you reverse a list in Python?", "Use `reversed()` or `lst[::-1]`."),
    mk("tiered#2", "What is a generator?", "A function that uses `yield`."),
    mk("tiered#3", "What is the GIL?", "A lock in CPython.", tier="3-mid"),
    mk("tiered#4", "Explain Python decorators.", "Functions that wrap functions."),
    mk("levels#1", "What is the difference between a list and a tuple?", "Tuples are immutable."),
    mk("levels#2", "How does Python manage memory?", "Reference counting plus a cycle collector."),
    mk("levels#3", "What are *args and **kwargs?", "Variadic positional and keyword arguments."),
    mk("levels#4", "How do *args and **kwargs work in a function signature?", "They collect extra arguments."),
]

BUILD2 = [
    mk("tiered#1", "What is a context manager?", "An object with `__enter__` and `__exit__`."),  # new, at the top
    mk("tiered#2", "How do you reverse a list in Python?", "Use `reversed()` or `lst[::-1]`."),  # renumbered
    mk("tiered#3", "What is a generator?", "A function that uses `yield`; it returns an iterator."),  # answer
    mk("tiered#4", "What is the GIL?", "A lock in CPython.", tier="4-senior"),  # tier change
    # tiered#4 "Explain Python decorators." is gone from every source
    mk("levels#1", "What is the difference between a list and a tuple?", "Tuples are immutable."),  # unchanged
    mk("levels#2", "How does Python allocate and free memory?", "Reference counting plus a cycle collector."),
    mk(("levels#3", "levels#4"), "What are *args and **kwargs?", "Variadic positional and keyword arguments.",
       variants=("How do *args and **kwargs work in a function signature?",)),  # two became duplicates
]


def test_importing_a_newer_build_keeps_every_review(tmp_path, anki_collection, anki_import):
    real_now = int(time.time())
    t1, t2 = real_now - 3600, real_now + 60  # build 2 is made after the user's edits below

    notes1, lock1, report1 = assign_identities(BUILD1, Lock(), namespace=NS, now=t1)
    assert report1.counts["new"] == 8
    apkg1 = package(tmp_path, "build1", notes1, lock1)
    g = {n.question: n.guid for n in notes1}

    col = anki_collection()
    presets = col._backend.get_import_anki_package_presets()
    assert (presets.merge_notetypes, presets.with_scheduling, presets.with_deck_configs) == (False, False, False)
    assert presets.update_notes == presets.update_notetypes == IF_NEWER

    log = anki_import(col, apkg1)
    assert len(log.new) == 8 and not log.updated and not log.duplicate and not log.conflicting
    study(col, DECK)
    # the user tags two notes of their own (which also stamps them with the current time)
    for q in ("What is the difference between a list and a tuple?", "What is a generator?"):
        note = col.get_note(col.find_notes(f'"Note ID:{g[q]}"')[0])
        note.add_tag("mine")
        col.update_note(note)
    cards_before, revlog_before, notes_before = cards_by_guid(col), revlog(col), notes_by_guid(col)
    assert len(revlog_before) >= 8 and any(c[3] == 2 for c in cards_before.values()), "some cards reached review"

    notes2, lock2, report2 = assign_identities(BUILD2, lock1, namespace=NS, now=t2)
    by_q = {n.question: n for n in notes2}
    context = by_q["What is a context manager?"]
    reworded = by_q["How does Python allocate and free memory?"]
    args_note = by_q["What are *args and **kwargs?"]
    merged_away = next(n for n in notes2 if n.status == "merged")
    retired = next(n for n in notes2 if n.status == "retired")
    assert reworded.guid == g["How does Python manage memory?"]
    assert by_q["How do you reverse a list in Python?"].guid == g["How do you reverse a list in Python?"]
    assert retired.guid == g["Explain Python decorators."]
    assert {args_note.guid, merged_away.guid} == {g["What are *args and **kwargs?"],
                                                  g["How do *args and **kwargs work in a function signature?"]}
    assert merged_away.merged_into == args_note.guid
    assert report2.counts == {"new": 1, "changed": 4, "unchanged": 2, "retired": 1, "merged": 1}
    apkg2 = package(tmp_path, "build2", notes2, lock2)

    log = anki_import(col, apkg2)
    changed = {g["What is a generator?"], g["What is the GIL?"], reworded.guid, args_note.guid}
    unchanged = {g["How do you reverse a list in Python?"], g["What is the difference between a list and a tuple?"]}
    assert guids(log.new, col) == {context.guid}
    assert guids(log.updated, col) == changed | {retired.guid, merged_away.guid}
    assert guids(log.duplicate, col) == unchanged, "Anki reports unchanged notes as duplicates: untouched"
    assert not log.conflicting and log.found_notes == 9

    # no duplicate notes: one note per GUID, nine in all
    notes_after = notes_by_guid(col)
    assert set(notes_after) == {n.guid for n in notes2} and col.note_count() == 9

    # no review lost: every old card is the same card, same interval, same due, same history
    cards_after = cards_by_guid(col)
    for guid, before in cards_before.items():
        assert cards_after[guid] == before, f"scheduling changed for {guid}"
    assert revlog(col) == revlog_before
    assert cards_after[context.guid][4] == 0 and cards_after[context.guid][3] == 0, "the new note's card is new"

    # updated notes show the new text and tags; unchanged ones keep the user's tags
    for guid in changed:
        assert fields_of(col, guid) == render_fields(next(n for n in notes2 if n.guid == guid))
    assert fields_of(col, reworded.guid)["Question"] == "How does Python allocate and free memory?"
    assert "4-senior" in fields_of(col, g["What is the GIL?"])["Tier"]
    assert f"{TAG_ROOT}::tier::4-senior" in notes_after[g["What is the GIL?"]][3]
    assert "mine" not in notes_after[g["What is a generator?"]][3], "an update replaces the tags"
    for guid in unchanged:  # untouched: same id, mod, fields and tags, the user's own tag included
        assert notes_after[guid] == notes_before[guid]
    assert "mine" in notes_after[g["What is the difference between a list and a tuple?"]][3]
    assert RETIRED in notes_after[retired.guid][3] and RETIRED in notes_after[merged_away.guid][3]
    assert args_note.guid in fields_of(col, merged_away.guid)["Status"]
    assert fields_of(col, retired.guid)["Answer"] == "<p>Functions that wrap functions.</p>", "content kept"
    # the tier change did not move its card (existing cards never change deck)
    assert cards_after[g["What is the GIL?"]][1] == cards_before[g["What is the GIL?"]][1]

    # importing the same package again changes nothing
    before = snapshot(col)
    log = anki_import(col, apkg2)
    assert not log.new and not log.updated and len(log.duplicate) == 9
    assert snapshot(col) == before

    # a rebuild from the saved lock is byte-identical, whatever the clock says
    notes3, lock3, report3 = assign_identities(BUILD2, lock2, namespace=NS, now=t2 + 5000)
    assert lock3 == lock2 and report3.counts["unchanged"] == 9
    assert package(tmp_path, "build3", notes3, lock3).read_bytes() == apkg2.read_bytes()


def test_cards_render_escaped_text_and_highlighted_code(tmp_path, anki_collection, anki_import):
    notes_in = [
        mk("s#1", "What does `type(1)` print: <class 'int'>?",
           "It prints:\n\n```python\ndef f(x):\n    return x < 1  # <b>not bold</b>\n```\n\n- uses `<`\n- & more"),
        mk("s#2", "Is <script>alert(1)</script> run?", "No: it is **text**."),
    ]
    notes, lock, _ = assign_identities(notes_in, Lock(), namespace=NS, now=1_700_000_000)
    col = anki_collection()
    anki_import(col, package(tmp_path, "render", notes, lock))
    rendered, shown = {}, {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        rendered[card.note().guid] = (card.question(), card.answer())
        # the text a user reads, as Anki's own HTML-to-text turns it (the browser's columns)
        shown[card.note().guid] = col._backend.html_to_text_line(
            text=card.render_output().question_text, preserve_media_filenames=True)
    question, answer = rendered[notes[0].guid]
    assert shown[notes[0].guid] == "What does type(1) print: <class 'int'>?"
    assert shown[notes[1].guid] == "Is <script>alert(1)</script> run?"
    assert "<code>type(1)</code>" in question and "&lt;class 'int'&gt;" in question
    assert "<class" not in question.replace("<code>", "")
    assert '<pre class="qd-code"><code><span class="k">def</span>' in answer
    assert '<span class="o">&lt;</span>' in answer and "&lt;b&gt;not bold&lt;/b&gt;" in answer
    assert "<ul><li>uses <code>&lt;</code></li><li>&amp; more</li></ul>" in answer
    assert ".nightMode .qd-code .k" in answer and ".night_mode .qd-code .k" in answer  # the note type's CSS
    q2, a2 = rendered[notes[1].guid]
    assert "<script>" not in q2.split("</style>", 1)[1] and "&lt;script&gt;" in q2
    assert "**text**" in a2, "only the documented markdown subset is rendered"
    assert notes[1].guid not in a2, "the note id stays in its field for search, off the card"
    assert col.find_notes(f'"Note ID:{notes[1].guid}"'), "searchable"


# ---------------------------------------------------------------------- Anki's import rules, pinned


def _user_note(col: Any, guid: str) -> Any:
    return col.get_note(col.find_notes(f'"Note ID:{guid}"')[0])


def test_update_only_when_the_package_note_is_newer(tmp_path, anki_collection, anki_import):
    real_now = int(time.time())
    base = [mk("s#1", "What is a list?"), mk("s#2", "What is a dict?")]
    notes, lock, _ = assign_identities(base, Lock(), namespace=NS, now=real_now - 3600)
    col = anki_collection()
    anki_import(col, package(tmp_path, "v1", notes, lock))
    list_guid, dict_guid = notes[0].guid, notes[1].guid

    # same mod, different content: not updated
    same_mod = [replace(notes[0], answer="Sneaky edit."), notes[1]]
    log = anki_import(col, package(tmp_path, "same-mod", same_mod, lock))
    assert not log.updated and len(log.duplicate) == 2
    assert _user_note(col, list_guid)["Answer"] == "<p>An answer.</p>"

    # the user edits a note; a package note older than that edit does not overwrite it
    user = _user_note(col, list_guid)
    user["Answer"] = "My own answer"
    user.add_tag("mine")
    col.update_note(user)
    older = [replace(notes[0], answer="Upstream fix.", mod=real_now - 1800), notes[1]]
    log = anki_import(col, package(tmp_path, "older", older, lock))
    assert not log.updated and _user_note(col, list_guid)["Answer"] == "My own answer"

    # a newer package note wins: fields replaced, tags replaced (the user's tag is gone)
    newer = [replace(notes[0], answer="Upstream fix.", mod=real_now + 60), notes[1]]
    log = anki_import(col, package(tmp_path, "newer", newer, lock))
    assert guids(log.updated, col) == {list_guid} and guids(log.duplicate, col) == {dict_guid}
    after = _user_note(col, list_guid)
    assert after["Answer"] == "<p>Upstream fix.</p>" and "mine" not in after.tags
    assert after.mod == real_now + 60, "Anki keeps the package's mod, so a re-import is a no-op"


def test_starting_with_a_tier_package_then_the_full_deck(tmp_path, anki_collection, anki_import):
    full_in = [mk("s#1", "What is a list?", tier="2-junior"), mk("s#2", "What is a metaclass?", tier="4-senior"),
               mk("s#3", "What is a tuple?", tier="2-junior")]
    notes, lock, _ = assign_identities(full_in, Lock(), namespace=NS, now=1_700_000_000)
    junior = [n for n in notes if n.tier == "2-junior"]
    col = anki_collection()
    anki_import(col, package(tmp_path, "python-interview-2-junior", junior, lock, deck=f"{DECK}::2 Junior"))
    study(col, f"{DECK}::2 Junior")
    before = cards_by_guid(col)
    log = anki_import(col, package(tmp_path, "python-interview", notes, lock))
    assert guids(log.new, col) == {notes[1].guid} and len(log.duplicate) == 2
    assert col.note_count() == 3
    after = cards_by_guid(col)
    junior_deck = col.decks.id_for_name(f"{DECK}::2 Junior")
    assert {after[n.guid][1] for n in junior} == {junior_deck}, "existing cards stay in their deck"
    assert after[notes[1].guid][1] == col.decks.id_for_name(DECK)
    assert all(after[n.guid] == before[n.guid] for n in junior)


def _two_builds(tmp_path, old_fields=FIELDS, new_fields=FIELDS) -> tuple[Path, Path, list[Note]]:
    """The same notes in two packages a release apart, whose note types have the given fields."""
    base = [mk("s#1", "What is a list?"), mk("s#2", "What is a dict?")]
    notes, lock, _ = assign_identities(base, Lock(), namespace=NS, now=1_700_000_000)
    old, new = tmp_path / "old.apkg", tmp_path / "new.apkg"
    write_apkg(notes, old, deck_name=DECK, notetype_mod=1_700_000_000)
    change_fields(old, old_fields)
    write_apkg(notes, new, deck_name=DECK, notetype_mod=1_700_000_100)
    change_fields(new, new_fields)
    return old, new, notes


def _notetype_names(col: Any) -> list[str]:
    return sorted(m["name"] for m in col.models.all() if m["name"].startswith("qdeck"))


def test_a_field_rename_with_stable_ids_imports_cleanly(tmp_path, anki_collection, anki_import):
    renamed = tuple(FieldSpec("Mnemonic" if f.name == "Spare 2" else f.name, f.id) for f in FIELDS)
    old, new, notes = _two_builds(tmp_path, new_fields=renamed)
    col = anki_collection()
    anki_import(col, old)
    log = anki_import(col, new)
    assert not log.conflicting and len(log.duplicate) == 2
    assert _notetype_names(col) == [MODEL_NAME], "no '+' copy"
    model = col.models.get(MODEL_ID)
    assert "Mnemonic" in [f["name"] for f in model["flds"]] and model["mod"] == 1_700_000_100


def test_a_field_rename_without_ids_makes_a_plus_copy(tmp_path, anki_collection, anki_import):
    no_ids = tuple(FieldSpec(f.name, None) for f in FIELDS)
    renamed = tuple(FieldSpec("Mnemonic" if f.name == "Spare 2" else f.name, None) for f in FIELDS)
    old, new, notes = _two_builds(tmp_path, old_fields=no_ids, new_fields=renamed)
    col = anki_collection()
    anki_import(col, old)
    log = anki_import(col, new)
    assert len(log.conflicting) == 2 and not log.updated
    assert _notetype_names(col) == [MODEL_NAME, f"{MODEL_NAME}+"]


def test_an_added_field_makes_a_plus_copy_unless_merge_notetypes(tmp_path, anki_collection, anki_import):
    old, new, notes = _two_builds(tmp_path, new_fields=(*FIELDS, FieldSpec("Extra", 7390412268371151099)))
    plain = anki_collection("plain")
    anki_import(plain, old)
    log = anki_import(plain, new)
    assert len(log.conflicting) == 2 and not log.updated and not log.new
    assert _notetype_names(plain) == [MODEL_NAME, f"{MODEL_NAME}+"]
    assert plain.note_count() == 2, "conflicting notes are skipped, not duplicated"

    merging = anki_collection("merging")
    anki_import(merging, old)
    log = anki_import(merging, new, merge_notetypes=True)
    assert not log.conflicting and len(log.duplicate) == 2
    assert _notetype_names(merging) == [MODEL_NAME]
    assert [f["name"] for f in merging.models.get(MODEL_ID)["flds"]][-1] == "Extra"


def _rewrite_collection(path: Path, tmp_path: Path, *statements: tuple[str, tuple]) -> None:
    db_file = tmp_path / "edit.anki2"
    with zipfile.ZipFile(path) as archive:
        db_file.write_bytes(archive.read("collection.anki2"))
        media = archive.read("media")
    conn = sqlite3.connect(db_file)
    for sql, args in statements:
        conn.execute(sql, args)
    conn.commit()
    conn.close()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", db_file.read_bytes())
        archive.writestr("media", media)


def test_a_package_cannot_carry_a_filtered_deck_or_suspension(tmp_path, anki_collection, anki_import):
    notes, lock, _ = assign_identities([mk("s#1", "What is a list?")], Lock(), namespace=NS, now=1_700_000_000)
    path = package(tmp_path, "filtered", notes, lock, deck="Today")
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "peek.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "peek.anki2")
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    conn.close()
    deck = next(d for d in decks.values() if d["name"] == "Today")
    deck.update(dyn=1, terms=[["deck:current", 100, 0]], resched=True, delays=None, previewDelay=10)
    _rewrite_collection(path, tmp_path, ("UPDATE col SET decks = ?", (json.dumps(decks),)),
                        ("UPDATE cards SET queue = -1", ()))
    col = anki_collection()
    log = anki_import(col, path)
    assert len(log.new) == 1
    did = col.decks.id_for_name("Today")
    assert not col.decks.is_filtered(did), "a filtered deck arrives as a normal deck"
    card = col.get_card(col.find_cards("")[0])
    assert card.did == did and card.queue == 0, "suspension is reset to new with default options"


def test_cards_in_a_users_filtered_deck_survive_an_update(tmp_path, anki_collection, anki_import):
    real_now = int(time.time())
    notes, lock, _ = assign_identities([mk("s#1", "What is a list?"), mk("s#2", "What is a dict?")], Lock(),
                                       namespace=NS, now=real_now - 3600)
    col = anki_collection()
    anki_import(col, package(tmp_path, "v1", notes, lock))
    study(col, DECK)
    filtered = col.sched.get_or_create_filtered_deck(deck_id=0)
    filtered.name = "Cram"
    filtered.config.search_terms[0].search = "deck:current"
    filtered.config.search_terms[0].limit = 100
    filtered.config.reschedule = True
    col.decks.select(col.decks.id_for_name(DECK))
    col.sched.add_or_update_filtered_deck(filtered)
    before = cards_by_guid(col)
    cram = col.decks.id_for_name("Cram")
    assert {c[1] for c in before.values()} == {cram}
    changed, lock2, _ = assign_identities([mk("s#1", "What is a list?", "Changed."), mk("s#2", "What is a dict?")],
                                          lock, namespace=NS, now=real_now + 60)
    log = anki_import(col, package(tmp_path, "v2", changed, lock2))
    assert len(log.updated) == 1
    assert cards_by_guid(col) == before
