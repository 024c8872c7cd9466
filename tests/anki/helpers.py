"""Anki test helpers: notes to export, and what a real collection holds (cards, notes, reviews) after imports."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any, Sequence

from qdeck.anki import MODEL_ID, FieldSpec
from qdeck.models import Note

TAG_ROOT = "python-interview"
NS = "python-interview"
DECK = "Python Interview"


def mk(refs: str | tuple[str, ...], question: str, answer: str = "An answer.", *, tier: str = "2-junior",
       variants: tuple[str, ...] = ()) -> Note:
    """A note as dedupe and tag leave it (no GUID yet), tagged with its tier and sources."""
    refs = (refs,) if isinstance(refs, str) else refs
    sources = tuple(dict.fromkeys(r.split("#")[0] for r in refs))
    tags = (f"{TAG_ROOT}::tier::{tier}", *(f"{TAG_ROOT}::source::{s}" for s in sources))
    return Note(key=refs[0], question=question, refs=refs, answer=answer, variants=variants, sources=sources,
                tier=tier, tags=tuple(sorted(tags)))


# ---------------------------------------------------------------------- a collection's contents


def study(col: Any, deck: str) -> None:
    """Answer every queued card of the deck once, through the scheduler, with mixed ratings."""
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    col.decks.select(col.decks.id_for_name(deck))
    ratings = [CardAnswer.EASY, CardAnswer.GOOD, CardAnswer.HARD, CardAnswer.EASY, CardAnswer.AGAIN]
    answered: set[int] = set()
    for i in range(200):
        queued = [q for q in col.sched.get_queued_cards(fetch_limit=50).cards if q.card.id not in answered]
        if not queued:
            break
        q = queued[0]
        card = Card(col)
        card._load_from_backend_card(q.card)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=q.states, rating=ratings[i % len(ratings)]))
        answered.add(card.id)
    assert answered, "nothing was studied"


def cards_by_guid(col: Any) -> dict[str, tuple]:
    """Per note GUID: its one card's id, deck and scheduling."""
    rows = col.db.all(
        "SELECT n.guid, c.id, c.did, c.ord, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses, c.left, "
        "c.odue, c.odid, c.data FROM cards c JOIN notes n ON n.id = c.nid"
    )
    out: dict[str, tuple] = {}
    for row in rows:
        assert row[0] not in out, f"two cards for note {row[0]}"
        out[row[0]] = tuple(row[1:])
    return out


def notes_by_guid(col: Any) -> dict[str, tuple]:
    """Per note GUID: (id, mod, note type id, tags, fields joined by 0x1f)."""
    rows = col.db.all("SELECT guid, id, mod, mid, tags, flds FROM notes")
    out = {r[0]: (r[1], r[2], r[3], r[4].split(), r[5]) for r in rows}
    assert len(out) == len(rows), "duplicate GUIDs in the collection"
    return out


def revlog(col: Any) -> list[list]:
    """Every review, in order."""
    return col.db.all("SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id")


def snapshot(col: Any) -> tuple:
    """Notes, cards, reviews, decks and note types: equal snapshots mean nothing changed."""
    return (notes_by_guid(col), cards_by_guid(col), revlog(col), sorted(col.decks.all_names_and_ids(), key=str),
            [(m["id"], m["mod"], m["name"]) for m in col.models.all()])


# ---------------------------------------------------------------------- a package's note type, changed


def change_fields(path: Path, fields: Sequence[FieldSpec], *, filler: str = "x") -> None:
    """Rewrite a package qdeck wrote as if its note type had `fields`, position by position: renamed or
    re-numbered fields (an id of None writes none), and fields added at the end, `filler` in every note."""
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    db_file = path.with_name(path.name + ".db")
    db_file.write_bytes(entries["collection.anki2"])
    conn = sqlite3.connect(db_file)
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    model = models[str(MODEL_ID)]
    flds = model["flds"]
    added = len(fields) - len(flds)
    assert added >= 0, "fields can be renamed, re-numbered or added, not removed"
    flds.extend(dict(flds[-1]) for _ in range(added))
    for ord_, (fld, spec) in enumerate(zip(flds, fields)):
        fld.update(name=spec.name, ord=ord_, id=spec.id)
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))
    if added:
        conn.execute("UPDATE notes SET flds = flds || ?", ("\x1f" + "\x1f".join([filler] * added),))
    conn.commit()
    conn.close()
    entries["collection.anki2"] = db_file.read_bytes()
    db_file.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


# ---------------------------------------------------------------------- a few notes of every shape

T1 = 1_700_000_000
T2 = 1_700_100_000


def sample_note(ref: str, question: str, answer: str = "An answer.", **kw: Any) -> Note:
    """One note with a tier tag; `kw` sets any other Note field."""
    return Note(key=ref, question=question, refs=(ref,), answer=answer,
                tags=(f"{TAG_ROOT}::tier::{kw.get('tier', '2-junior')}",), **kw)


SAMPLE = (
    sample_note("s#1", "What is `<class 'int'>`?",
                "It is the type of `1`:\n\n```python\ndef f(x):\n    return x < 1\n```"),
    sample_note("s#2", "What does <b>bold</b> & <script>alert(1)</script> do?", "- one\n- two\n\n1. first\n2. second",
                variants=("Also: `a < b`?",), follow_ups=("Why?",), code_tasks=("Write `f`.",),
                topics=("basics", "oop"), sources=("s", "t"), tier="1-beginner"),
    sample_note("s#3", "What is a generator?", "A function that yields."),
)


def identified(notes: Sequence[Note] = SAMPLE, lock: Any = None, now: int = T1) -> tuple:
    """`assign_identities` of the notes against `lock` (a first release without one): (notes, lock, report)."""
    from qdeck.identity import Lock, assign_identities

    return assign_identities(list(notes), lock or Lock(), namespace=TAG_ROOT, now=now)


def collection_db(path: Path, tmp_path: Path) -> sqlite3.Connection:
    """The collection inside a package, opened from a copy in tmp_path."""
    out = tmp_path / f"{path.name}.db"
    with zipfile.ZipFile(path) as archive:
        out.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(out)
