"""Run `qdeck ARGS` with an audit hook that lists, or kills the process at, each file operation in one folder.

The fault suite's kill points: every file operation Python makes under QDECK_FAULT_ROOT (an open
for writing, a rename, a removal, a mkdir, a copy, an SQLite connection) is numbered in the order
it happens. Without QDECK_FAULT_KILL_AT the operations are written, one a line, to the file
descriptor QDECK_FAULT_LOG_FD; with it, the process sends itself SIGKILL just before operation
number N, exactly where a power cut or `kill -9` could land. QDECK_FAULT_CLOCK pins time.time(),
so the files a build writes after the kill point are one known byte string.
"""

from __future__ import annotations

import os
import signal
import sys
import time

# Run as a script, Python puts this folder first on sys.path, where tests/anki/ would shadow the anki library.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# event name -> index of the path argument that the operation changes
_EVENTS = {"open": 0, "os.rename": 0, "os.remove": 0, "os.rmdir": 0, "os.mkdir": 0, "os.chmod": 0,
           "os.truncate": 0, "shutil.copyfile": 1, "shutil.rmtree": 0, "sqlite3.connect": 0}


def _path(value: object) -> str | None:
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        return None
    if value.startswith("file:"):
        value = value[5:].split("?", 1)[0].removeprefix("//")
    return os.path.abspath(value)


def _writes(event: str, args: tuple) -> bool:
    if event != "open":
        return True
    mode, flags = args[1], args[2]
    return (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & _WRITE_FLAGS)


def install(root: str, kill_at: int | None, log_fd: int | None) -> None:
    seen = 0
    prefix = os.path.abspath(root) + os.sep

    def hook(event: str, args: tuple) -> None:
        nonlocal seen
        index = _EVENTS.get(event)
        if index is None or len(args) <= index:
            return
        path = _path(args[index])
        if path is None or not path.startswith(prefix) or not _writes(event, args):
            return
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if log_fd is not None:
            os.write(log_fd, f"{seen}\t{event}\t{os.path.relpath(path, root)}\n".encode())

    sys.addaudithook(hook)


def main() -> None:
    clock = os.environ.get("QDECK_FAULT_CLOCK")
    if clock:
        time.time = lambda: float(clock)  # type: ignore[assignment]
    kill_at = os.environ.get("QDECK_FAULT_KILL_AT")
    log_fd = os.environ.get("QDECK_FAULT_LOG_FD")
    install(os.environ["QDECK_FAULT_ROOT"], int(kill_at) if kill_at else None, int(log_fd) if log_fd else None)
    from qdeck.cli import main as qdeck_main

    sys.argv = ["qdeck", *sys.argv[1:]]
    qdeck_main()


if __name__ == "__main__":
    main()
