"""A content-addressed cache of parsed sources, so rebuilds skip work whose inputs did not change.

Keys cover everything a parse depends on: the source file's bytes, its declaration, any file
its options name, and qdeck's own code; a change to any of them is a miss. Entries are JSON
(or pickles of qdeck's own objects) in one folder, `Settings.cache_dir`; a `Cache` without a
folder is off and misses every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from qdeck.errors import OutputError
from qdeck.files import write_atomic
from qdeck.models import Parsed, Question, Skipped

PACKAGE_DIR = Path(__file__).resolve().parent


def code_digest() -> str:
    """A digest of qdeck's own source: new parsing code never reads an old entry."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Cache:
    """The cache folder of one run (None: off). `read_only` reads entries but adds none (`build --check`)."""

    folder: Path | None = None
    read_only: bool = False
    # Hashing qdeck's own source once per run; every key starts from it.
    code: str = field(default_factory=code_digest, repr=False, compare=False)

    @property
    def on(self) -> bool:
        return self.folder is not None

    def reading_only(self) -> Cache:
        return replace(self, read_only=True)

    def key_of(self, *parts: Any) -> str:
        digest = hashlib.sha256(self.code.encode())
        for part in parts:
            digest.update(part if isinstance(part, bytes) else repr(part).encode())
            digest.update(b"\0")
        return digest.hexdigest()[:32]

    def files_digest(self, paths: list[Path], *extra: Any) -> str:
        """One digest of the files (name and bytes; a missing file counts as missing) and `extra`."""
        digest = hashlib.sha256(self.code.encode())
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

    # ------------------------------------------------------------------ entries

    def _load(self, name: str) -> bytes | None:
        """An entry's bytes; a missing or unreadable entry (or no cache) is only a miss."""
        if self.folder is None:
            return None
        try:
            return (self.folder / name).read_bytes()
        except OSError:
            return None

    def _store(self, name: str, data: Callable[[], bytes]) -> None:
        """Write an entry; `data` is only called when the cache is on and writable."""
        if self.folder is None or self.read_only:
            return
        try:
            write_atomic(self.folder / name, data())
        except OutputError:
            pass  # the cache only saves time; a read-only folder must not fail the build

    def load_parsed(self, key: str) -> Parsed | None:
        data = self._load(f"parse-{key}.json")
        try:
            return None if data is None else _parsed_from_json(json.loads(data))
        except (ValueError, KeyError, TypeError):
            return None

    def store_parsed(self, key: str, parsed: Parsed) -> None:
        self._store(f"parse-{key}.json", lambda: json.dumps(_parsed_to_json(parsed), ensure_ascii=False).encode())

    # A build records what it read and what it wrote; a rebuild whose inputs and outputs still
    # match skips every stage, as make does. Outputs are compared by content, not mtime.

    def load_stamp(self, name: str) -> dict[str, Any] | None:
        data = self._load(_stamp_file(name))
        try:
            stamp = None if data is None else json.loads(data)
        except ValueError:
            return None
        return stamp if isinstance(stamp, dict) else None

    def store_stamp(self, name: str, data: dict[str, Any]) -> None:
        self._store(_stamp_file(name), lambda: json.dumps(data, ensure_ascii=False, sort_keys=True).encode())

    # Python objects qdeck itself wrote (a parsed lock), pickled under a content key. The cache
    # folder belongs to the project, like build/; a damaged entry is only a miss.

    def load_object(self, key: str) -> Any | None:
        data = self._load(f"object-{key}.pickle")
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - any unreadable entry (truncated, old classes) is a miss
            return None

    def store_object(self, key: str, value: Any) -> None:
        self._store(f"object-{key}.pickle", lambda: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


OFF = Cache(None, code="")  # no folder, so no key is ever looked up and the code digest is not needed


def _stamp_file(name: str) -> str:
    return f"stamp-{hashlib.sha256(name.encode()).hexdigest()[:24]}.json"


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
