"""Export stage: write notes to a byte-reproducible .apkg, and read packages back to diff builds."""

from __future__ import annotations

import difflib
import hashlib
import html
import io
import json
import os
import re
import sqlite3
import tempfile
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Mapping, Sequence

import genanki

from qdeck.errors import InputError, OutputError
from qdeck.files import scratch_file, write_atomic
from qdeck.models import Note
from qdeck.render import (
    BACK,
    FIELD_NAMES,
    FIELDS,
    FRONT,
    MODEL_ID,
    MODEL_NAME,
    TEMPLATE_ID,
    TEMPLATE_NAME,
    css,
    render_fields,
)

__all__ = [
    "DECK_ID", "MODEL_ID", "MODEL_NAME", "render_fields", "write_apkg", "read_apkg", "read_apkg_notes",
    "diff_packages", "DiffReport", "PackageNote", "PackageNotetype", "PackageContents",
]

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
    deck_id: int | None = None,
    notetype_mod: int | None = None,
    retired_deck: str | None = RETIRED_DECK,
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
    main_id = deck_id if deck_id is not None else DECK_ID
    retired_name = retired_deck.format(deck=deck_name) if retired_deck else None
    try:
        collection = _collection_bytes(notes, deck_name, main_id, model_mod, retired_name, beside=path)
    except (OSError, sqlite3.OperationalError) as err:  # a full disk, above all
        raise OutputError(f"cannot write the package ({err}); check the folder is writable and has free space",
                          path) from None
    return _write_zip(path, collection)


def _collection_bytes(notes: list[Note], deck_name: str, deck_id: int, model_mod: int,
                      retired_name: str | None, *, beside: Path) -> bytes:
    model = _model()
    main = genanki.Deck(deck_id, deck_name)
    retired = genanki.Deck(_stable_id(retired_name), retired_name) if retired_name else main
    for position, note in enumerate(notes, 1):
        fields = render_fields(note)
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


# ---------------------------------------------------------------------- reading packages


@dataclass(frozen=True)
class PackageNote:
    """A note as a package holds it."""

    guid: str
    mod: int
    notetype_id: int
    fields: Mapping[str, str]
    tags: tuple[str, ...]

    @property
    def retired(self) -> bool:
        return any(t.endswith("::status::retired") for t in self.tags)


@dataclass(frozen=True)
class PackageNotetype:
    """A note type as a package holds it."""

    id: int
    name: str
    mod: int
    fields: tuple[tuple[str, int | None], ...]  # (name, id)
    templates: tuple[tuple[str, int | None, str, str], ...]  # (name, id, front, back)
    css: str


@dataclass(frozen=True)
class PackageContents:
    notes: tuple[PackageNote, ...]
    notetypes: tuple[PackageNotetype, ...]
    decks: tuple[str, ...]


# A package is a file from anywhere: qdeck reads at most this much of it, and no more entries than
# this. A qdeck collection takes about 2 KB a note (1.3 MB for the five lists), so the size cap
# leaves room for a quarter of a million notes; zip bombs and junk stop long before memory or disk.
MAX_COLLECTION_BYTES = 512 << 20
MAX_ENTRIES = 100_000
_CHUNK = 1 << 20
MAX_READ_SECONDS = 10.0
_FIX = "rebuild it, or export it again from Anki"


class _Malformed(ValueError):
    """The package's collection holds something a real one never does; the message says what."""


def read_apkg(path: str | Path) -> PackageContents:
    """Read a legacy-format package (what qdeck writes, or Anki's "support older versions" export).

    The package is untrusted: its entry count and the collection's size are capped before anything
    is inflated, the collection is streamed to a scratch file (never held whole in memory) with
    its CRC checked, and its JSON is validated before use. Every failure is one InputError.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            entries = _declared_entries(handle)
            if entries > MAX_ENTRIES:
                raise InputError(f"the package holds {entries} entries, more than any deck needs "
                                 f"({MAX_ENTRIES}); {_FIX}", path)
            with zipfile.ZipFile(handle) as archive, tempfile.TemporaryDirectory(prefix="qdeck-") as tmp:
                db_path = Path(tmp) / "collection.db"
                _extract_collection(archive, db_path, path)
                return _read_collection(db_path, path)
    except FileNotFoundError:
        raise InputError("package not found", path) from None
    except IsADirectoryError:
        raise InputError("a folder, not a package; name an .apkg file", path) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as err:
        raise InputError(f"not a readable .apkg, or damaged ({err}); {_FIX}", path) from None
    except (NotImplementedError, RuntimeError) as err:  # an unknown compression method, or encryption
        raise InputError(f"not a readable .apkg ({err}); {_FIX}", path) from None
    except OSError as err:
        raise InputError(f"cannot read the package ({err.strerror or err}); check the file and TMPDIR's free "
                         "space", path) from None


def _declared_entries(handle: BinaryIO) -> int:
    """How many entries the zip's end record declares, read before zipfile lists them all in memory."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF + 20)  # the end record, its longest comment, the zip64 locator
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise zipfile.BadZipFile("File is not a zip file")
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    locator = tail[at - 20:at] if at >= 20 else b""
    if locator[:4] == b"PK\x06\x07":  # zip64: the true count is in the zip64 end record
        handle.seek(min(int.from_bytes(locator[8:16], "little"), size))
        record = handle.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            count = max(count, int.from_bytes(record[32:40], "little"))
    return count


def _extract_collection(archive: zipfile.ZipFile, dest: Path, path: Path) -> None:
    """Stream the collection entry to `dest`, refusing it once it passes the cap; zipfile checks the CRC."""
    names = set(archive.namelist())
    name = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
    if name is None or "collection.anki21b" in names:
        raise InputError("only legacy-format packages can be read (qdeck builds, or Anki exports with "
                         "'Support older Anki versions' ticked)", path)
    too_big = InputError(f"its collection inflates to more than {MAX_COLLECTION_BYTES >> 20} MiB, more than any "
                         f"deck needs (a zip bomb?); {_FIX}", path)
    if archive.getinfo(name).file_size > MAX_COLLECTION_BYTES:
        raise too_big
    written = 0
    with archive.open(name) as src, open(dest, "wb") as out:
        # zipfile stops at the declared size and checks the CRC at the end; the count is a second guard.
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > MAX_COLLECTION_BYTES:
                raise too_big
            out.write(chunk)


def _read_collection(db_path: Path, path: Path) -> PackageContents:
    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    # A crafted file can make any query slow (a view with a runaway recursive query, say): give up in time.
    deadline = time.monotonic() + MAX_READ_SECONDS
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"col", "notes"} <= tables:
            raise _Malformed("it has no `col` and `notes` tables")
        row = conn.execute("SELECT models, decks FROM col").fetchone()
        if row is None:
            raise _Malformed("its `col` table is empty")
        models = _json_object(row[0], "the note types (col.models)")
        decks = _json_object(row[1], "the decks (col.decks)")
        notetypes = tuple(_notetype(key, m) for key, m in models.items())
        names_by_model = {nt.id: [f[0] for f in nt.fields] for nt in notetypes}
        notes = tuple(_package_note(r, names_by_model) for r in
                      conn.execute("SELECT guid, mod, mid, tags, flds FROM notes ORDER BY id"))
        deck_names = tuple(sorted(_deck_name(key, d) for key, d in decks.items() if d.get("id") != 1))
    except sqlite3.OperationalError as err:
        if time.monotonic() > deadline:
            raise InputError(f"reading its collection took over {MAX_READ_SECONDS:.0f} s (a crafted file?); {_FIX}",
                             path) from None
        raise InputError(f"its collection is not a readable Anki database ({err}); {_FIX}", path) from None
    except sqlite3.DatabaseError as err:
        raise InputError(f"its collection is not a readable Anki database ({err}); {_FIX}", path) from None
    except (_Malformed, RecursionError) as err:
        raise InputError(f"its collection is malformed ({err}); {_FIX}", path) from None
    finally:
        conn.close()
    return PackageContents(notes, notetypes, deck_names)


def _json_object(text: object, what: str) -> dict:
    try:
        value = json.loads(text) if isinstance(text, (str, bytes)) else None
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise _Malformed(f"{what} is not a JSON object of objects")
    return value


def _typed(obj: Mapping, key: str, kind: type | tuple[type, ...], where: str, default: object = ...) -> object:
    """`obj[key]` when it has the type a real collection gives it (a bool is no int here)."""
    if key not in obj and default is not ...:
        return default
    value = obj.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _Malformed(f"{where} has no {names} `{key}`")
    return value


def _note_type_id(m: Mapping, where: str) -> int:
    """The note type's id: a number, or digits in a string (genanki writes it so, and Anki accepts it)."""
    value = _typed(m, "id", (int, str), where)
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise _Malformed(f"{where} has no int `id`")
        value = int(value)
    return value


def _notetype(key: str, m: dict) -> PackageNotetype:
    where = f"note type {key}"
    fields, templates = [], []
    for i, f in enumerate(_typed(m, "flds", list, where)):
        at = f"{where}, field {i}"
        if not isinstance(f, dict):
            raise _Malformed(f"{at} is not an object")
        fields.append((_typed(f, "ord", int, at), _typed(f, "name", str, at), _typed(f, "id", (int, type(None)), at, None)))
    for i, t in enumerate(_typed(m, "tmpls", list, where, [])):
        at = f"{where}, template {i}"
        if not isinstance(t, dict):
            raise _Malformed(f"{at} is not an object")
        templates.append((_typed(t, "ord", int, at), _typed(t, "name", str, at),
                          _typed(t, "id", (int, type(None)), at, None), _typed(t, "qfmt", str, at, ""),
                          _typed(t, "afmt", str, at, "")))
    return PackageNotetype(
        id=_note_type_id(m, where), name=_typed(m, "name", str, where, ""), mod=_typed(m, "mod", int, where, 0),
        fields=tuple(f[1:] for f in sorted(fields)), templates=tuple(t[1:] for t in sorted(templates)),
        css=_typed(m, "css", str, where, ""),
    )


def _package_note(row: tuple, names_by_model: Mapping[int, list[str]]) -> PackageNote:
    guid, mod, mid, tags, flds = row
    if not all(isinstance(v, str) for v in (guid, tags, flds)) or not all(isinstance(v, int) for v in (mod, mid)):
        raise _Malformed(f"note {guid!r} has a column of the wrong type")
    names = names_by_model.get(mid, [])
    values = flds.split("\x1f")
    return PackageNote(guid=guid, mod=mod, notetype_id=mid,
                       fields={(names[i] if i < len(names) else f"#{i}"): v for i, v in enumerate(values)},
                       tags=tuple(tags.split()))


def _deck_name(key: str, deck: dict) -> str:
    return _typed(deck, "name", str, f"deck {key}")


def read_apkg_notes(path: str | Path) -> list[PackageNote]:
    """The notes of a package, in id order."""
    return list(read_apkg(path).notes)


# ---------------------------------------------------------------------- diffing builds


@dataclass(frozen=True)
class NoteChange:
    guid: str
    question: str  # plain text
    diff: tuple[str, ...] = ()  # a short text diff of the fields that changed


@dataclass(frozen=True)
class DiffReport:
    """What importing the new build over an older package will do (default import options)."""

    new: tuple[NoteChange, ...] = ()
    changed: tuple[NoteChange, ...] = ()
    unchanged: tuple[str, ...] = ()
    retired: tuple[NoteChange, ...] = ()
    merged: tuple[NoteChange, ...] = ()
    stale: tuple[NoteChange, ...] = ()  # content differs but mod is not newer: Anki keeps the old one
    dropped: tuple[str, ...] = ()  # in the old package only: importing leaves them as they are
    notetype_changed: bool = False
    notetype_needs_merge: bool = False  # fields/templates differ: users must tick "Merge notetypes"
    notetype_stale: bool = False  # changed, but its mod is not newer: Anki keeps the old styling

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("new", "changed", "unchanged", "retired", "merged", "stale",
                                                     "dropped")}

    def summary(self, *, limit: int = 20) -> str:
        """A printable account: counts first, then a few lines per affected note."""
        c = self.counts
        lines = [
            f"{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['retired']} retired, {c['merged']} merged"
        ]
        if self.notetype_needs_merge:
            lines.append('note type: fields changed; users must tick "Merge notetypes" when importing')
        elif self.notetype_stale:
            lines.append("note type: changed but its mod is not newer; Anki will keep the old styling")
        elif self.notetype_changed:
            lines.append("note type: styling changed; Anki updates it on import")
        else:
            lines.append("note type: unchanged")
        for title, sign, items in (("new", "+", self.new), ("changed", "~", self.changed),
                                   ("retired", "-", self.retired), ("merged", "-", self.merged),
                                   ("stale (will NOT be updated)", "!", self.stale)):
            if not items:
                continue
            lines.append(f"{title}:")
            for item in items[:limit]:
                lines.append(f"  {sign} {_clip(item.question)}")
                lines.extend(f"      {d}" for d in item.diff)
            if len(items) > limit:
                lines.append(f"  … and {len(items) - limit} more")
        if self.dropped:
            lines.append(f"dropped: {len(self.dropped)} notes of the old package are not in the new one "
                         "(their GUIDs left the lock?)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|li|pre|div)>", re.IGNORECASE)


def _plain(value: str) -> str:
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", value))).strip()


def _clip(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _field_diff(old: Mapping[str, str], new: Mapping[str, str], old_tags: Sequence[str],
                new_tags: Sequence[str], max_lines: int = 6) -> tuple[str, ...]:
    out: list[str] = []
    for name in FIELD_NAMES:
        a, b = _plain(old.get(name, "")), _plain(new.get(name, ""))
        if a == b:
            continue
        body = [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
                if not line.startswith(("---", "+++", "@@"))]
        out.append(f"{name}:")
        out.extend(f"  {_clip(line, 80)}" for line in body)
    added, removed = sorted(set(new_tags) - set(old_tags)), sorted(set(old_tags) - set(new_tags))
    if added or removed:
        out.append("tags: " + " ".join([*(f"+{t}" for t in added), *(f"-{t}" for t in removed)]))
    if len(out) > max_lines:
        out = out[: max_lines - 1] + [f"… ({len(out) - max_lines + 1} more lines)"]
    return tuple(out)


def diff_packages(old_package: str | Path | PackageContents, new_notes: Sequence[Note], *,
                  notetype_mod: int | None = None) -> DiffReport:
    """Compare a new build's notes with an older package (a path, or what `read_apkg` read from one),
    as Anki's default import would see them."""
    old = old_package if isinstance(old_package, PackageContents) else read_apkg(old_package)
    old_by_guid = {n.guid: n for n in old.notes}
    buckets: dict[str, list] = {k: [] for k in ("new", "changed", "unchanged", "retired", "merged", "stale")}
    new_guids = set()
    for note in new_notes:
        new_guids.add(note.guid)
        fields = render_fields(note)
        question = _plain(fields["Question"])
        before = old_by_guid.get(note.guid)
        if before is None:
            buckets["new"].append(NoteChange(note.guid, question))
            continue
        differs = dict(before.fields) != fields or set(before.tags) != set(note.tags)
        change = NoteChange(note.guid, question, _field_diff(before.fields, fields, before.tags, note.tags))
        if note.mod <= before.mod:
            buckets["stale" if differs else "unchanged"].append(change if differs else note.guid)
        elif note.status != "active" and not before.retired:
            buckets[note.status].append(change)
        else:
            buckets["changed"].append(change)
    dropped = tuple(n.guid for n in old.notes if n.guid not in new_guids)

    old_nt = next((nt for nt in old.notetypes if nt.id == MODEL_ID), None)
    changed = needs_merge = stale = False
    if old_nt is not None:
        new_fields = tuple((f.name, f.id) for f in FIELDS)
        new_templates = ((TEMPLATE_NAME, TEMPLATE_ID, FRONT, BACK),)
        changed = old_nt.fields != new_fields or old_nt.templates != new_templates or old_nt.css != css()
        needs_merge = not _same_schema(old_nt, new_fields)
        mod = notetype_mod if notetype_mod is not None else max((n.mod for n in new_notes), default=0)
        stale = changed and not needs_merge and mod <= old_nt.mod
    return DiffReport(
        new=tuple(buckets["new"]), changed=tuple(buckets["changed"]), unchanged=tuple(buckets["unchanged"]),
        retired=tuple(buckets["retired"]), merged=tuple(buckets["merged"]), stale=tuple(buckets["stale"]),
        dropped=dropped, notetype_changed=changed, notetype_needs_merge=needs_merge, notetype_stale=stale,
    )


def _same_schema(old: PackageNotetype, new_fields: Sequence[tuple[str, int]]) -> bool:
    """Anki's rule: same field and template counts, each matched by id (or by name without ids)."""
    def match(a: tuple, b: tuple) -> bool:
        return a[1] == b[1] if a[1] is not None and b[1] is not None else a[0] == b[0]

    if len(old.fields) != len(new_fields) or len(old.templates) != 1:
        return False
    return all(match(a, b) for a, b in zip(old.fields, new_fields)) and match(old.templates[0],
                                                                              (TEMPLATE_NAME, TEMPLATE_ID))
