"""Write output files atomically (temp file beside it, fsync, one rename) and clean up after a killed run."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from qdeck.errors import OutputError

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which protects a live temp file anyway
    fcntl = None  # type: ignore[assignment]

# Every temporary qdeck makes beside a file is named `.<file name>.qdeck-<random>.tmp`, so a run can
# tell its own leftovers from anything else. Earlier versions wrote `.<file name>.<8 random>.tmp`.
TEMP_MARK = ".qdeck-"
_LEGACY_TEMP = re.compile(r"[a-z0-9_]{8}\.tmp")


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0o666 less umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def temp_prefix(path: Path) -> str:
    """The name every temporary for `path` starts with."""
    return f".{path.name}{TEMP_MARK}"


def claim(fd: int) -> bool:
    """Take the exclusive claim on an open temporary; False when a living process holds it.

    The claim is an flock: the kernel drops it when its process dies, even by kill -9, so a
    leftover of a killed run is claimable and a temporary in use is not.
    """
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def hold(path: Path) -> int | None:
    """Open and claim `path` (a file or a folder): the fd to close when done, or None if a living process holds it.

    Windows has no flock and cannot open a folder: there it returns -1 and claims nothing.
    """
    if fcntl is None:
        return -1
    fd = os.open(path, os.O_RDONLY)
    if claim(fd):
        return fd
    os.close(fd)
    return None


def _is_leftover_name(name: str, target: str) -> bool:
    prefix = f".{target}."
    if not name.startswith(prefix) or not name.endswith(".tmp"):
        return False
    rest = name[len(prefix):]
    return rest.startswith(TEMP_MARK[1:]) or bool(_LEGACY_TEMP.fullmatch(rest))


def remove_leftovers(path: Path) -> list[Path]:
    """Delete the temporaries for `path` that killed runs left beside it; returns what was removed.

    A temporary that a running qdeck still holds is left alone (see `claim`). Temporaries are files,
    or folders such as the sync's workspace.
    """
    removed: list[Path] = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        if not _is_leftover_name(name, path.name):
            continue
        leftover = path.parent / name
        try:
            fd = hold(leftover)
        except OSError:
            continue
        if fd is None or (fd < 0 and leftover.is_dir()):
            continue  # a living run's (on Windows a folder cannot be vouched for; a file in use cannot be deleted)
        try:
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                os.unlink(leftover)
            removed.append(leftover)
        except OSError:
            pass
        finally:
            if fd >= 0:
                os.close(fd)
    return removed


@contextmanager
def scratch_file(path: Path) -> Iterator[tuple[int, Path]]:
    """A claimed, empty temporary beside `path` (an open fd and its name), deleted afterwards.

    Leftovers of killed runs for the same `path` are removed first. The claim lasts until the
    block ends, so a temporary renamed onto `path` inside the block is never mistaken for one.
    """
    remove_leftovers(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=".tmp")
    try:
        claim(fd)
        yield fd, Path(name)
    finally:
        try:
            os.unlink(name)
        except OSError:
            pass
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, what: str = "") -> bool:
    """Replace `path` with `data`, or leave it untouched when its bytes are already `data`.

    Returns whether the file was written. A reader never sees a half-written file, and a
    failure leaves no temp file behind: it raises one OutputError naming the path. A temp
    file a killed run left for the same path is removed.
    """
    label = f"the {what}" if what else ""
    try:
        if path.is_file() and path.read_bytes() == data:
            remove_leftovers(path)
            return False
        with scratch_file(path) as (fd, tmp):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.chmod(tmp, _mode_for(path))
            os.replace(tmp, path)
    except OSError as err:
        reason = err.strerror or err
        target = f"cannot write {label} ({reason})" if label else f"cannot write ({reason})"
        raise OutputError(f"{target}; check the folder exists and is writable", path) from None
    return True
