"""`qdeck sync` against the real Anki library: study, user tags and edits survive; filtered decks; safety."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("anki.collection")  # imports anki in the order it needs

from anki.cards import Card  # noqa: E402
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest  # noqa: E402
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition  # noqa: E402
from anki.scheduler.base import SchedulerBase  # noqa: E402
from anki.scheduler.v3 import CardAnswer  # noqa: E402

from qdeck.anki import MODEL_ID  # noqa: E402
from qdeck.config import load_recipe  # noqa: E402
from qdeck.errors import QdeckError  # noqa: E402
from qdeck.settings import anki_base  # noqa: E402
from qdeck.sync import TIER_TITLES, CollectionError, SyncReport, find_collection, sync  # noqa: E402
from qdeck.sync.guards import locked  # noqa: E402
from tests.helpers import MINI_RECIPE, MINI_SOURCES, MINI_V1, MINI_V2, make_project, run_cli  # noqa: E402

DECK = "Python Interview"
ROOT = "python-interview"
RETIRED = f"{ROOT}::status::retired"
TIER_DECKS = {t: f"{DECK}::{title}" for t, title in TIER_TITLES.items()}

SOURCES, RECIPE, V1, V2 = MINI_SOURCES, MINI_RECIPE, MINI_V1, MINI_V2


# ---------------------------------------------------------------------- helpers


def project(tmp_path: Path, source: str = V1) -> Path:
    return make_project(tmp_path / "project", SOURCES, {"mini.txt": source}, recipe=RECIPE)


def edit_source(proj: Path, source: str) -> None:
    (proj / "data" / "sources" / "mini.txt").write_text(source, encoding="utf-8")


def run_sync(proj: Path, collection: Path, **options: Any) -> SyncReport:
    return sync(load_recipe(proj / "decks" / "test.yaml"), collection, out_dir=proj / "build", **options)


def new_collection(folder: Path, *, legacy: bool = False) -> Path:
    """A fresh, closed collection (schema 11 when legacy, as Anki's Downgrade & Quit leaves it)."""
    folder.mkdir(parents=True)
    path = folder / "collection.anki2"
    Collection(str(path)).close(downgrade=legacy)
    return path


@contextmanager
def opened(path: Path) -> Iterator[Any]:
    # Never sync while a collection is open in this process: POSIX locks do not conflict within one
    # process, so only another process (Anki) shows as locked.
    col = Collection(str(path))
    try:
        yield col
    finally:
        col.close()


def fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """The collection's bytes and mtime, and every file in its folder."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(p.name for p in path.parent.iterdir()))


def study(col: Any, deck: str, answers: int) -> None:
    """Answer cards of a deck through the scheduler, with mixed ratings."""
    col.decks.select(col.decks.id_for_name(deck))
    ratings = [CardAnswer.EASY, CardAnswer.GOOD, CardAnswer.AGAIN, CardAnswer.HARD]
    for i in range(answers):
        queued = col.sched.get_queued_cards(fetch_limit=1).cards
        if not queued:
            return
        card = Card(col)
        card._load_from_backend_card(queued[0].card)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=ratings[i % 4]))


def note_of(col: Any, question: str) -> Any:
    nids = col.find_notes(f'"Question:{question}"')
    assert len(nids) == 1, question
    return col.get_note(nids[0])


def schedule(col: Any) -> dict[str, tuple]:
    """Per note: its card's scheduling, with the home deck and due it has outside filtered decks."""
    rows = col.db.all(
        "SELECT n.guid, c.id, c.type, c.ivl, c.factor, c.reps, c.lapses, c.left, "
        "CASE WHEN c.odid THEN c.odid ELSE c.did END, CASE WHEN c.odid THEN c.odue ELSE c.due END "
        "FROM cards c JOIN notes n ON n.id = c.nid")
    return {r[0]: tuple(r[1:]) for r in rows}


def revlog(col: Any) -> list[list]:
    return col.db.all("SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id")


def filtered_cards(col: Any, name: str) -> set[int]:
    did = col.decks.id_for_name(name)
    assert did is not None and col.decks.is_filtered(did), name
    return set(col.db.list("SELECT id FROM cards WHERE did = ?", did))


def expected_tier_cards(col: Any, tier: str) -> set[int]:
    """What a tier deck should hold: our active notes of that tier whose cards are not suspended."""
    return set(col.find_cards(f"tag:{ROOT}::tier::{tier} -tag:{RETIRED} -is:suspended"))


# ---------------------------------------------------------------------- the user story


def test_sync_keeps_study_and_own_tags_and_builds_tier_decks(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    real = int(time.time())

    first = run_sync(proj, path, now=real - 3600)
    assert (first.added, first.updated, first.unchanged, first.kept) == (8, 0, 0, 0)
    assert first.backup is not None and first.backup.is_file() and first.schema == 18

    with opened(path) as col:
        assert col.note_count() == 8 and col.card_count() == 8
        assert {n for n, t in TIER_DECKS.items() if col.decks.id_for_name(t)} == {"1-beginner", "2-junior", "3-mid"}
        for tier in ("1-beginner", "2-junior", "3-mid"):
            study(col, TIER_DECKS[tier], answers=4)
        generator, gil = note_of(col, "What is a generator?"), note_of(col, "What is the GIL?")
        pair = note_of(col, "What is the difference between a list and a tuple?")
        reverse = note_of(col, "How do you reverse a string?")
        generator.add_tag("mine")
        gil.add_tag("leech")
        pair.add_tag("marked")
        col.update_notes([generator, gil, pair])
        # an edit made after the next build (as if in Anki a minute from now): Anki's rule keeps it
        reverse["Question"] = "How do I reverse a str?"
        col.update_note(reverse)
        col.db.execute("UPDATE notes SET mod = ? WHERE id = ?", real + 600, reverse.id)
        col.sched.suspend_cards(note_of(col, "What is a list in Python?").card_ids())
        tier1 = col.sched.get_or_create_filtered_deck(col.decks.id_for_name(TIER_DECKS["1-beginner"]))
        tier1.config.reschedule = False  # the user's own option on our deck
        col.sched.add_or_update_filtered_deck(tier1)
        # the user's own import-screen choices, which a sync must not overwrite
        never = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER
        options = ImportAnkiPackageOptions(merge_notetypes=True, update_notes=never, with_scheduling=True)
        package = proj / "build" / f"{ROOT}.apkg"
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
        cards_before, revlog_before = schedule(col), revlog(col)
        pair_before = col.db.first("SELECT id, mod, tags, flds FROM notes WHERE id = ?", pair.id)
        guids = {q: note_of(col, q).guid for q in ("Explain Python decorators.", "What is a generator?",
                                                   "What is the GIL?", "How do I reverse a str?")}
    assert len(revlog_before) >= 8 and any(c[1] == 2 for c in cards_before.values()), "some cards reached review"

    edit_source(proj, V2)
    second = run_sync(proj, path, now=real + 60, suspend_retired=True)
    assert (second.added, second.updated, second.unchanged, second.kept) == (1, 3, 4, 1)
    assert (second.retired, second.newly_retired, second.suspended) == (1, 1, 1)
    assert (second.tags_kept_notes, second.tags_kept) == (2, ("leech", "mine"))
    assert second.backup is not None and second.backup != first.backup and not second.full_sync
    assert [(d.name, d.action) for d in second.filtered] == [
        (TIER_DECKS["1-beginner"], "rebuilt"), (TIER_DECKS["2-junior"], "rebuilt"), (TIER_DECKS["3-mid"], "rebuilt")]

    with opened(path) as col:
        assert col.note_count() == 9 and len(set(col.db.list("SELECT guid FROM notes"))) == 9
        # no review lost, no card reset: same cards, same scheduling, same history
        after = schedule(col)
        for guid, before in cards_before.items():
            assert after[guid] == before, f"scheduling changed for {guid}"
        assert revlog(col) == revlog_before
        # our tags replaced, the user's kept
        generator = note_of(col, "What is a generator in Python?")
        assert generator.guid == guids["What is a generator?"] and "mine" in generator.tags
        gil = col.get_note(col.find_notes(f'"Note ID:{guids["What is the GIL?"]}"')[0])
        assert "leech" in gil.tags and f"{ROOT}::tier::2-junior" in gil.tags
        assert f"{ROOT}::tier::3-mid" not in gil.tags and gil["Tier"] == "2-junior"
        assert gil.mod == real + 60, "the build's mod, as an import leaves it"
        untouched = col.db.first("SELECT id, mod, tags, flds FROM notes WHERE id = ?", pair_before[0])
        assert untouched == pair_before and "marked" in untouched[2].split(), "an unchanged note is not touched"
        # the note edited after this build keeps the user's text, like Anki's "update if newer"
        reverse = note_of(col, "How do I reverse a str?")
        assert reverse.guid == guids["How do I reverse a str?"] and reverse.mod == real + 600
        # the retired note: tagged, its card suspended
        retired = col.get_note(col.find_notes(f'"Note ID:{guids["Explain Python decorators."]}"')[0])
        assert RETIRED in retired.tags and all(col.get_card(c).queue == -1 for c in retired.card_ids())
        # filtered decks hold exactly the unsuspended active cards of their tier
        counts = {}
        for tier in ("1-beginner", "2-junior", "3-mid"):
            held = filtered_cards(col, TIER_DECKS[tier])
            assert held == expected_tier_cards(col, tier), tier
            counts[tier] = len(held)
        assert counts == {"1-beginner": 2, "2-junior": 4, "3-mid": 1}
        assert {d.name: d.cards for d in second.filtered} == {TIER_DECKS[t]: n for t, n in counts.items()}
        # "deck:Python Interview" counts each card once, filtered children included
        assert len(col.find_cards(f'"deck:{DECK}"')) == col.card_count() == 9
        tier1 = col.sched.get_or_create_filtered_deck(col.decks.id_for_name(TIER_DECKS["1-beginner"]))
        assert tier1.config.reschedule is False, "refreshing keeps the user's options"
        assert col.decks.name(col.decks.get_current_id()) == TIER_DECKS["1-beginner"], "selected deck unchanged"
        presets = col._backend.get_import_anki_package_presets()
        assert (presets.merge_notetypes, presets.update_notes, presets.with_scheduling) == (True, never, True)

    third = run_sync(proj, path, now=real + 120, suspend_retired=True)
    assert (third.added, third.updated, third.kept, third.suspended) == (0, 0, 1, 0)
    assert third.unchanged == 8


def test_a_dry_run_changes_no_byte_and_reports_what_sync_would_do(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    real = int(time.time())
    run_sync(proj, path, now=real - 3600)
    with opened(path) as col:
        study(col, TIER_DECKS["2-junior"], answers=3)
    edit_source(proj, V2)
    lock = proj / "decks" / f"{ROOT}.lock.yaml"
    lock_before, before = lock.read_text(encoding="utf-8"), fingerprint(path)

    dry = run_sync(proj, path, now=real + 60, dry_run=True, suspend_retired=True)
    assert fingerprint(path) == before, "the collection file and its folder are untouched"
    assert lock.read_text(encoding="utf-8") == lock_before, "a dry run writes no build output either"
    assert dry.dry_run and dry.backup is None and "dry run: nothing was written" in dry.summary()

    real_run = run_sync(proj, path, now=real + 60, suspend_retired=True)
    assert dry.counts == real_run.counts and dry.filtered == real_run.filtered


# ---------------------------------------------------------------------- filtered decks


def test_refreshing_fixes_only_our_own_unchanged_search(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    run_sync(proj, path, now=1_800_000_000)
    key = f"qdeck:{ROOT}"
    with opened(path) as col:
        # tier 1: an older qdeck search, still as we wrote it; tier 3: a search the user edited
        old = f'"deck:{DECK}" tag:{ROOT}::tier::1-beginner'
        state = col.get_config(key)
        state["filtered"][TIER_DECKS["1-beginner"]] = old
        col.set_config(key, state)
        for tier, search in (("1-beginner", old), ("3-mid", f'"deck:{DECK}" tag:{ROOT}::tier::3-mid is:new')):
            deck = col.sched.get_or_create_filtered_deck(col.decks.id_for_name(TIER_DECKS[tier]))
            deck.config.search_terms[0].search = search
            deck.config.search_terms[0].limit = 7
            col.sched.add_or_update_filtered_deck(deck)
    report = run_sync(proj, path, now=1_800_000_000)
    actions = {d.name: d.action for d in report.filtered}
    assert actions == {TIER_DECKS["1-beginner"]: "search updated", TIER_DECKS["2-junior"]: "rebuilt",
                       TIER_DECKS["3-mid"]: "rebuilt (your search kept)"}
    with opened(path) as col:
        terms = {t: col.sched.get_or_create_filtered_deck(col.decks.id_for_name(TIER_DECKS[t])).config.search_terms
                 for t in ("1-beginner", "3-mid")}
        assert terms["1-beginner"][0].search.endswith(f"-tag:{RETIRED} -is:suspended")
        assert terms["3-mid"][0].search.endswith("is:new")
        assert terms["1-beginner"][0].limit == terms["3-mid"][0].limit == 7, "options kept"


def test_topic_decks_on_request_and_a_normal_deck_is_never_converted(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    with opened(path) as col:
        col.decks.id(TIER_DECKS["3-mid"])  # the user's own normal deck with one of our names
    report = run_sync(proj, path, filtered=("topic",))
    assert report.filtered and all(d.name.startswith(f"{DECK}::Topic — ") for d in report.filtered)
    with opened(path) as col:
        topic_cards = set().union(*(filtered_cards(col, d.name) for d in report.filtered))
        assert topic_cards == set(col.find_cards("")), "every card sits in a topic deck"
    # a card sits in one filtered deck at a time: the topic decks hold them all, so tier decks stay out
    report = run_sync(proj, path, filtered=("tier",))
    assert {d.name: d.action for d in report.filtered} == {
        TIER_DECKS["1-beginner"]: "skipped: its 3 cards sit in other filtered decks",
        TIER_DECKS["2-junior"]: "skipped: its 3 cards sit in other filtered decks",
        TIER_DECKS["3-mid"]: "skipped: a normal deck already has this name",
    }
    with opened(path) as col:
        assert not col.decks.is_filtered(col.decks.id_for_name(TIER_DECKS["3-mid"]))
        assert col.decks.id_for_name(TIER_DECKS["1-beginner"]) is None
    # both kinds: every deck of ours lets go of its cards, then the first kind takes them; only the
    # two tier-3 cards (no tier deck: the name is taken) are left for the topic decks
    report = run_sync(proj, path, filtered=("tier", "topic"))
    actions = [d.action for d in report.filtered]
    assert actions[:3] == ["created", "created", "skipped: a normal deck already has this name"]
    topics = report.filtered[3:]
    assert sum(d.cards for d in topics) == 2
    for deck in topics:
        assert deck.action == "rebuilt" if deck.cards else deck.action.startswith("rebuilt, empty: its ")
    with pytest.raises(QdeckError, match="unknown filtered deck kind"):
        run_sync(proj, path, filtered=("level",))


# ---------------------------------------------------------------------- schema


def test_a_schema_11_collection_stays_schema_11(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile", legacy=True)
    report = run_sync(proj, path)
    assert report.schema == 11 and report.added == 8
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT ver FROM col").fetchone() == (11,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    with opened(path) as col:
        assert col.note_count() == 8


@pytest.mark.parametrize("ver, message", [
    (15, "refusing to sync a schema 15 collection with a schema 18 anki library: the Anki that saved it cannot"),
    (99, "refusing to sync a schema 99 collection with a schema 18 anki library: a newer Anki wrote it"),
])
def test_a_schema_the_users_anki_could_not_read_back_is_refused(tmp_path, ver, message):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile", legacy=True)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE col SET ver = ?", (ver,))
    conn.commit()
    conn.close()
    before = fingerprint(path)
    with pytest.raises(CollectionError, match=message):
        run_sync(proj, path)
    assert fingerprint(path) == before


# ---------------------------------------------------------------------- safety


HOLD = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
col.close()
"""


def test_a_collection_open_in_anki_is_refused(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    before = fingerprint(path)
    anki = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert anki.stdout.readline().strip() == "open"
        with pytest.raises(CollectionError, match="Anki has this collection open"):
            run_sync(proj, path)
        # the -wal file gives Anki away first; the lock itself is what a crash-free check relies on
        with pytest.raises(CollectionError, match=r"Anki has this collection open \(the file is locked\)"):
            with locked(path):
                pass
    finally:
        anki.stdin.close()
        anki.wait(timeout=30)
    assert not (proj / "decks" / f"{ROOT}.lock.yaml").exists(), "refused before building anything"
    assert fingerprint(path)[0] == before[0]
    assert run_sync(proj, path).added == 8, "once Anki closes, sync works"


def test_an_error_midway_leaves_the_collection_as_it_was(tmp_path, monkeypatch):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    real = int(time.time())
    run_sync(proj, path, now=real - 3600)
    with opened(path) as col:
        study(col, TIER_DECKS["1-beginner"], answers=3)
        generator = note_of(col, "What is a generator?")
        generator.add_tag("mine")
        col.update_note(generator)
    edit_source(proj, V2)
    before = fingerprint(path)

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("injected failure")

    # after the import, the restored tags and the suspensions are done in the working copy: the
    # library fails as the filtered decks are refreshed
    with monkeypatch.context() as m:
        m.setattr(SchedulerBase, "empty_filtered_deck", fail)
        with pytest.raises(RuntimeError, match="injected failure"):
            run_sync(proj, path, now=real + 60, suspend_retired=True)
    assert fingerprint(path) == before, "no byte changed, no backup or temporary file left"

    # at the last moment: the file changed under us (as if Anki had been opened); the swap is called off
    close = Collection.close

    def close_then_touch(col: Any, *args: Any, **kwargs: Any) -> None:
        close(col, *args, **kwargs)
        mtime = path.stat().st_mtime_ns + 10**9  # a second later, so any file system shows it
        os.utime(path, ns=(mtime, mtime))

    with monkeypatch.context() as m:
        m.setattr(Collection, "close", close_then_touch)
        with pytest.raises(CollectionError, match="changed while qdeck was working"):
            run_sync(proj, path, now=real + 60, suspend_retired=True)
    assert fingerprint(path)[0] == before[0], "no byte changed"
    leftovers = set(fingerprint(path)[2]) - set(before[2])
    assert len(leftovers) == 1 and next(iter(leftovers)).startswith("collection.anki2.qdeck-backup-")
    assert (path.parent / next(iter(leftovers))).read_bytes() == path.read_bytes()

    report = run_sync(proj, path, now=real + 60, suspend_retired=True)
    assert report.updated == 4 and report.tags_kept == ("mine",)


def test_a_note_type_whose_fields_changed_stops_the_sync(tmp_path):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "profile")
    run_sync(proj, path, now=1_800_000_000)
    with opened(path) as col:  # the collection's copy of our note type gets a field the build does not have
        notetype = col.models.get(MODEL_ID)
        col.models.add_field(notetype, col.models.new_field("Extra"))
        col.models.update_dict(notetype)
    before = fingerprint(path)
    edit_source(proj, V2)
    with pytest.raises(CollectionError, match="8 notes use an older layout of the qdeck note type"):
        run_sync(proj, path, now=1_800_000_100)
    assert fingerprint(path) == before


@pytest.mark.parametrize("kind", ["text file", "sqlite without col", "empty file"])
def test_a_file_that_is_not_a_collection_is_refused(tmp_path, kind):
    proj = project(tmp_path)
    path = tmp_path / "collection.anki2"
    if kind == "text file":
        path.write_text("not a database\n", encoding="utf-8")
    elif kind == "empty file":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (id INTEGER)")
        conn.commit()
        conn.close()
    before = fingerprint(path)
    with pytest.raises(CollectionError, match="not an Anki collection"):
        run_sync(proj, path)
    assert fingerprint(path) == before


# ---------------------------------------------------------------------- finding it, and the command


def test_find_collection_by_path_folder_or_profile(tmp_path):
    base = tmp_path / "Anki2"
    path = new_collection(base / "User 1")
    (base / "addons21").mkdir()
    env = {"ANKI_BASE": str(base)}
    assert find_collection(str(path), None, base=anki_base(env)) == path
    assert find_collection(str(path.parent), None, base=anki_base(env)) == path
    assert find_collection(None, "User 1", base=anki_base(env)) == path
    with pytest.raises(CollectionError, match=r"no Anki profile 'Bob' here \(profiles: User 1\)"):
        find_collection(None, "Bob", base=anki_base(env))
    with pytest.raises(QdeckError, match=rf"--collection PATH or --profile NAME \(profiles in {base}: User 1\)"):
        find_collection(None, None, base=anki_base(env))
    with pytest.raises(QdeckError, match="not both"):
        find_collection(str(path), "User 1", base=anki_base(env))
    with pytest.raises(CollectionError, match="no Anki collection here"):
        find_collection(str(tmp_path / "nowhere"), None, base=anki_base(env))


def test_the_command_prints_the_summary_and_errors_in_one_line(tmp_path, capsys, monkeypatch):
    proj = project(tmp_path)
    path = new_collection(tmp_path / "Anki2" / "User 1")
    monkeypatch.setenv("ANKI_BASE", str(tmp_path / "Anki2"))
    before = fingerprint(path)
    result = run_cli(capsys, "sync", "--profile", "User 1", "--dry-run", cwd=proj)
    assert result.code == 0, result.err
    assert fingerprint(path) == before
    assert result.out.startswith("dry run: nothing was written")
    assert "notes: 8 would be added" in result.out and f"filtered deck: {TIER_DECKS['2-junior']}: created" in result.out

    result = run_cli(capsys, "sync", "--collection", str(path.parent), "--suspend-retired", "--filtered", "none",
                     cwd=proj)
    assert result.code == 0, result.err
    assert "notes: 8 added" in result.out and "filtered deck:" not in result.out and "backup: " in result.out

    (tmp_path / "junk.anki2").write_text("hello", encoding="utf-8")
    result = run_cli(capsys, "sync", "--collection", str(tmp_path / "junk.anki2"), cwd=proj)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("qdeck: error: ") and "not an Anki collection" in result.err
    assert result.err.count("\n") == 1
