"""A content-addressed cache of parsed sources, so rebuilds skip work whose inputs did not change.

Keys cover everything a parse depends on: the source file's bytes, its declaration, any file
its options name, and qdeck's own code; a change to any of them is a miss. Entries are JSON
under `build/.cache/` (or $QDECK_CACHE_DIR); QDECK_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from qdeck.errors import OutputError
from qdeck.models import Parsed, Question, Skipped

PACKAGE_DIR = Path(__file__).resolve().parent
_read_only = False


@contextmanager
def read_only() -> Iterator[None]:
    """Use the cache without adding to it (`qdeck build --check` writes nothing)."""
    global _read_only
    previous, _read_only = _read_only, True
    try:
        yield
    finally:
        _read_only = previous


def cache_dir() -> Path | None:
    if os.environ.get("QDECK_NO_CACHE"):
        return None
    return Path(os.environ.get("QDECK_CACHE_DIR") or Path("build") / ".cache")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of qdeck's own source: new parsing code never reads an old entry."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key_of(*parts: Any) -> str:
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _parsed_to_json(parsed: Parsed) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value; these hold only strings, numbers and tuples.
    return {
        "questions": [vars(q) for q in parsed.questions],
        "skipped": [vars(s) for s in parsed.skipped],
        "heading_lines": parsed.heading_lines,
        "warnings": parsed.warnings,
        "consumed": parsed.consumed,
    }


def _parsed_from_json(data: dict[str, Any]) -> Parsed:
    question_fields = {f.name for f in fields(Question)}
    questions = tuple(
        Question(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in q.items() if k in question_fields})
        for q in data["questions"]
    )
    return Parsed(
        questions=questions,
        skipped=tuple(Skipped(**s) for s in data["skipped"]),
        heading_lines=tuple(data["heading_lines"]),
        warnings=tuple(data["warnings"]),
        consumed=tuple(data["consumed"]),
    )


def _load(name: str) -> bytes | None:
    """An entry's bytes; a missing or unreadable entry (or no cache) is only a miss."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def _store(name: str, data: Callable[[], bytes]) -> None:
    """Write an entry; `data` is only called when the cache is on and writable."""
    folder = cache_dir()
    if folder is None or _read_only:
        return
    from qdeck.files import write_atomic

    try:
        write_atomic(folder / name, data())
    except OutputError:
        pass  # the cache only saves time; a read-only folder must not fail the build


def load_parsed(key: str) -> Parsed | None:
    data = _load(f"parse-{key}.json")
    try:
        return None if data is None else _parsed_from_json(json.loads(data))
    except (ValueError, KeyError, TypeError):
        return None


def store_parsed(key: str, parsed: Parsed) -> None:
    _store(f"parse-{key}.json", lambda: json.dumps(_parsed_to_json(parsed), ensure_ascii=False).encode())


# ---------------------------------------------------------------------- build stamps
# A build records what it read and what it wrote; a rebuild whose inputs and outputs still
# match skips every stage, as make does. Outputs are compared by content, not mtime.


def files_digest(paths: list[Path], *extra: Any) -> str:
    """One digest of the files (name and bytes; a missing file counts as missing) and `extra`."""
    digest = hashlib.sha256(code_digest().encode())
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except FileNotFoundError:
            digest.update(b"missing")
        except OSError:
            digest.update(os.urandom(16))  # unreadable now: never a match; the build reports it
    digest.update(repr(extra).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stamp_file(name: str) -> str:
    return f"stamp-{hashlib.sha256(name.encode()).hexdigest()[:24]}.json"


def load_stamp(name: str) -> dict[str, Any] | None:
    data = _load(_stamp_file(name))
    try:
        stamp = None if data is None else json.loads(data)
    except ValueError:
        return None
    return stamp if isinstance(stamp, dict) else None


def store_stamp(name: str, data: dict[str, Any]) -> None:
    _store(_stamp_file(name), lambda: json.dumps(data, ensure_ascii=False, sort_keys=True).encode())


# ---------------------------------------------------------------------- parsed objects
# Python objects qdeck itself wrote (a parsed lock), pickled under a content key. The cache
# folder belongs to the project, like build/; a damaged entry is only a miss.


def load_object(key: str) -> Any | None:
    data = _load(f"object-{key}.pickle")
    if data is None:
        return None
    import pickle

    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - any unreadable entry (truncated, old classes) is a miss
        return None


def store_object(key: str, value: Any) -> None:
    import pickle

    _store(f"object-{key}.pickle", lambda: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
