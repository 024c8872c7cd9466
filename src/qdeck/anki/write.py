"""Write notes to a byte-reproducible .apkg: validate them, then let genanki (imported only here) lay out the collection."""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
import warnings
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Sequence

import genanki

from qdeck.anki.notetype import BACK, FIELD_NAMES, FIELDS, FRONT, MODEL_ID, MODEL_NAME, TEMPLATE_ID, TEMPLATE_NAME, css
from qdeck.anki.render import render_fields
from qdeck.errors import OutputError
from qdeck.files import scratch_file, write_atomic
from qdeck.models import Note

# Anki matches decks by name on import, so this id only needs to be fixed, not unique to us.
DECK_ID = 2059400110
# Retired notes' cards go to a top-level deck of their own: a subdeck is studied with its parent,
# and a package can carry neither a suspension nor a deck's options (Anki resets both on import).
RETIRED_DECK = "{deck} (retired)"

# Fixed zip entry time: builds must not depend on the clock (1980 is the zip epoch).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_STATUSES = ("active", "retired", "merged")
# Fast deflate: on the five lists level 9 took 4.6x as long (83 vs 18 ms) for a package 16% smaller.
_ZIP_LEVEL = 1


def _stable_id(text: str, low: int = 1 << 30, high: int = 1 << 31) -> int:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return low + int.from_bytes(digest[:8], "big") % (high - low)


def _model() -> genanki.Model:
    # Built fresh each time: genanki fills in defaults by mutating these dicts.
    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": f.name, "id": f.id} for f in FIELDS],
        templates=[{"name": TEMPLATE_NAME, "id": TEMPLATE_ID, "qfmt": FRONT, "afmt": BACK}],
        css=css(),
        sort_field_index=0,
    )


_SPACE = re.compile(r"\s")
_GUID_BREAKER = re.compile(r"[\s\x1f]")


def _validate(notes: Sequence[Note]) -> None:
    """Catch what genanki would write silently and Anki would mangle or reject."""
    if not notes:
        raise ValueError("no notes to export")
    seen: set[str] = set()
    for note in notes:
        if not isinstance(note, Note):
            raise ValueError(f"expected Note objects, got {type(note).__name__}")
        where = f"note {note.guid or note.key!r}"
        if not note.guid or _GUID_BREAKER.search(note.guid):
            raise ValueError(f"{where}: missing or malformed GUID (run assign_identities first)")
        if note.guid in seen:
            raise ValueError(f"duplicate GUID {note.guid!r} in one package")
        seen.add(note.guid)
        if not note.question.strip():
            raise ValueError(f"{where}: empty question")
        if isinstance(note.mod, bool) or not isinstance(note.mod, int) or note.mod <= 0:
            raise ValueError(f"{where}: mod must be positive whole seconds (run assign_identities first)")
        if note.status not in _STATUSES:
            raise ValueError(f"{where}: unknown status {note.status!r}")
        if (note.status == "merged") != bool(note.merged_into):
            raise ValueError(f"{where}: merged_into is required for merged notes and only for them")
        for tag in note.tags:
            if not tag or _SPACE.search(tag):
                raise ValueError(f"{where}: tag {tag!r} is empty or contains whitespace")


_ID_WINDOW_MS = 3_600_000


def _assign_ids(rows: Iterable[tuple[str, int]], taken: set[int] | None = None) -> dict[str, int]:
    """Ids shaped like Anki's (milliseconds), from each note's mod and a hash of its key.

    Anki uses a new note's id as its creation time, and re-numbers ids more than a day in the
    future, so an id within the hour after the note's mod reads right. An hour has 3.6 million
    slots, so probing upward for a free one stays short even for 100,000 notes of one release.
    """
    taken = set() if taken is None else taken
    ids: dict[str, int] = {}
    for key, mod in sorted(rows):
        spread = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % _ID_WINDOW_MS
        candidate = mod * 1000 + spread
        while candidate in taken:
            candidate += 1
        taken.add(candidate)
        ids[key] = candidate
    return ids


def write_apkg(
    notes: Sequence[Note],
    path: str | Path,
    *,
    deck_name: str,
    notetype_mod: int | None = None,
    retired_deck: str | None = RETIRED_DECK,
    render: Callable[[Note], dict[str, str]] = render_fields,
) -> bool:
    """Write one .apkg; the same notes give the same bytes. Returns False when the file already had them.

    Cards are new-card-ordered as `notes` is. Retired and merged notes go to the top-level deck
    `retired_deck` (`{deck}` is `deck_name`), outside the study tree of `deck_name`, so a
    first-time user does not study them (existing users' cards never move: Anki leaves existing
    cards where they are, and only tags them retired). `notetype_mod` is the
    note type's release time from the lock (`Lock.notetype.mod`); without it the newest note
    mod is used, which makes Anki re-apply the note type whenever any note changed.
    """
    path = Path(path)
    notes = list(notes)
    _validate(notes)
    if not deck_name.strip():
        raise ValueError("deck_name is empty")
    model_mod = notetype_mod if notetype_mod is not None else max(n.mod for n in notes)
    retired_name = retired_deck.format(deck=deck_name) if retired_deck else None
    try:
        collection = _collection_bytes(notes, deck_name, model_mod, retired_name, beside=path, render=render)
    except (OSError, sqlite3.OperationalError) as err:  # a full disk, above all
        raise OutputError(f"cannot write the package ({err}); check the folder is writable and has free space",
                          path) from None
    return _write_zip(path, collection)


def _collection_bytes(notes: list[Note], deck_name: str, model_mod: int, retired_name: str | None, *,
                      beside: Path, render: Callable[[Note], dict[str, str]]) -> bytes:
    model = _model()
    main = genanki.Deck(DECK_ID, deck_name)
    retired = genanki.Deck(_stable_id(retired_name), retired_name) if retired_name else main
    for position, note in enumerate(notes, 1):
        fields = render(note)
        deck = main if note.status == "active" else retired
        # `due` is the new-card position; Anki keeps it on import, so cards arrive in our order.
        deck.add_note(_StampedNote(note.mod, model=model, fields=[fields[n] for n in FIELD_NAMES],
                                   guid=note.guid, tags=list(note.tags), due=position))
    decks = [main] + ([retired] if retired is not main and retired.notes else [])
    ids = _IdFeed(decks, notes)
    # The scratch database sits beside the package, named as qdeck's temporaries are, so a run
    # killed while writing it leaves nothing the next write of this package does not remove.
    with scratch_file(beside) as (_, db_path):
        conn = sqlite3.connect(db_path)
        # The file is a scratch copy read back whole: no journal, no syncs, and a page cache that
        # holds it (a 100k-note collection spilled the default 2 MB cache to disk page by page).
        # None of these change the bytes of the file.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("error", module="genanki")  # e.g. its invalid-HTML check
                genanki.Package(decks).write_to_db(conn.cursor(), model_mod, ids)
            ids.check_used_up()
            conn.commit()
        finally:
            conn.close()
        with open(db_path, "rb") as handle:
            return handle.read()


class _StampedNote(genanki.Note):
    """A genanki note written with its own mod: genanki stamps every note with the package's time."""

    def __init__(self, mod: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.qdeck_mod = mod

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):  # type: ignore[override]
        super().write_to_db(cursor, self.qdeck_mod, deck_id, id_gen)


class _IdFeed:
    """The ids genanki asks for, in the order it asks: per note, its id and then its cards' ids.

    Ids come from each note's mod and a hash of its GUID (see `_assign_ids`), never from the clock.
    """

    def __init__(self, decks: Sequence[genanki.Deck], notes: Sequence[Note]) -> None:
        mods = {n.guid: n.mod for n in notes}
        # One template and a question that is never empty (`_validate`): one card (ord 0) per
        # note. genanki recomputes `cards` on every access, so it is not asked; check_used_up checks.
        order = [note.guid for deck in decks for note in deck.notes]
        note_ids = _assign_ids((guid, mods[guid]) for guid in order)
        card_ids = _assign_ids((f"{guid}\x1f0", mods[guid]) for guid in order)
        self._ids = iter([i for guid in order for i in (note_ids[guid], card_ids[f"{guid}\x1f0"])])

    def __iter__(self) -> "_IdFeed":
        return self

    def __next__(self) -> int:
        try:
            return next(self._ids)
        except StopIteration:
            raise RuntimeError("genanki asked for more ids than notes and cards") from None

    def check_used_up(self) -> None:
        if next(self._ids, None) is not None:
            raise RuntimeError("genanki wrote fewer notes and cards than planned")


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def _write_zip(path: Path, collection: bytes) -> bool:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_zip_entry("collection.anki2"), collection, compresslevel=_ZIP_LEVEL)
        archive.writestr(_zip_entry("media"), b"{}", compresslevel=_ZIP_LEVEL)
    return write_atomic(path, buffer.getvalue(), what="package")
