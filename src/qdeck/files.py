"""Write output files atomically: a temp file in the same folder, fsync, then one rename."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from qdeck.errors import OutputError


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0o666 less umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes, *, what: str = "") -> bool:
    """Replace `path` with `data`, or leave it untouched when its bytes are already `data`.

    Returns whether the file was written. A reader never sees a half-written file, and a
    failure leaves no temp file behind: it raises one OutputError naming the path.
    """
    label = f"the {what}" if what else ""
    tmp_name = None
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(path))
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as err:
        reason = err.strerror or err
        target = f"cannot write {label} ({reason})" if label else f"cannot write ({reason})"
        raise OutputError(f"{target}; check the folder exists and is writable", path) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    return True
