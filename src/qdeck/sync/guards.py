"""Refuse a collection a sync must not touch: open in Anki, not a collection, damaged, or at an unsafe schema."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from qdeck.sync.errors import CollectionError
from qdeck.sync.library import anki_failure

LOCK_TIMEOUT = 0.25  # seconds; Anki holds its lock for as long as the profile is open, so waiting longer only delays
SCHEMA_LEGACY = 11  # what every Anki since 2.0 can open; the library converts on open and back on close
_SQLITE_MAGIC = b"SQLite format 3\x00"


def side_files(path: Path) -> list[Path]:
    """The -wal and -journal files beside a collection: signs that someone has it open, or crashed with it open."""
    return [path.with_name(path.name + s) for s in ("-wal", "-journal") if path.with_name(path.name + s).exists()]


def refuse_if_open(path: Path) -> None:
    # Anki keeps a -wal file while a profile is open, and a crash leaves one behind holding the
    # latest reviews; opening the file ourselves would fold it in and change the user's file.
    side = side_files(path)
    if side and side[0].name.endswith("-wal") and side[0].stat().st_size == 0:
        # No frames, so no reviews in it: what any program killed while reading the file leaves.
        raise CollectionError(f"{side[0].name} exists but is empty: Anki has this collection open, or a program "
                              f"reading it was killed; if Anki is closed, delete {side[0].name} and "
                              f"{path.name}-shm (they hold nothing) and try again", path)
    if side:
        raise CollectionError(f"{side[0].name} exists: Anki has this collection open or did not close it "
                              "cleanly; close Anki (or open and close the profile once) and try again", path)


def fold_in_own_side_files(path: Path) -> None:
    """After a killed sync: remove the empty -wal (and -shm) its lock check left, if nobody holds the file.

    SQLite makes them when a connection opens a collection in WAL mode and removes them when the
    last one closes; kill -9 skips that. An empty -wal holds no frames, so closing a connection
    of our own (which needs the lock Anki would hold) removes it and changes no byte of the file.
    Holding that exclusive lock, nobody else has the file open, so a stale -shm can go too.
    """
    wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
    if not wal.is_file() or wal.stat().st_size != 0:
        return  # nothing of ours, or frames someone wrote: refuse_if_open says what to do
    with locked(path):
        shm.unlink(missing_ok=True)
    left = [p.name for p in (wal, shm) if p.exists()]
    if left:
        raise CollectionError(f"a killed qdeck sync left {' and '.join(left)} (empty); close Anki, delete them and "
                              "try again", path)


def check_header(path: Path) -> None:
    """Refuse a missing file, or one that is not an SQLite database."""
    if not path.is_file():
        raise CollectionError("no Anki collection here", path)
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise CollectionError("not an Anki collection (not an SQLite database)", path)


def schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The collection's schema version (`col.ver`); a file without one is not a collection."""
    try:
        row = conn.execute("SELECT ver FROM col").fetchone()
    except sqlite3.DatabaseError as err:
        raise CollectionError(f"not an Anki collection ({err})", path) from None
    if row is None or not isinstance(row[0], int):
        raise CollectionError("not an Anki collection (its `col` table is empty)", path)
    return row[0]


@contextmanager
def locked(path: Path) -> Iterator[int]:
    """Hold a write lock on the collection for the whole sync; yield its schema version.

    Anki desktop keeps the SQLite file in exclusive locking mode while a profile is open, so a
    short-timeout BEGIN IMMEDIATE fails exactly then. Holding it keeps Anki, or a second sync,
    from opening the file until we are done. A connection only reads: the file's bytes never change.
    Exclusive locking mode keeps SQLite from making a -shm file for a WAL-mode collection (it keeps
    that index in memory), so a kill leaves at most an empty -wal, and a full disk nothing at all.
    Only another process's lock shows: POSIX locks do not conflict inside one process, so never
    call this on a collection this process has open with the anki library.
    """
    check_header(path)
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
        yield schema_version(conn, path)
    finally:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        conn.close()


@contextmanager
def held(path: Path, library_schema: Callable[[], int]) -> Iterator[int]:
    """Refuse a collection we must not touch; hold its lock for the block and yield its schema.

    `library_schema` gives the schema the installed anki library works in (see `check_schema`).
    """
    refuse_if_open(path)
    with locked(path) as schema:
        check_schema(schema, path, library_schema)
        yield schema


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def intact(path: Path) -> bool:
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


def check_result(work: Path, schema: int) -> None:
    """The file we are about to hand back: closed cleanly, intact, and at the schema the user's Anki had."""
    if side_files(work):
        raise CollectionError("the Anki library did not close the collection cleanly; nothing was changed", work)
    check_header(work)
    if not intact(work):
        raise CollectionError("the updated copy fails SQLite's integrity check; nothing was changed", work)
    conn = sqlite3.connect(work)  # our own temporary copy: opening it risks nothing
    try:
        ver = schema_version(conn, work)
    finally:
        conn.close()
    if ver != schema:
        raise CollectionError(f"the updated copy has schema {ver}, not {schema}; nothing was changed", work)


def check_schema(schema: int, path: Path, library_schema: Callable[[], int]) -> None:
    """Refuse any schema the user's Anki could not read back after the library has upgraded it.

    Schema 11 is safe: the library closes it back to 11, as Anki's own Downgrade & Quit does.
    """
    with anki_failure("could not make a scratch collection beside it to learn its schema", path):
        library = library_schema()
    if schema == library or schema == SCHEMA_LEGACY:
        return
    if schema > library:
        why = "a newer Anki wrote it; upgrade the anki library (pip install -U anki)"
    else:
        why = ("the Anki that saved it cannot open the newer schema the library would leave; update Anki, or in "
               "Anki use Switch Profile > Downgrade & Quit first, or import the .apkg instead")
    raise CollectionError(f"refusing to sync a schema {schema} collection with a schema {library} anki library: "
                          f"{why}", path)
