"""Apply a build straight to a user's Anki collection: their study, tags and edits kept, filtered decks by tier."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from qdeck.config import Recipe
from qdeck.errors import OutputError, QdeckError
from qdeck.files import hold, remove_leftovers, temp_prefix
from qdeck.models import Note

COLLECTION_FILE = "collection.anki2"
FILTERED_KINDS = ("tier", "topic")
TIER_TITLES = {"1-beginner": "Tier 1 — Beginner", "2-junior": "Tier 2 — Junior", "3-mid": "Tier 3 — Mid",
               "4-senior": "Tier 4 — Senior"}
FILTERED_LIMIT = 9999  # Anki's default of 100 would silently leave most of a tier out
LOCK_TIMEOUT = 0.25  # seconds; Anki holds its lock for as long as the profile is open, so waiting longer only delays
SCHEMA_LEGACY = 11  # what every Anki since 2.0 can open; the library converts on open and back on close
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Anki stores the options of every import as the collection's import-screen presets; ours must not replace the user's.
_IMPORT_PRESET_KEYS = ("mergeNotetypes", "updateNotes", "updateNotetypes", "withDeckConfigs", "withScheduling")


class CollectionError(QdeckError):
    """The Anki collection cannot be synced as it is: open in Anki, not a collection, or an unsafe schema."""


# ---------------------------------------------------------------------- the report


@dataclass(frozen=True)
class FilteredDeckResult:
    """One filtered deck after the sync: what was done to it and how many cards it holds."""

    name: str
    action: str  # created | rebuilt | search updated | rebuilt (your search kept) | skipped: <why>
    cards: int = 0


@dataclass(frozen=True)
class SyncReport:
    """What a sync did (or, for a dry run, would do) to one collection."""

    collection: Path
    dry_run: bool = False
    schema: int = 0
    build: str = ""  # the identity summary of the build that was applied
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited in Anki after this build: left as they are, like Anki's "update if newer" import
    retired: int = 0  # our notes in the collection tagged `<root>::status::retired` (retired or merged)
    newly_retired: int = 0
    suspended: int = 0  # cards of retired notes suspended by this sync
    unsuspended: int = 0  # cards this tool once suspended whose note is back in a source
    tags_kept_notes: int = 0  # updated notes whose own tags were put back
    tags_kept: tuple[str, ...] = ()
    filtered: tuple[FilteredDeckResult, ...] = ()
    backup: Path | None = None
    full_sync: bool = False  # the change needs a one-way full sync with AnkiWeb

    @property
    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("added", "updated", "unchanged", "kept", "retired", "newly_retired",
                                              "suspended", "unsuspended", "tags_kept_notes")}

    def summary(self) -> str:
        """A printable account, one fact a line."""
        would = "would be " if self.dry_run else ""
        lines = [f"dry run: nothing was written; {self.collection} would change like this:" if self.dry_run
                 else f"synced {self.collection} (schema {self.schema})"]
        if self.build:
            lines.append(f"build: {self.build.splitlines()[0]}")
        lines.append(f"notes: {self.added} {would}added, {self.updated} {would}updated, {self.unchanged} unchanged, "
                     f"{self.kept} kept as you edited them (newer than this build)")
        retired = f"retired: {self.retired} in the collection ({self.newly_retired} newly)"
        if self.suspended or self.unsuspended:
            retired += f"; {self.suspended} cards {would}suspended, {self.unsuspended} back in a source unsuspended"
        lines.append(retired)
        if self.tags_kept_notes:
            shown = ", ".join(self.tags_kept[:8]) + (", …" if len(self.tags_kept) > 8 else "")
            lines.append(f"tags: your own tags {would}kept on {self.tags_kept_notes} updated notes ({shown})")
        else:
            lines.append("tags: no updated note carried tags of your own")
        for deck in self.filtered:
            count = "" if deck.action.startswith("skipped") else f" ({deck.cards} cards)"
            lines.append(f"filtered deck: {deck.name}: {deck.action}{count}")
        if self.full_sync:
            lines.append("note: Anki will ask for a one-way full sync with AnkiWeb (the note type's fields changed)")
        if self.backup is not None:
            lines.append(f"backup: {self.backup}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# ---------------------------------------------------------------------- finding the collection


def anki_base() -> Path:
    """The folder Anki keeps its profiles in, as Anki itself finds it (ANKI_BASE overrides, as in Anki)."""
    if os.environ.get("ANKI_BASE"):
        return Path(os.environ["ANKI_BASE"]).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def profiles(base: Path) -> list[str]:
    """The profile folders under an Anki2 folder (those holding a collection)."""
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / COLLECTION_FILE).is_file())


def find_collection(path: str | None, profile: str | None) -> Path:
    """The collection file named by --collection (a file or a profile folder) or by --profile."""
    if path is not None and profile is not None:
        raise QdeckError("give --collection or --profile, not both")
    if path is None and profile is None:
        known = ", ".join(profiles(anki_base())) or "none found"
        raise QdeckError(f"name the collection: --collection PATH or --profile NAME (profiles in {anki_base()}: "
                         f"{known})")
    if profile is not None:
        base = anki_base()
        if not (base / profile).is_dir():
            known = ", ".join(profiles(base)) or "none"
            raise CollectionError(f"no Anki profile {profile!r} here (profiles: {known}); set ANKI_BASE if Anki "
                                  "keeps its data elsewhere", base)
        target = base / profile / COLLECTION_FILE
    else:
        target = Path(path).expanduser()
        if target.is_dir():
            target = target / COLLECTION_FILE
    if not target.is_file():
        raise CollectionError("no Anki collection here; name a collection.anki2 file or the profile folder "
                              "holding it", target)
    return target


# ---------------------------------------------------------------------- the collection file


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-journal") if path.with_name(path.name + s).exists()]


def _refuse_if_open(path: Path) -> None:
    # Anki keeps a -wal file while a profile is open, and a crash leaves one behind holding the
    # latest reviews; opening the file ourselves would fold it in and change the user's file.
    side = _side_files(path)
    if side and side[0].name.endswith("-wal") and side[0].stat().st_size == 0:
        # No frames, so no reviews in it: what any program killed while reading the file leaves.
        raise CollectionError(f"{side[0].name} exists but is empty: Anki has this collection open, or a program "
                              f"reading it was killed; if Anki is closed, delete {side[0].name} and "
                              f"{path.name}-shm (they hold nothing) and try again", path)
    if side:
        raise CollectionError(f"{side[0].name} exists: Anki has this collection open or did not close it "
                              "cleanly; close Anki (or open and close the profile once) and try again", path)


def _fold_in_own_side_files(path: Path) -> None:
    """After a killed sync: remove the empty -wal (and -shm) its lock check left, if nobody holds the file.

    SQLite makes them when a connection opens a collection in WAL mode and removes them when the
    last one closes; kill -9 skips that. An empty -wal holds no frames, so closing a connection
    of our own (which needs the lock Anki would hold) removes it and changes no byte of the file.
    Holding that exclusive lock, nobody else has the file open, so a stale -shm can go too.
    """
    wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
    if not wal.is_file() or wal.stat().st_size != 0:
        return  # nothing of ours, or frames someone wrote: _refuse_if_open says what to do
    with _locked(path):
        shm.unlink(missing_ok=True)
    left = [p.name for p in (wal, shm) if p.exists()]
    if left:
        raise CollectionError(f"a killed qdeck sync left {' and '.join(left)} (empty); close Anki, delete them and "
                              "try again", path)


def _check_header(path: Path) -> None:
    if not path.is_file():
        raise CollectionError("no Anki collection here", path)
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise CollectionError("not an Anki collection (not an SQLite database)", path)


def _schema_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        row = conn.execute("SELECT ver FROM col").fetchone()
    except sqlite3.DatabaseError as err:
        raise CollectionError(f"not an Anki collection ({err})", path) from None
    if row is None or not isinstance(row[0], int):
        raise CollectionError("not an Anki collection (its `col` table is empty)", path)
    return row[0]


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """Hold a write lock on the collection for the whole sync; yield its schema version.

    Anki desktop keeps the SQLite file in exclusive locking mode while a profile is open, so a
    short-timeout BEGIN IMMEDIATE fails exactly then. Holding it keeps Anki, or a second sync,
    from opening the file until we are done. A connection only reads: the file's bytes never change.
    Exclusive locking mode keeps SQLite from making a -shm file for a WAL-mode collection (it keeps
    that index in memory), so a kill leaves at most an empty -wal, and a full disk nothing at all.
    Only another process's lock shows: POSIX locks do not conflict inside one process, so never
    call this on a collection this process has open with the anki library.
    """
    _check_header(path)
    uri = path.resolve().as_uri() + "?mode=rw"  # rw: never create a missing file
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=LOCK_TIMEOUT, isolation_level=None)
    except sqlite3.Error as err:
        raise CollectionError(f"cannot open the file ({err})", path) from None
    try:
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise CollectionError("Anki has this collection open (the file is locked); close Anki, or switch "
                                      "to another profile, and try again", path) from None
            raise CollectionError(f"cannot lock the collection for writing ({err}); check the file and its folder "
                                  "are writable", path) from None
        except sqlite3.DatabaseError as err:
            raise CollectionError(f"not an Anki collection ({err})", path) from None
        yield _schema_version(conn, path)
    finally:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        conn.close()


@contextmanager
def _held(path: Path, workspace: Path) -> Iterator[int]:
    """Refuse a collection we must not touch; hold its lock for the block and yield its schema."""
    _refuse_if_open(path)
    with _locked(path) as schema:
        _check_schema(schema, path, workspace)
        yield schema


def _workspace_path(collection: Path) -> Path:
    return collection.with_name(f"{temp_prefix(collection)}sync.tmp")


@contextmanager
def _workspace(collection: Path) -> Iterator[Path]:
    """The one folder, beside the collection, that holds everything a sync writes before its swap.

    The working copy, the package, the library's own temporary files, the schema probe and the
    backup until it is checked all live here, so the final swap and the backup's rename are
    renames within one file system. The folder is claimed (an flock) for the whole sync: the
    next run removes it when its owner is gone, even after kill -9, and then also the empty
    -wal/-shm such a kill leaves beside the collection. It is always removed on the way out.
    """
    found = remove_leftovers(collection)
    folder = _workspace_path(collection)
    busy = CollectionError("another qdeck sync is working on this collection; wait for it to finish", collection)
    try:
        folder.mkdir()
        fd = hold(folder)
    except FileExistsError:
        raise busy from None
    except OSError as err:
        raise OutputError(f"cannot make {folder.name} beside the collection ({err.strerror or err}); qdeck works "
                          "there: check the folder is writable and has free space", collection) from None
    try:
        # A run that removed this folder as a leftover between our mkdir and our claim leaves us a deleted one.
        if fd is None or (fd >= 0 and os.fstat(fd).st_ino != os.stat(folder).st_ino):
            raise busy
        if found:
            _fold_in_own_side_files(collection)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if fd is not None and fd >= 0:
            os.close(fd)


@contextmanager
def _temp_files_in(folder: Path) -> Iterator[None]:
    """Point the Anki library's temporary files (its importer unpacks the package there) at `folder`.

    The library reads TMPDIR when it needs a file, so a full TMPDIR cannot fail a sync and a kill
    leaves nothing outside the workspace. The process environment is put back afterwards.
    """
    keys = ("TMPDIR", "TEMP", "TMP")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: str(folder) for k in keys})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _backup(path: Path, workspace: Path) -> Path:
    """Copy the collection to a backup beside it: written in the workspace, fsynced, checked, then renamed.

    A file named like a backup is therefore always a whole, readable copy; a kill or a full disk
    midway leaves only a temporary in the workspace, which the next run removes.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.qdeck-backup-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.qdeck-backup-{stamp}-{n}")
    partial = workspace / backup.name
    try:
        with open(path, "rb") as src, open(partial, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(path, partial)
        if partial.stat().st_size != path.stat().st_size or not _intact(partial):
            raise CollectionError("the backup did not read back whole; nothing was changed", backup)
        os.replace(partial, backup)
    except OSError as err:
        raise OutputError(f"cannot write the backup ({err.strerror or err}); nothing was changed; check the "
                          "folder has free space", backup) from None
    _fsync_dir(path.parent)
    return backup


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _intact(path: Path) -> bool:
    """SQLite's quick_check of a file nobody else has open (read as immutable: no side files, no writes)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.create_collation("unicase", _unicase)  # Anki's collation; the schema names it
        return conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _swap(work: Path, target: Path, stamp: tuple[int, int, int]) -> None:
    """Replace the user's file with the finished working copy: one rename within the folder."""
    try:
        if _stamp(target) != stamp or _side_files(target):
            raise CollectionError("the collection changed while qdeck was working (was Anki opened?); nothing was "
                                  "changed; close Anki and sync again", target)
        shutil.copymode(target, work)
        _fsync(work)
        os.replace(work, target)
    except OSError as err:
        raise OutputError(f"cannot replace the collection ({err.strerror or err}); nothing was changed",
                          target) from None
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder and needs nothing.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_result(work: Path, schema: int) -> None:
    """The file we are about to hand back: closed cleanly, intact, and at the schema the user's Anki had."""
    if _side_files(work):
        raise CollectionError("the Anki library did not close the collection cleanly; nothing was changed", work)
    _check_header(work)
    if not _intact(work):
        raise CollectionError("the updated copy fails SQLite's integrity check; nothing was changed", work)
    conn = sqlite3.connect(work)  # our own temporary copy: opening it risks nothing
    try:
        ver = _schema_version(conn, work)
    finally:
        conn.close()
    if ver != schema:
        raise CollectionError(f"the updated copy has schema {ver}, not {schema}; nothing was changed", work)


# ---------------------------------------------------------------------- the anki library


def _anki() -> Any:
    try:
        from anki import collection
    except ImportError:
        raise QdeckError("`qdeck sync` needs the Anki library: pip install anki (ideally the version of your "
                         "Anki desktop)") from None
    return collection


def _anki_errors() -> Any:
    _anki()
    from anki import errors

    return errors


@lru_cache(maxsize=1)
def _library_schema(workspace: Path) -> int:
    """The schema the installed anki library works in: it upgrades whatever it opens to this one."""
    anki = _anki()
    with tempfile.TemporaryDirectory(prefix="probe-", dir=workspace) as tmp, _temp_files_in(workspace):
        col = anki.Collection(os.path.join(tmp, COLLECTION_FILE))
        try:
            return col.db.scalar("SELECT ver FROM col")
        finally:
            col.close()


@contextmanager
def _anki_failure(what: str, path: Path) -> Iterator[None]:
    """Any exception of the Anki library becomes one line: what failed, on which file, and that nothing changed."""
    try:
        yield
    except QdeckError:
        raise
    except _anki_errors().AnkiException as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        full = any(sign in reason for sign in ("DiskFull", "disk is full", "No space left", "os error 28"))
        fix = "free some space on that disk and try again" if full else "check the collection opens in Anki"
        raise CollectionError(f"the Anki library {what} ({reason}); nothing was changed; {fix}", path) from None


def _check_schema(schema: int, path: Path, workspace: Path) -> None:
    """Refuse any schema the user's Anki could not read back after the library has upgraded it.

    Schema 11 is safe: the library closes it back to 11, as Anki's own Downgrade & Quit does.
    """
    with _anki_failure("could not make a scratch collection beside it to learn its schema", path):
        library = _library_schema(workspace)
    if schema == library or schema == SCHEMA_LEGACY:
        return
    if schema > library:
        why = "a newer Anki wrote it; upgrade the anki library (pip install -U anki)"
    else:
        why = ("the Anki that saved it cannot open the newer schema the library would leave; update Anki, or in "
               "Anki use Switch Profile > Downgrade & Quit first, or import the .apkg instead")
    raise CollectionError(f"refusing to sync a schema {schema} collection with a schema {library} anki library: "
                          f"{why}", path)


def _open(work: Path, original: Path) -> Any:
    """Open the working copy with the library; its errors become one clear line about the user's file."""
    with _anki_failure("cannot open it", original):
        return _anki().Collection(str(work))


def _import_options() -> Any:
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageUpdateCondition

    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    # Fixed, not the user's presets: a sync must follow the same identity rules on every machine.
    return ImportAnkiPackageOptions(merge_notetypes=False, update_notes=if_newer, update_notetypes=if_newer,
                                    with_scheduling=False, with_deck_configs=False)


def _import(col: Any, package: Path) -> Any:
    """Import the package exactly as Anki's import screen would, leaving the user's import presets alone."""
    anki = _anki()
    marks = ",".join("?" * len(_IMPORT_PRESET_KEYS))
    saved = col.db.all(f"SELECT key, usn, mtime_secs, val FROM config WHERE key IN ({marks})", *_IMPORT_PRESET_KEYS)
    request = anki.ImportAnkiPackageRequest(package_path=str(package), options=_import_options())
    log = col.import_anki_package(request).log
    col.db.execute(f"DELETE FROM config WHERE key IN ({marks})", *_IMPORT_PRESET_KEYS)
    col.db.executemany("INSERT INTO config (key, usn, mtime_secs, val) VALUES (?, ?, ?, ?)", saved)
    return log


# ---------------------------------------------------------------------- applying the build


@dataclass
class _Existing:
    nid: int
    mod: int
    tags: list[str]
    fields: list[str]


def _is_ours(tag: str, root: str) -> bool:
    tag, root = tag.casefold(), root.casefold()
    return tag == root or tag.startswith(root + "::")


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _existing(col: Any, guids: Sequence[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for part in _chunks(list(guids)):
        marks = ",".join("?" * len(part))
        for nid, guid, mod, tags, flds in col.db.all(
                f"SELECT id, guid, mod, tags, flds FROM notes WHERE guid IN ({marks})", *part):
            found[guid] = _Existing(nid, mod, tags.split(), flds.split("\x1f"))
    return found


def _present(col: Any, guids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(list(guids)):
        found.update(col.db.list(f"SELECT guid FROM notes WHERE guid IN ({','.join('?' * len(part))})", *part))
    return found


def _guids_of(col: Any, log_notes: Iterable[Any]) -> list[str]:
    nids = [n.id.nid for n in log_notes]
    guids: list[str] = []
    for part in _chunks(nids):
        guids += col.db.list(f"SELECT guid FROM notes WHERE id IN ({','.join('?' * len(part))})", *part)
    return guids


def _differs(before: _Existing, note: Note, root: str) -> bool:
    """Whether the user's copy differs from what this build would write (fields, or tags in our namespace)."""
    from qdeck.render import FIELD_NAMES, render_fields

    fields = render_fields(note)
    ours = {t.casefold() for t in before.tags if _is_ours(t, root)}
    return before.fields != [fields[n] for n in FIELD_NAMES] or ours != {t.casefold() for t in note.tags}


def _restore_user_tags(col: Any, updated: Sequence[str], before: Mapping[str, _Existing],
                       by_guid: Mapping[str, Note], root: str) -> tuple[int, tuple[str, ...]]:
    """Put the user's own tags back on the notes the import updated (it replaces every tag)."""
    changed, kept = [], set()
    for guid in updated:
        own = [t for t in before[guid].tags if not _is_ours(t, root)] if guid in before else []
        if not own:
            continue
        note = col.get_note(before[guid].nid)
        present = {t.casefold() for t in note.tags}
        note.tags = [*note.tags, *(t for t in own if t.casefold() not in present)]
        changed.append(note)
        kept.update(own)
    if changed:
        col.update_notes(changed)
        # Back to the build's mod, as the import left it: a later build then still counts as newer
        # than this note, and a re-import of this build stays a no-op.
        col.db.executemany("UPDATE notes SET mod = ? WHERE id = ?",
                           [(by_guid[n.guid].mod, n.id) for n in changed])
    return len(changed), tuple(sorted(kept, key=str.casefold))


def _cards_of(col: Any, guids: Sequence[str], queue_sql: str) -> list[int]:
    cids: list[int] = []
    for part in _chunks(list(guids)):
        marks = ",".join("?" * len(part))
        cids += col.db.list(f"SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid IN ({marks}) "
                            f"AND {queue_sql}", *part)
    return cids


def _retire(col: Any, notes: Sequence[Note], state: dict[str, Any], suspend: bool) -> tuple[int, int, int]:
    """Count our retired notes; suspend their cards if asked; unsuspend what we suspended once it is back."""
    present = _present(col, [n.guid for n in notes])
    inactive = [n.guid for n in notes if n.status != "active" and n.guid in present]
    active = {n.guid for n in notes if n.status == "active"}
    ours = set(state.get("suspended", ()))
    suspended = unsuspended = 0
    if suspend:
        cids = _cards_of(col, inactive, "c.queue != -1")
        if cids:
            suspended = col.sched.suspend_cards(cids).count
            ours.update(inactive)
    revived = sorted(ours & active)
    if revived:
        # Only cards this tool suspended: a card the user suspended themselves stays suspended.
        cids = _cards_of(col, revived, "c.queue = -1")
        if cids:
            col.sched.unsuspend_cards(cids)
            unsuspended = len(cids)
        ours -= set(revived)
    state["suspended"] = sorted(ours & present)
    return len(inactive), suspended, unsuspended


def _deck_title(kind: str, value: str) -> str:
    if kind == "tier":
        return TIER_TITLES.get(value, f"Tier {value}")
    return f"Topic — {value}"  # the tag's own slug: no display names exist, and users know the tag


def _values(notes: Iterable[Note], kind: str) -> set[str]:
    return {n.tier for n in notes if n.tier} if kind == "tier" else {t for n in notes for t in n.topics}


def _filtered_plan(col: Any, recipe: Recipe, notes: Sequence[Note], kinds: Sequence[str]) -> list[tuple[str, str]]:
    """(deck name, our tag) per filtered deck: each tier (topic) with an active note, or whose deck exists.

    A deck whose tier lost its last active note is still rebuilt, so it empties instead of holding stale cards.
    """
    active = [n for n in notes if n.status == "active"]
    plan = []
    for kind in kinds:
        wanted = _values(active, kind)
        for value in sorted(_values(notes, kind)):
            name = f"{recipe.deck}::{_deck_title(kind, value)}"
            if value in wanted or col.decks.id_for_name(name) is not None:
                plan.append((name, f"{recipe.tag_root}::{kind}::{value}"))
    return plan


def _empty_first(col: Any, names: Iterable[str]) -> None:
    # A card sits in one filtered deck at a time and a rebuild skips cards held by another
    # filtered deck: a note that moved from tier 3 to tier 2 would stay out of both if tier 2
    # were rebuilt while tier 3 still held it. So every deck we rebuild lets go of its cards first.
    for name in names:
        did = col.decks.id_for_name(name)
        if did is not None and col.decks.is_filtered(did):
            col.sched.empty_filtered_deck(did)


def _search(col: Any, recipe: Recipe, tag: str) -> str:
    """Our search for one filtered deck, normalized and escaped by Anki itself.

    `deck:` matches the home deck, its children, and cards whose home (odid) is one of those, so the
    filtered decks under the home deck match their own cards too; that is harmless: Anki empties a
    filtered deck before rebuilding it and never pulls cards that sit in another filtered deck.
    """
    anki = _anki()
    node = anki.SearchNode
    return col.build_search_string(
        node(deck=recipe.deck), node(tag=tag),
        node(negated=node(tag=f"{recipe.tag_root}::status::retired")),
        node(negated=node(card_state=node.CARD_STATE_SUSPENDED)),
    )


def _card_count(col: Any, did: int) -> int:
    return col.db.scalar("SELECT count() FROM cards WHERE did = ?", did)


def _create_filtered(col: Any, name: str, search: str) -> FilteredDeckResult:
    deck = col.sched.get_or_create_filtered_deck(deck_id=0)
    deck.name = name
    del deck.config.search_terms[1:]  # a new deck starts with a second "is:new" term for the current deck
    term = deck.config.search_terms[0]
    term.search, term.limit = search, FILTERED_LIMIT
    try:
        did = col.sched.add_or_update_filtered_deck(deck).id
    except _anki_errors().FilteredDeckError:  # nothing matched; Anki added nothing
        return FilteredDeckResult(name, f"skipped: {_held_elsewhere(col, search) or 'no card matches yet'}")
    return FilteredDeckResult(name, "created", _card_count(col, did))


def _held_elsewhere(col: Any, search: str) -> str:
    """Why a deck of ours came out empty: its cards sit in other filtered decks (or '' when they do not)."""
    held = len(col.find_cards(f"({search}) deck:filtered"))
    if not held:
        return ""
    return f"its {held} cards sit in other filtered decks" if held > 1 else "its card sits in another filtered deck"


def _refresh_filtered(col: Any, did: int, name: str, search: str, recorded: str | None) -> FilteredDeckResult:
    """Rebuild an existing filtered deck, its options untouched; fix its search only if it is still ours."""
    deck = col.sched.get_or_create_filtered_deck(deck_id=did)
    current = deck.config.search_terms[0].search if deck.config.search_terms else ""
    if current == search or current != recorded:
        col.sched.rebuild_filtered_deck(did)
        action = "rebuilt" if current == search else "rebuilt (your search kept)"
        return FilteredDeckResult(name, action, _card_count(col, did))
    deck.config.search_terms[0].search = search
    try:
        col.sched.add_or_update_filtered_deck(deck)
    except _anki_errors().FilteredDeckError:  # the new search matches nothing: Anki reverted it; keep the old
        col.sched.rebuild_filtered_deck(did)
        return FilteredDeckResult(name, "rebuilt (new search matched no card)", _card_count(col, did))
    return FilteredDeckResult(name, "search updated", _card_count(col, did))


def _filtered_decks(col: Any, recipe: Recipe, notes: Sequence[Note], kinds: Sequence[str],
                    state: dict[str, Any]) -> tuple[FilteredDeckResult, ...]:
    """Create or refresh one filtered deck per tier (and topic), in plan order."""
    recorded: dict[str, str] = dict(state.get("filtered", {}))
    current_deck = col.decks.get_current_id()  # creating a filtered deck selects it; the user's choice stays
    results = []
    plan = _filtered_plan(col, recipe, notes, kinds)
    _empty_first(col, (name for name, _ in plan))
    for name, tag in plan:
        search = _search(col, recipe, tag)
        did = col.decks.id_for_name(name)
        if did is None:
            result = _create_filtered(col, name, search)
        elif not col.decks.is_filtered(did):
            result = FilteredDeckResult(name, "skipped: a normal deck already has this name")
        else:
            result = _refresh_filtered(col, did, name, search, recorded.get(name))
            if result.cards == 0 and result.action in ("rebuilt", "search updated") and _held_elsewhere(col, search):
                result = replace(result, action=f"{result.action}, empty: {_held_elsewhere(col, search)}")
        if result.action in ("created", "search updated"):
            recorded[name] = col.sched.get_or_create_filtered_deck(
                deck_id=col.decks.id_for_name(name)).config.search_terms[0].search
        results.append(result)
    if col.decks.get_current_id() != current_deck:
        col.decks.set_current(current_deck)
    state["filtered"] = recorded
    return tuple(results)


def _state_key(recipe: Recipe) -> str:
    return f"qdeck:{recipe.slug}"


def _apply(col: Any, package: Path, recipe: Recipe, notes: Sequence[Note], *, kinds: Sequence[str],
           suspend_retired: bool) -> SyncReport:
    """Everything a sync changes, inside one open collection; returns the counts."""
    by_guid = {n.guid: n for n in notes}
    root = recipe.tag_root
    state: dict[str, Any] = dict(col.get_config(_state_key(recipe), None) or {})
    before = _existing(col, list(by_guid))
    schema_mod = col.db.scalar("SELECT scm FROM col")

    log = _import(col, package)
    if log.conflicting:
        raise CollectionError(f"{len(log.conflicting)} notes use an older layout of the qdeck note type (its "
                              "fields changed); import the .apkg once in Anki with “Merge notetypes” ticked, then "
                              "sync again")
    updated = _guids_of(col, log.updated)
    duplicates = _guids_of(col, log.duplicate)
    kept = [g for g in duplicates if g in before and _differs(before[g], by_guid[g], root)]
    tags_notes, tags = _restore_user_tags(col, updated, before, by_guid, root)
    retired, suspended, unsuspended = _retire(col, notes, state, suspend_retired)
    filtered = _filtered_decks(col, recipe, notes, kinds, state)
    if state != (col.get_config(_state_key(recipe), None) or {}):
        col.set_config(_state_key(recipe), state)
    return SyncReport(
        collection=Path(), added=len(log.new), updated=len(updated), unchanged=len(duplicates) - len(kept),
        kept=len(kept), retired=retired, newly_retired=_newly_retired(updated, before, by_guid, root),
        suspended=suspended, unsuspended=unsuspended, tags_kept_notes=tags_notes, tags_kept=tags,
        filtered=filtered, full_sync=col.db.scalar("SELECT scm FROM col") != schema_mod,
    )


def _newly_retired(updated: Sequence[str], before: Mapping[str, _Existing], by_guid: Mapping[str, Note],
                   root: str) -> int:
    tag = f"{root}::status::retired".casefold()
    return sum(by_guid[g].status != "active" and tag not in {t.casefold() for t in before[g].tags}
               for g in updated if g in before)


def _filtered_kinds(filtered: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(filtered))
    unknown = [k for k in kinds if k not in FILTERED_KINDS]
    if unknown:
        raise QdeckError(f"unknown filtered deck kind {unknown[0]!r}; known: {', '.join(FILTERED_KINDS)}")
    return kinds


# ---------------------------------------------------------------------- the job


def sync(recipe: Recipe, collection: Path, *, dry_run: bool = False, suspend_retired: bool = False,
         filtered: Sequence[str] = ("tier",), out_dir: Path = Path("build"), now: int | None = None) -> SyncReport:
    """Build the deck, then apply it to an Anki collection as one all-or-nothing change.

    The work happens on a copy in the collection's workspace (`_workspace`); only a copy the library
    closed cleanly, intact and at the schema the user's Anki had, replaces the user's file, in one
    atomic rename, after a checked backup next to it. Any error before that, or a kill at any
    point, leaves the user's file exactly as it was. A dry run writes
    no build output (like `qdeck build --check`) and never replaces the file.
    """
    from qdeck.export import write_apkg
    from qdeck.pipeline import build

    kinds = _filtered_kinds(filtered)
    collection = Path(collection)
    _check_header(collection)
    with _workspace(collection) as workspace:
        with _held(collection, workspace):
            pass  # refuse an unusable collection before building anything; the lock is not held while building
        result = build(recipe, out_dir=out_dir, check=dry_run, now=now)
        if not result.notes:
            raise QdeckError("the build has no notes; nothing to sync")
        with _held(collection, workspace) as schema:
            stamp = _stamp(collection)
            work, package = workspace / COLLECTION_FILE, workspace / "qdeck-sync.apkg"
            try:
                shutil.copyfile(collection, work)
            except OSError as err:
                raise OutputError(f"cannot copy the collection into {workspace.name} ({err.strerror or err}); nothing "
                                  "was changed; check the folder has free space", collection) from None
            write_apkg(result.notes, package, deck_name=recipe.deck, notetype_mod=result.notetype_mod)
            with _temp_files_in(workspace):
                col = _open(work, collection)
                try:
                    with _anki_failure("failed while applying the build", collection):
                        report = _apply(col, package, recipe, result.notes, kinds=kinds,
                                        suspend_retired=suspend_retired)
                finally:
                    # The way Anki's own "Downgrade & Quit" closes: a schema 11 file goes back to schema 11.
                    with _anki_failure("could not close the working copy", collection):
                        col.close(downgrade=schema == SCHEMA_LEGACY)
            _check_result(work, schema)
            report = replace(report, collection=collection, dry_run=dry_run, schema=schema, build=result.summary)
            if dry_run:
                return report
            backup = _backup(collection, workspace)
        _swap(work, collection, stamp)  # after the lock is released: Windows cannot rename over an open file
    return replace(report, backup=backup)
