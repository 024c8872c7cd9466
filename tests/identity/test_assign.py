"""Identity stage: GUID matching, mod rules, and the lock file's safety."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.errors import LockError, OutputError, QdeckError
from qdeck.identity import (
    Lock,
    LockedContent,
    LockEntry,
    LockedQuestion,
    assign_identities,
    load_lock,
    lock_text,
    lock_would_change,
    save_lock,
    text_similarity,
)
from qdeck.identity.write import pyyaml_lock_text
from qdeck.models import Note

NS = "python-interview"
ROOT = "python-interview"
T1 = 1_700_000_000
T2 = 1_700_100_000
RETIRED = f"{ROOT}::status::retired"


def mk(ref: str | tuple[str, ...], question: str, answer: str = "An answer.", *, tier: str = "2-junior",
       variants: tuple[str, ...] = (), **kw) -> Note:
    refs = (ref,) if isinstance(ref, str) else ref
    tags = (f"{ROOT}::tier::{tier}", *(f"{ROOT}::source::{r.split('#')[0]}" for r in refs))
    return Note(key=refs[0], question=question, refs=refs, answer=answer, tier=tier, variants=variants,
                sources=tuple(dict.fromkeys(r.split("#")[0] for r in refs)), tags=tuple(sorted(set(tags))), **kw)


def build(notes, lock=None, now=T1, **kw):
    return assign_identities(notes, lock or Lock(), namespace=NS, now=now, **kw)


def by_question(notes):
    return {n.question: n for n in notes}


BASE = [
    mk("tiered#1", "How do you reverse a list in Python?"),
    mk("tiered#2", "What is a generator?"),
    mk("tiered#3", "What is the GIL?", tier="3-mid"),
    mk("levels#1", "How does Python manage memory?"),
]


# ---------------------------------------------------------------------- first build


def test_first_build_mints_namespaced_unique_guids_stamped_now():
    notes, lock, report = build(BASE)
    guids = [n.guid for n in notes]
    assert len(set(guids)) == len(guids) == 4
    assert all(g.startswith(f"{NS}:") and len(g) == len(NS) + 11 for g in guids)
    assert {n.mod for n in notes} == {T1}
    assert report.counts == {"new": 4, "changed": 0, "unchanged": 0, "retired": 0, "merged": 0}
    assert [e.guid for e in lock.entries] == sorted(guids)
    assert lock.notetype is not None and lock.notetype.mod == T1
    assert lock.namespace == NS


def test_minting_is_deterministic_and_namespaced():
    a, _, _ = build(BASE)
    b, _, _ = build(BASE, now=T2)
    other, _, _ = assign_identities(BASE, Lock(), namespace="other-deck", now=T1)
    assert [n.guid for n in a] == [n.guid for n in b]
    assert not {n.guid for n in a} & {n.guid for n in other}


def test_identical_questions_still_get_distinct_guids():
    twins = [mk("a#1", "What is a list?"), mk("a#1", "What is a list?")]
    notes, _, _ = build(twins)
    assert notes[0].guid != notes[1].guid


def test_input_notes_keep_their_order_and_fields():
    notes, _, _ = build(BASE)
    assert [n.question for n in notes] == [n.question for n in BASE]
    assert notes[1].answer == BASE[1].answer and notes[1].status == "active"


# ---------------------------------------------------------------------- the mod rule


def test_unchanged_rebuild_keeps_mods_and_the_lock_bytes():
    first, lock1, _ = build(BASE)
    second, lock2, report = build(BASE, lock1, now=T2)
    assert [n.mod for n in second] == [T1] * 4
    assert [n.guid for n in second] == [n.guid for n in first]
    assert report.counts["unchanged"] == 4 and report.counts["changed"] == 0
    assert lock_text(lock2) == lock_text(lock1)
    assert not report.notetype_changed


def test_changed_note_gets_the_release_time_and_others_keep_theirs():
    _, lock1, _ = build(BASE)
    edited = [*BASE[:1], replace(BASE[1], answer="A function that yields."), *BASE[2:]]
    notes, lock2, report = build(edited, lock1, now=T2)
    mods = {n.question: n.mod for n in notes}
    assert mods["What is a generator?"] == T2
    assert mods["How do you reverse a list in Python?"] == T1
    assert report.changed == (notes[1].guid,) and report.release == T2
    entry = lock2.get(notes[1].guid)
    assert entry.mod == T2 and entry.added == T1 and entry.content.answer == "A function that yields."


def test_mod_is_strictly_newer_than_the_last_release_even_if_the_clock_is_behind():
    _, lock1, _ = build(BASE, now=T2)
    edited = [replace(BASE[0], answer="Use reversed() or slicing."), *BASE[1:]]
    notes, _, report = build(edited, lock1, now=T1)  # the clock went backwards
    assert notes[0].mod == T2 + 1 == report.release


def test_tag_change_is_a_visible_change_and_tag_order_is_not():
    _, lock1, _ = build(BASE)
    reordered = [replace(BASE[0], tags=tuple(reversed(BASE[0].tags))), *BASE[1:]]
    _, _, report = build(reordered, lock1, now=T2)
    assert report.counts["changed"] == 0
    retagged = [replace(BASE[0], tags=(*BASE[0].tags, f"{ROOT}::topic::data-types")), *BASE[1:]]
    notes, _, report = build(retagged, lock1, now=T2)
    assert report.counts["changed"] == 1 and notes[0].mod == T2


def test_similarity_scores_are_not_visible_content():
    _, lock1, _ = build(BASE)
    noisy = [replace(BASE[0], similarity=(("tiered#1", 0.5),)), *BASE[1:]]
    _, _, report = build(noisy, lock1, now=T2)
    assert report.counts["unchanged"] == 4


# ---------------------------------------------------------------------- matching


def test_reworded_question_in_place_keeps_its_guid():
    first, lock1, _ = build(BASE)
    reworded = [*BASE[:3], mk("levels#1", "How does Python allocate and free memory?")]
    notes, _, report = build(reworded, lock1, now=T2)
    assert notes[3].guid == first[3].guid
    assert report.matched_by[notes[3].guid] == "edit"
    assert report.changed == (notes[3].guid,) and not report.new


def test_reworded_and_moved_question_keeps_its_guid_by_text():
    first, lock1, _ = build(BASE)
    moved = [*BASE[:3], mk("other#9", "How is memory managed in Python?")]
    notes, _, report = build(moved, lock1, now=T2)
    assert notes[3].guid == first[3].guid
    assert report.matched_by[notes[3].guid] == "moved"


def test_renumbered_source_keeps_guids_and_the_inserted_question_is_new():
    first, lock1, _ = build(BASE)
    old = by_question(first)
    shifted = [
        mk("tiered#1", "What is a context manager?"),  # takes the old ref of the first question
        mk("tiered#2", "How do you reverse a list in Python?"),
        mk("tiered#3", "What is a generator?"),
        mk("tiered#4", "What is the GIL?", tier="3-mid"),
        BASE[3],
    ]
    notes, _, report = build(shifted, lock1, now=T2)
    new = by_question(notes)
    for q in ("How do you reverse a list in Python?", "What is a generator?", "What is the GIL?"):
        assert new[q].guid == old[q].guid, q
        assert new[q].mod == T1, "only refs moved; what users see is unchanged"
    assert new["What is a context manager?"].guid not in {n.guid for n in first}
    assert report.counts == {"new": 1, "changed": 0, "unchanged": 4, "retired": 0, "merged": 0}


def test_renumbered_and_similar_neighbour_does_not_steal_a_guid():
    base = [mk("s#1", "What is the difference between a list and a tuple?"),
            mk("s#2", "What is the difference between a process and a thread?")]
    first, lock1, _ = build(base)
    shifted = [mk("s#1", "What is the difference between a set and a dict?"),
               mk("s#2", base[0].question), mk("s#3", base[1].question)]
    notes, _, _ = build(shifted, lock1, now=T2)
    assert notes[1].guid == first[0].guid and notes[2].guid == first[1].guid
    assert notes[0].guid not in {n.guid for n in first}


def test_removed_question_is_retired_and_still_exported_as_it_was():
    first, lock1, _ = build(BASE)
    notes, lock2, report = build(BASE[:3], lock1, now=T2)
    assert len(notes) == 4
    gone = notes[3]
    assert gone.guid == first[3].guid and gone.status == "retired"
    assert gone.question == BASE[3].question and gone.answer == BASE[3].answer
    assert RETIRED in gone.tags and set(BASE[3].tags) <= set(gone.tags)
    assert gone.mod == T2
    assert report.retired == (gone.guid,)
    assert lock2.get(gone.guid).status == "retired"
    # a later build leaves it alone: still exported, unchanged
    again, lock3, report3 = build(BASE[:3], lock2, now=T2 + 50)
    assert again[3].mod == T2 and report3.counts["unchanged"] == 4
    assert lock_text(lock3) == lock_text(lock2)


def test_a_retired_question_that_comes_back_keeps_its_guid():
    first, lock1, _ = build(BASE)
    _, lock2, _ = build(BASE[:3], lock1, now=T2)
    notes, lock3, report = build(BASE, lock2, now=T2 + 10)
    assert notes[3].guid == first[3].guid and notes[3].status == "active"
    assert RETIRED not in notes[3].tags and notes[3].mod == T2 + 10
    assert report.revived == (notes[3].guid,) and notes[3].guid in report.changed
    assert lock3.get(notes[3].guid).status == "active"


def _lock_with_ages(notes: list[Note], ages: dict[str, int]) -> Lock:
    _, lock, _ = build(notes)
    entries = tuple(replace(e, added=ages.get(e.question, e.added)) for e in lock.entries)
    return replace(lock, entries=entries)


def test_two_notes_that_merge_keep_the_older_guid_and_retire_the_other():
    a = mk("levels#3", "What are *args and **kwargs?")
    b = mk("levels#4", "How do *args and **kwargs work in a function signature?")
    lock1 = _lock_with_ages([a, b], {b.question: T1 - 500})  # b is older
    guid_a = next(e.guid for e in lock1.entries if e.question == a.question)
    guid_b = next(e.guid for e in lock1.entries if e.question == b.question)
    merged = mk(("levels#3", "levels#4"), a.question, variants=(b.question,))
    notes, lock2, report = build([merged], lock1, now=T2)
    survivor, loser = notes
    assert survivor.guid == guid_b, "the older note keeps its GUID"
    assert survivor.question == a.question and survivor.status == "active"
    assert loser.guid == guid_a and loser.status == "merged" and loser.merged_into == guid_b
    assert RETIRED in loser.tags
    assert report.merged == (guid_a,) and report.changed == (guid_b,)
    assert lock2.get(guid_a).merged_into == guid_b


def test_merge_with_equal_ages_keeps_the_closest_guid():
    a = mk("levels#3", "What are *args and **kwargs?")
    b = mk("levels#4", "How do *args and **kwargs work in a function signature?")
    first, lock1, _ = build([a, b])
    merged = mk(("levels#3", "levels#4"), a.question, variants=(b.question,))
    notes, _, _ = build([merged], lock1, now=T2)
    assert notes[0].guid == first[0].guid  # the canonical question's own note


def test_a_split_note_keeps_its_guid_on_the_closest_half():
    whole = mk(("a#1", "b#7"), "What is a closure?", variants=("Explain closures and cell variables in CPython.",))
    first, lock1, _ = build([whole])
    halves = [mk("b#7", "Explain closures and cell variables in CPython."), mk("a#1", "What is a closure?")]
    notes, _, report = build(halves, lock1, now=T2)
    assert notes[1].guid == first[0].guid
    assert notes[0].guid != first[0].guid and report.new == (notes[0].guid,)


def test_merge_pointers_follow_chains_to_the_survivor():
    a = mk("x#1", "What is a list?")
    b = mk("x#2", "What is a Python list used for?")
    c = mk("x#3", "How are lists created?")
    lock1 = _lock_with_ages([a, b, c], {a.question: T1 - 20, b.question: T1 - 10})
    g = {e.question: e.guid for e in lock1.entries}
    _, lock2, _ = build([mk(("x#1", "x#3"), a.question, variants=(c.question,)), b], lock1, now=T2)
    assert lock2.get(g[c.question]).merged_into == g[a.question]
    # now b merges into a too, and a merges away... c must point at the final survivor
    notes, lock3, _ = build([mk(("x#1", "x#2", "x#3"), a.question, variants=(b.question, c.question))], lock2,
                            now=T2 + 5)
    survivor = notes[0].guid
    assert survivor == g[a.question]
    assert {e.guid: e.merged_into for e in lock3.entries if e.status == "merged"} == {
        g[b.question]: survivor, g[c.question]: survivor}


def test_text_similarity_ignores_case_punctuation_word_order_and_filler():
    assert text_similarity("What is a GIL?", "what is a gil") == 1.0
    assert text_similarity("list vs tuple", "tuple vs list") == 1.0
    assert text_similarity("Explain Python decorators.", "Explain decorators in Python.") == 1.0
    assert text_similarity("What is a list?", "Explain the event loop in asyncio.") < 0.5


@pytest.mark.parametrize(("a", "b"), [
    ("What is the difference between a list and a tuple?", "What is the difference between a process and a thread?"),
    ("What is a list?", "What is a dict?"),
    ("What is a decorator?", "What is a descriptor?"),
    ("How do you reverse a list in Python?", "How do you sort a list in Python?"),
])
def test_templated_but_different_questions_do_not_match_by_text(a, b):
    assert text_similarity(a, b) < 0.85
    first, lock1, _ = build([mk("s#1", a)])
    notes, _, _ = build([mk("t#1", b)], lock1, now=T2)
    assert notes[0].guid != first[0].guid and notes[1].status == "retired"


# ---------------------------------------------------------------------- tags, root, namespace


def test_status_tag_uses_the_root_given_else_the_namespace():
    _, lock1, _ = build(BASE)
    notes, _, _ = build(BASE[:3], lock1, now=T2)
    assert f"{NS}::status::retired" in notes[3].tags
    notes, _, _ = build(BASE[:3], lock1, now=T2, root="custom")
    assert "custom::status::retired" in notes[3].tags


def test_input_status_tags_are_not_trusted():
    stale = [replace(BASE[0], tags=(*BASE[0].tags, RETIRED)), *BASE[1:]]
    notes, _, _ = build(stale)
    assert RETIRED not in notes[0].tags


def test_a_lock_from_another_namespace_is_refused():
    _, lock1, _ = build(BASE)
    with pytest.raises(LockError, match="namespace"):
        assign_identities(BASE, lock1, namespace="another", now=T2)


def test_bad_namespace_and_empty_question_are_rejected():
    with pytest.raises(ValueError):
        assign_identities(BASE, Lock(), namespace="has space", now=T1)
    with pytest.raises(ValueError):
        build([mk("a#1", "  ")])


def test_notetype_fingerprint_change_bumps_its_mod_and_flags_merge(monkeypatch):
    import qdeck.identity.assign as identity

    _, lock1, _ = build(BASE)
    monkeypatch.setattr(identity, "notetype_fingerprint", lambda: "restyled")
    _, lock2, report = build(BASE, lock1, now=T2)
    assert report.notetype_changed and not report.notetype_schema_changed
    assert lock2.notetype.mod == T2 and "styling changed" in report.summary()
    monkeypatch.setattr(identity, "schema_fingerprint", lambda: "new-field")
    _, lock3, report = build(BASE, lock2, now=T2 + 1)
    assert report.notetype_schema_changed and "Merge notetypes" in report.summary()
    assert lock3.notetype.mod == T2 + 1


def test_every_locked_entry_survives_and_guids_are_unique_over_many_builds():
    lock = Lock()
    seen: set[str] = set()
    rounds = [BASE, BASE[:2], [mk("z#1", "What is a metaclass?")], BASE, []]
    for i, notes_in in enumerate(rounds):
        notes, lock, _ = build(notes_in, lock, now=T1 + i * 100)
        guids = [n.guid for n in notes]
        assert len(guids) == len(set(guids))
        assert seen <= {e.guid for e in lock.entries}
        seen |= set(guids)
    assert len(lock.entries) == 5


# ---------------------------------------------------------------------- the lock file


def test_missing_lock_is_empty(tmp_path):
    lock = load_lock(tmp_path / "deck.lock.yaml")
    assert lock == Lock() and lock.path == tmp_path / "deck.lock.yaml"


def test_lock_round_trips_and_is_sorted_and_readable(tmp_path):
    notes, lock, _ = build([*BASE, mk("c#1", "Multi-line?", "line one\nline two\n\n```\nx = 1\n```")])
    path = tmp_path / "deck.lock.yaml"
    assert save_lock(lock, path) is True
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# qdeck identity lock")
    assert "answer: |-\n      line one\n      line two\n" in text
    loaded = load_lock(path)
    assert loaded == lock and loaded.path == path
    guids = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("- guid: ")]
    assert guids == sorted(guids) == sorted(n.guid for n in notes)


def test_save_lock_writes_nothing_when_unchanged(tmp_path):
    _, lock, _ = build(BASE)
    path = tmp_path / "deck.lock.yaml"
    save_lock(lock, path)
    os.utime(path, (1_000_000, 1_000_000))
    assert save_lock(lock, path) is False
    assert path.stat().st_mtime == 1_000_000
    assert not lock_would_change(lock, path)


def test_save_lock_is_atomic_keeps_mode_and_leaves_no_temp_files(tmp_path, monkeypatch):
    _, lock1, _ = build(BASE)
    path = tmp_path / "deck.lock.yaml"
    save_lock(lock1, path)
    os.chmod(path, 0o640)
    before = path.read_bytes()
    _, lock2, _ = build([replace(BASE[0], answer="new"), *BASE[1:]], lock1, now=T2)
    assert lock_would_change(lock2, path)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        save_lock(lock2, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.lock.yaml"]
    monkeypatch.undo()
    assert save_lock(lock2, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.lock.yaml"]


def test_save_lock_refuses_to_drop_entries(tmp_path):
    _, lock, _ = build(BASE)
    path = tmp_path / "deck.lock.yaml"
    save_lock(lock, path)
    with pytest.raises(LockError, match="refusing to drop 1"):
        save_lock(replace(lock, entries=lock.entries[1:]), path)
    assert load_lock(path) == lock


def test_save_lock_under_a_file_is_an_output_error(tmp_path):
    _, lock, _ = build(BASE)
    (tmp_path / "nope").write_text("a file, not a folder")
    with pytest.raises(OutputError) as err:
        save_lock(lock, tmp_path / "nope" / "deck.lock.yaml")
    assert "nope" in str(err.value)


def _saved(tmp_path: Path) -> Path:
    _, lock, _ = build(BASE)
    path = tmp_path / "deck.lock.yaml"
    save_lock(lock, path)
    return path


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            count += 1
            if count == nth:
                return number
    raise AssertionError(needle)


def test_bad_yaml_is_a_lock_error_with_file_and_line(tmp_path):
    path = _saved(tmp_path)
    text = path.read_text()
    broken = text.replace("  refs:\n", "  refs: [unclosed\n", 1)
    path.write_text(broken)
    with pytest.raises(LockError) as err:
        load_lock(path)
    message = str(err.value)
    assert str(path) in message and "malformed YAML" in message and "line " in message
    assert path.read_text() == broken, "a broken lock is never reset"


def test_duplicate_guids_are_a_lock_error_naming_the_line(tmp_path):
    path = _saved(tmp_path)
    text = path.read_text()
    first_guid = next(line for line in text.splitlines() if line.startswith("- guid: "))
    second_guid = [line for line in text.splitlines() if line.startswith("- guid: ")][1]
    path.write_text(text.replace(second_guid, first_guid))
    with pytest.raises(LockError) as err:
        load_lock(path)
    message = str(err.value)
    assert "duplicate GUID" in message and str(path) in message
    assert f"line {_line_of(text, second_guid)}" in message
    assert f"first at line {_line_of(text, first_guid)}" in message


@pytest.mark.parametrize("marker", ["<<<<<<< HEAD", "=======", ">>>>>>> feature-branch"])
def test_merge_conflict_markers_are_a_lock_error(tmp_path, marker):
    path = _saved(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(12, marker + "\n")
    path.write_text("".join(lines))
    with pytest.raises(LockError, match=r"line 13: unresolved merge-conflict marker") as err:
        load_lock(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("status: active", "status: zombie", 1), "status 'zombie'"),
        (lambda t: t.replace("  mod: 1700000000\n  added", "  mod: soon\n  added", 1), "`mod` must be"),
        (lambda t: t.replace("version: 2", "version: 9"), "unsupported lock version"),
        (lambda t: t.replace("status: active", "status: merged\n  merged_into: nowhere", 1), "not in the lock"),
        (lambda t: t.replace("status: active", "status: merged", 1), "`merged_into` is required"),
        (lambda t: t.replace("  hash:", "  colour: red\n  hash:", 1), "unknown key 'colour'"),
        (lambda t: t.split("notes:")[0] + "notes: 3\n", "`notes` must be a list"),
        (lambda t: t.replace("  mod: 1700000000\n", "  mod: 1700000000\n  mod: 1700000001\n", 1),
         "duplicate key 'mod'"),
        (lambda t: "", "empty"),
        (lambda t: "- just\n- a list\n", "expected a mapping"),
    ],
)
def test_hand_broken_locks_are_clear_lock_errors(tmp_path, edit, message):
    path = _saved(tmp_path)
    path.write_text(edit(path.read_text()))
    with pytest.raises(LockError, match=message) as err:
        load_lock(path)
    assert str(path) in str(err.value)
    assert isinstance(err.value, QdeckError) and "\n" not in str(err.value)


def test_entry_errors_name_the_entry_line(tmp_path):
    path = _saved(tmp_path)
    text = path.read_text()
    third = [line for line in text.splitlines() if line.startswith("- guid: ")][2]
    broken = text.replace(third, third + "\n  status: nope")
    broken = broken.replace(third + "\n  status: nope\n  status: active", third + "\n  status: nope")
    path.write_text(broken)
    with pytest.raises(LockError, match=f"line {_line_of(text, third)}:"):
        load_lock(path)


def test_non_utf8_lock_is_a_lock_error(tmp_path):
    path = tmp_path / "deck.lock.yaml"
    path.write_bytes(b"version: 1\nnamespace: \xff\n")
    with pytest.raises(LockError, match="not UTF-8"):
        load_lock(path)


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=_text.filter(lambda s: s.strip()), answer=_text, variants=st.lists(_text, max_size=3),
       tag=st.from_regex(r"[a-z]{1,8}(::[a-z0-9-]{1,8}){0,2}", fullmatch=True))
def test_any_text_survives_a_lock_round_trip(tmp_path, question, answer, variants, tag):
    entry = LockEntry(guid=f"{NS}:abc", question=question, refs=("s#1",), hash="h", mod=5, added=5,
                      content=LockedContent(answer=answer, variants=tuple(variants), tags=(tag,)))
    lock = Lock((entry,), NS, None, questions=(LockedQuestion("s#1", question, entry.guid),))
    path = tmp_path / "rt.lock.yaml"
    path.write_text(lock_text(lock), encoding="utf-8")
    assert load_lock(path) == lock


# ---------------------------------------------------------------------- the lock's text


def test_the_committed_lock_is_written_as_pyyaml_writes_it():
    from qdeck.identity import load_lock, lock_text
    from qdeck.identity.write import _fast_lock_text

    lock = load_lock(Path(__file__).resolve().parents[2] / "decks" / "python-interview.lock.yaml")
    assert len(lock.entries) > 1000
    assert lock_text(lock) == pyyaml_lock_text(lock)
    # Real text takes the direct writer, not its PyYAML fallback (which would raise here).
    assert _fast_lock_text(lock, sorted(lock.entries, key=lambda e: e.guid)) == lock_text(lock)


_TRICKY = st.sampled_from([
    "", " ", "\n", "a\n", "a\n\n", "\na", " a", "a ", "a: b", "a:", "a #b", "#a", "- a", "? a", "yes", "No", "null",
    "~", "1", "1.5", "0x1f", "2024-01-01", "'q'", '"q"', "`x`", "a\tb", "a \nb", "a\n b", "a\r\nb", "é\u2028x",
    "\x85", "\ufeff", "x\x7f", "[1, 2]", "{a}", "*a", "&a", "!a", "|a", ">a", "%a", "@a", "(a)", "a\n\nb\n",
    "...", "---", "-", "-1", ".5", "... a",  # a leading "-" or "." may be a YAML indicator
])
_TEXT = st.one_of(_TRICKY, st.text(max_size=40), st.lists(st.one_of(_TRICKY, st.text(max_size=12)), max_size=4)
                  .map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=_TEXT, refs=st.lists(_TEXT, max_size=3, unique=True), answer=_TEXT, variants=st.lists(_TEXT, max_size=3))
def test_the_lock_text_matches_pyyaml_for_any_text(question, refs, answer, variants):
    from qdeck.identity import Lock, LockedContent, LockEntry, NotetypeState, lock_text

    entry = LockEntry(guid="ns:abc", question=question, refs=tuple(refs), hash="00ff", mod=5, added=3,
                      content=LockedContent(key=question, answer=answer, variants=tuple(variants)))
    questions = tuple(LockedQuestion(f"{ref}#{n}", question or "q", "ns:abc") for n, ref in enumerate(refs))
    lock = Lock((entry,), "ns", NotetypeState("f", "s", 7), questions=questions)
    assert lock_text(lock) == pyyaml_lock_text(lock)


def test_a_saved_lock_reads_back_equal_to_what_was_saved(tmp_path, monkeypatch):
    """Rebuilds take a saved lock from the cache instead of parsing it: the two must agree."""
    from qdeck import identity

    monkeypatch.setenv("QDECK_NO_CACHE", "1")
    _, lock, _ = build(BASE)
    _, lock, _ = build([replace(BASE[0], answer="Line one\n\n- two"), *BASE[2:]], lock, now=T2)
    path = tmp_path / "copy.lock.yaml"
    assert identity.save_lock(lock, path)
    assert identity.load_lock(path) == lock


# ---------------------------------------------------------------------- following questions (issue 12)


LEVELS = [
    "What is the purpose of the `len()` function?",
    "What is the purpose of the `print()` function?",
    "What is the purpose of the `input()` function?",
    "What does `bool(0)` evaluate to?",
    "What does `bool(\"\")` evaluate to?",
    "How do you access the value of a key in a dictionary?",
    "How do you change the value of a key in a dictionary?",
    "What does the `zip()` function do? Provide an example.",
    "How do you sort a list in descending order?",
]


def _release(texts: list[str], lock: Lock | None = None, now: int = T1, **follow_kw):
    from qdeck.identity import follow
    from qdeck.models import Question

    questions = [Question(ref=f"levels#{n}", source="levels", number=str(n), text=t, line=n)
                 for n, t in enumerate(texts, 1)]
    notes = [mk(q.ref, q.text) for q in questions]
    lock = lock or Lock()
    return assign_identities(notes, lock, namespace=NS, now=now, alignment=follow(lock, questions, **follow_kw))


def test_deleting_a_question_and_renumbering_moves_no_guid_to_a_neighbour():
    first, lock1, _ = _release(LEVELS)
    notes, _, report = _release(LEVELS[:1] + LEVELS[2:], lock1, now=T2)  # print() deleted, the rest renumbered
    guid = {n.question: n.guid for n in first}
    for n in notes[:-1]:
        assert n.guid == guid[n.question], n.question
    assert notes[-1].status == "retired" and notes[-1].question == LEVELS[1]
    assert report.counts == {"new": 0, "changed": 0, "unchanged": 8, "retired": 1, "merged": 0}


def test_a_reworded_question_keeps_its_guid_however_low_its_similarity():
    first, lock1, _ = _release(LEVELS)
    reworded = [*LEVELS[:7], "What does the built-in `zip()` do? Give an example.", LEVELS[8]]
    assert text_similarity(LEVELS[7], reworded[7]) < 0.5
    notes, _, report = _release(reworded, lock1, now=T2)
    assert [n.guid for n in notes] == [n.guid for n in first]
    assert report.changed == (first[7].guid,) and report.matched_by[first[7].guid] == "edit"


def test_a_question_replaced_in_place_is_kept_but_shown_and_new_breaks_it():
    first, lock1, _ = _release(LEVELS)
    replaced = [*LEVELS[:4], "What is a metaclass?", *LEVELS[5:]]
    notes, _, report = _release(replaced, lock1, now=T2)
    assert notes[4].guid == first[4].guid
    (old, new, similarity), = report.uncertain
    assert (old, new) == (LEVELS[4], "What is a metaclass?") and similarity < 0.5
    assert f"kept as the same note: {old} → {new} (similarity {similarity:.2f})" in report.summary()
    notes, _, report = _release(replaced, lock1, now=T2, fresh=["levels#5"])
    assert notes[4].guid not in {n.guid for n in first} and not report.uncertain
    assert report.retired == (first[4].guid,)


def test_same_pins_a_pairing_the_alignment_would_not_make():
    first, lock1, _ = _release(LEVELS)
    # print() deleted and input() reworded beyond recognition: the block is unequal, no pairing.
    edited = [LEVELS[0], "How does a program read what the user types?", *LEVELS[3:]]
    notes, _, _ = _release(edited, lock1, now=T2)
    assert notes[1].guid not in {n.guid for n in first}
    notes, lock2, _ = _release(edited, lock1, now=T2, same=[("levels#3", "levels#2")])
    assert notes[1].guid == first[2].guid
    # Once released, the pin has nothing left to do: the new text is an exact match.
    again, _, report = _release(edited, lock2, now=T2 + 5, same=[("levels#3", "levels#2")])
    assert again[1].guid == first[2].guid and report.counts["unchanged"] == len(again)


def test_a_pin_naming_a_question_the_lock_never_had_is_an_input_error():
    from qdeck.errors import InputError

    _, lock1, _ = _release(LEVELS)
    with pytest.raises(InputError, match="levels#99"):
        _release([*LEVELS[:8], "Something else entirely?"], lock1, now=T2, same=[("levels#99", "levels#9")])


def test_an_exact_text_wins_across_sources_before_any_ref():
    first, lock1, _ = _release(LEVELS)
    from qdeck.identity import follow
    from qdeck.models import Question

    # levels#2 now holds input()'s text; print() moved to another list.
    questions = [Question(ref="levels#1", source="levels", number="1", text=LEVELS[0], line=1),
                 Question(ref="levels#2", source="levels", number="2", text=LEVELS[2], line=2),
                 Question(ref="other#1", source="other", number="1", text=LEVELS[1], line=1)]
    notes = [mk(q.ref, q.text) for q in questions]
    out, _, _ = assign_identities(notes, lock1, namespace=NS, now=T2, alignment=follow(lock1, questions))
    guid = {n.question: n.guid for n in first}
    assert [n.guid for n in out[:3]] == [guid[LEVELS[0]], guid[LEVELS[2]], guid[LEVELS[1]]]
