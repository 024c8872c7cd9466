"""Writing packages: byte-reproducible, our ids, times and order, validated notes, failures that keep the old file."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
import warnings
import zipfile
from dataclasses import replace

import pytest

from qdeck.anki import DECK_ID, FIELDS, MODEL_ID, MODEL_NAME, TEMPLATE_ID, css, read_apkg, write_apkg
from qdeck.errors import OutputError
from tests.anki.helpers import SAMPLE, T1, T2, collection_db, identified


def test_two_builds_are_byte_identical_whatever_the_clock(tmp_path, monkeypatch):
    notes, lock, _ = identified()
    write_apkg(notes, tmp_path / "a.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.5)
    (tmp_path / "other").mkdir()
    write_apkg(notes, tmp_path / "other" / "b.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "other" / "b.apkg").read_bytes()


def test_a_build_in_another_process_is_byte_identical(tmp_path):
    notes, lock, _ = identified()
    write_apkg(notes, tmp_path / "here.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    (tmp_path / "notes.pickle").write_bytes(pickle.dumps((notes, lock.notetype.mod)))
    script = (
        "import pickle, sys\n"
        "from qdeck.anki import write_apkg\n"
        "notes, mod = pickle.load(open(sys.argv[1], 'rb'))\n"
        "write_apkg(notes, sys.argv[2], deck_name='Python Interview', notetype_mod=mod)\n"
    )
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "123"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "notes.pickle"), str(tmp_path / "there.apkg")],
                   check=True, env=env, cwd=tmp_path)
    assert (tmp_path / "here.apkg").read_bytes() == (tmp_path / "there.apkg").read_bytes()


def test_zip_layout_is_fixed(tmp_path):
    notes, _, _ = identified()
    write_apkg(notes, tmp_path / "d.apkg", deck_name="D")
    with zipfile.ZipFile(tmp_path / "d.apkg") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media"]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("media") == b"{}"


def test_collection_holds_our_ids_times_and_order(tmp_path):
    notes, lock, _ = identified()
    notes = [replace(notes[0], mod=T1 + 7), *notes[1:]]
    write_apkg(notes, tmp_path / "d.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    db = collection_db(tmp_path / "d.apkg", tmp_path)
    rows = db.execute("SELECT n.id, n.guid, n.mod, c.id, c.due, c.did, c.mod, c.queue FROM notes n "
                      "JOIN cards c ON c.nid = n.id ORDER BY c.due").fetchall()
    assert [r[1] for r in rows] == [n.guid for n in notes], "new-card order follows the notes"
    assert [r[4] for r in rows] == [1, 2, 3]
    for (nid, guid, mod, cid, _, did, cmod, queue), note in zip(rows, notes):
        assert mod == cmod == note.mod
        # Anki reads a new note's id as its creation time: ours fall within the hour after the note's mod
        assert note.mod * 1000 <= nid < note.mod * 1000 + 3_600_000 + len(notes)
        assert did == DECK_ID and queue == 0
    assert len({r[0] for r in rows}) == len({r[3] for r in rows}) == 3
    crt, col_mod, models, decks = db.execute("SELECT crt, mod, models, decks FROM col").fetchone()
    model = json.loads(models)[str(MODEL_ID)]
    assert model["name"] == MODEL_NAME and model["mod"] == lock.notetype.mod
    assert [(f["name"], f["id"]) for f in model["flds"]] == [(f.name, f.id) for f in FIELDS]
    assert model["tmpls"][0]["id"] == TEMPLATE_ID and model["css"] == css()
    assert json.loads(decks)[str(DECK_ID)]["name"] == "Python Interview"


def test_retired_notes_go_to_a_top_level_deck_for_new_users(tmp_path):
    first, lock, _ = identified()
    notes, _, _ = identified(SAMPLE[:2], lock, now=T2)
    write_apkg(notes, tmp_path / "d.apkg", deck_name="PI")
    db = collection_db(tmp_path / "d.apkg", tmp_path)
    decks = {str(d["id"]): d["name"] for d in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).values()}
    placed = dict(db.execute("SELECT n.guid, c.did FROM notes n JOIN cards c ON c.nid = n.id").fetchall())
    assert decks[str(placed[first[2].guid])] == "PI (retired)", "outside the study tree of PI"
    assert decks[str(placed[first[0].guid])] == "PI"
    write_apkg(notes, tmp_path / "flat.apkg", deck_name="PI", retired_deck=None)
    assert read_apkg(tmp_path / "flat.apkg").decks == ("PI",)
    write_apkg(first, tmp_path / "none.apkg", deck_name="PI")
    assert read_apkg(tmp_path / "none.apkg").decks == ("PI",), "no empty Retired deck"


def test_genanki_raises_no_warnings(tmp_path):
    notes, _, _ = identified()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_apkg(notes, tmp_path / "d.apkg", deck_name="D")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ns: [ns[0], replace(ns[1], guid=ns[0].guid), ns[2]], "duplicate GUID"),
        (lambda ns: [replace(ns[0], guid=""), *ns[1:]], "GUID"),
        (lambda ns: [replace(ns[0], guid="has space"), *ns[1:]], "GUID"),
        (lambda ns: [replace(ns[0], mod=0), *ns[1:]], "mod"),
        (lambda ns: [replace(ns[0], tags=("a b",)), *ns[1:]], "whitespace"),
        (lambda ns: [replace(ns[0], status="merged"), *ns[1:]], "merged_into"),
        (lambda ns: [replace(ns[0], question=" "), *ns[1:]], "empty question"),
        (lambda ns: [], "no notes"),
    ],
)
def test_notes_are_validated_before_genanki_runs(tmp_path, change, message):
    notes, _, _ = identified()
    with pytest.raises(ValueError, match=message):
        write_apkg(change(notes), tmp_path / "d.apkg", deck_name="D")
    assert not list(tmp_path.iterdir())


def test_unwritable_output_is_an_output_error_naming_the_path(tmp_path):
    notes, _, _ = identified()
    write_apkg(notes, tmp_path / "new-folder" / "d.apkg", deck_name="D")  # a missing folder is made
    (tmp_path / "a-file").write_text("x")
    target = tmp_path / "a-file" / "d.apkg"
    with pytest.raises(OutputError) as err:
        write_apkg(notes, target, deck_name="D")
    assert str(target) in str(err.value)
    folder = tmp_path / "is-a-dir.apkg"
    folder.mkdir()
    with pytest.raises(OutputError) as err:
        write_apkg(notes, folder, deck_name="D")
    assert str(folder) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "is-a-dir.apkg", "new-folder"], "no temp file left"


def test_a_failed_write_keeps_the_old_package(tmp_path, monkeypatch):
    notes, _, _ = identified()
    target = tmp_path / "d.apkg"
    target.write_bytes(b"old build")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        write_apkg(notes, target, deck_name="D")
    assert target.read_bytes() == b"old build"
    assert [p.name for p in tmp_path.iterdir()] == ["d.apkg"]
