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
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import genanki

from qdeck.errors import InputError
from qdeck.files import write_atomic
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
    collection = _collection_bytes(notes, deck_name, main_id, model_mod, retired_name)
    return _write_zip(path, collection)


def _collection_bytes(notes: list[Note], deck_name: str, deck_id: int, model_mod: int,
                      retired_name: str | None) -> bytes:
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
    with tempfile.TemporaryDirectory(prefix="qdeck-") as tmp:
        db_path = os.path.join(tmp, "collection.anki2")
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


def read_apkg(path: str | Path) -> PackageContents:
    """Read a legacy-format package (what qdeck writes, or Anki's "support older versions" export)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError("package not found", path) from None
    except (OSError, zipfile.BadZipFile) as err:
        raise InputError(f"not a readable .apkg ({err})", path) from None
    with archive, tempfile.TemporaryDirectory(prefix="qdeck-") as tmp:
        names = set(archive.namelist())
        name = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
        if name is None or "collection.anki21b" in names:
            raise InputError("only legacy-format packages can be read (qdeck builds, or Anki exports with "
                             "'Support older Anki versions' ticked)", path)
        db_path = os.path.join(tmp, "collection.db")
        with open(db_path, "wb") as handle:
            handle.write(archive.read(name))
        conn = sqlite3.connect(db_path)
        try:
            models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
            models = json.loads(models_json)
            rows = conn.execute("SELECT guid, mod, mid, tags, flds FROM notes ORDER BY id").fetchall()
        except (sqlite3.DatabaseError, TypeError, ValueError) as err:
            raise InputError(f"unexpected collection layout ({err})", path) from None
        finally:
            conn.close()
    notetypes = tuple(
        PackageNotetype(
            id=int(m["id"]), name=m.get("name", ""), mod=int(m.get("mod", 0)),
            fields=tuple((f["name"], f.get("id")) for f in sorted(m.get("flds", []), key=lambda f: f["ord"])),
            templates=tuple((t["name"], t.get("id"), t.get("qfmt", ""), t.get("afmt", ""))
                            for t in sorted(m.get("tmpls", []), key=lambda t: t["ord"])),
            css=m.get("css", ""),
        )
        for m in models.values()
    )
    names_by_model = {nt.id: [f[0] for f in nt.fields] for nt in notetypes}
    notes = []
    for guid, mod, mid, tags, flds in rows:
        names = names_by_model.get(mid, [])
        values = flds.split("\x1f")
        notes.append(PackageNote(guid=guid, mod=mod, notetype_id=mid,
                                 fields={(names[i] if i < len(names) else f"#{i}"): v for i, v in enumerate(values)},
                                 tags=tuple(tags.split())))
    decks = tuple(sorted(d["name"] for d in json.loads(decks_json).values() if d.get("id") != 1))
    return PackageContents(tuple(notes), notetypes, decks)


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


def diff_packages(old_path: str | Path, new_notes: Sequence[Note], *, notetype_mod: int | None = None) -> DiffReport:
    """Compare a new build's notes with an older package, as Anki's default import would see them."""
    old = read_apkg(old_path)
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
