"""The staged swap: a workspace beside the collection, a checked and fsynced backup, then one atomic rename."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from qdeck.errors import OutputError
from qdeck.files import hold, remove_leftovers, temp_prefix
from qdeck.sync.errors import CollectionError
from qdeck.sync.guards import fold_in_own_side_files, intact, side_files


def _workspace_path(collection: Path) -> Path:
    return collection.with_name(f"{temp_prefix(collection)}sync.tmp")


@contextmanager
def workspace(collection: Path) -> Iterator[Path]:
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
            fold_in_own_side_files(collection)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if fd is not None and fd >= 0:
            os.close(fd)


def file_stamp(path: Path) -> tuple[int, int, int]:
    """What changes whenever anyone replaces or writes the file: its inode, size and mtime."""
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def backup(path: Path, folder: Path) -> Path:
    """Copy the collection to a backup beside it: written in the workspace `folder`, fsynced, checked, then renamed.

    A file named like a backup is therefore always a whole, readable copy; a kill or a full disk
    midway leaves only a temporary in the workspace, which the next run removes.
    """
    when = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.qdeck-backup-{when}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.qdeck-backup-{when}-{n}")
    partial = folder / target.name
    try:
        with open(path, "rb") as src, open(partial, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(path, partial)
        if partial.stat().st_size != path.stat().st_size or not intact(partial):
            raise CollectionError("the backup did not read back whole; nothing was changed", target)
        os.replace(partial, target)
    except OSError as err:
        raise OutputError(f"cannot write the backup ({err.strerror or err}); nothing was changed; check the "
                          "folder has free space", target) from None
    _fsync_dir(path.parent)
    return target


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def swap(work: Path, target: Path, stamp: tuple[int, int, int]) -> None:
    """Replace the user's file with the finished working copy: one rename within the folder, called off
    when the file no longer has the `file_stamp` it had when the work began."""
    try:
        if file_stamp(target) != stamp or side_files(target):
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
