"""Read a package back, defensively: a legacy-format .apkg from anywhere, capped, streamed and validated."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Mapping

from qdeck.errors import InputError

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
