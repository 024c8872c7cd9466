"""The identity lock's model, and reading a lock file into it with every field validated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import yaml

from qdeck.cache import OFF, Cache
from qdeck.config.blockyaml import read_block_yaml
from qdeck.config.yamlfile import long_number_line
from qdeck.errors import LockError

# Version 2 adds `questions`: each source's questions in order, with the GUID of each one's
# note. A version 1 lock (no questions) is read, then migrated by the next build.
LOCK_VERSION = 2
READS = (1, 2)
STATUSES = ("active", "retired", "merged")

_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?:\s|$)")


# ---------------------------------------------------------------------- the lock model


@dataclass(frozen=True)
class LockedContent:
    """The note as last exported, so a retired note can still be exported exactly as it was."""

    key: str = ""
    answer: str = ""
    variants: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    code_tasks: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tier: str = ""
    topics: tuple[str, ...] = ()
    kind: str = ""
    tags: tuple[str, ...] = ()  # without status tags


@dataclass(frozen=True)
class LockEntry:
    """One note ever exported."""

    guid: str
    question: str
    refs: tuple[str, ...]
    hash: str
    mod: int  # when what the user sees of it last changed
    added: int  # when it was first exported; the older of two merging notes survives
    status: str = "active"
    merged_into: str = ""
    content: LockedContent = LockedContent()


@dataclass(frozen=True)
class LockedQuestion:
    """One source question as last released: its ref, its own text and its note's GUID."""

    ref: str
    text: str
    guid: str

    @property
    def source(self) -> str:
        return self.ref.rpartition("#")[0]


@dataclass(frozen=True)
class NotetypeState:
    """The note type as last released: a change bumps its mod so Anki takes the new one."""

    fingerprint: str
    schema: str
    mod: int


@dataclass(frozen=True)
class Lock:
    """The identity lock: every note ever exported, sorted by GUID."""

    entries: tuple[LockEntry, ...] = ()
    namespace: str = ""
    notetype: NotetypeState | None = None
    path: Path | None = field(default=None, compare=False)
    # Every source's questions in source order, sources in the order the build read them.
    # None for a version 1 lock, which knew notes only: the next build migrates it.
    questions: tuple[LockedQuestion, ...] | None = None

    @property
    def released(self) -> int:
        """The latest release time: every later change must get a strictly greater mod."""
        mods = [e.mod for e in self.entries]
        if self.notetype is not None:
            mods.append(self.notetype.mod)
        return max(mods, default=0)

    def get(self, guid: str) -> LockEntry | None:
        return next((e for e in self.entries if e.guid == guid), None)

    def by_guid(self) -> dict[str, LockEntry]:
        return {e.guid: e for e in self.entries}


def natural(ref: str) -> tuple[Any, ...]:
    """Refs in reading order: `#9` before `#10`."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ref))


# ---------------------------------------------------------------------- loading


def _where(line: int | None) -> str:
    return f"line {line}: " if line else ""


# libyaml (bundled in PyYAML's wheels) reads and writes the lock ~10x faster than pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LockLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses duplicate keys: a botched merge often leaves two `mod:` lines."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int)):  # a list or mapping as a key (`? [a]`) is PyYAML's error below
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_lock(path: str | Path, cache: Cache = OFF) -> Lock:
    """Read a lock (or its parse from `cache`); a missing file is an empty lock, anything unreadable a LockError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Lock(path=path)
    except OSError as err:
        raise LockError(f"cannot read the lock ({err.strerror or err})", path) from None
    # Parsing YAML dominates a large rebuild; the same bytes always parse to the same lock.
    key = cache.key_of("lock", raw)
    cached = cache.load_object(key)
    if isinstance(cached, Lock):
        return replace(cached, path=path)
    lock = _load_lock_text(raw, path)
    cache.store_object(key, lock)
    return lock


def _load_lock_text(raw: bytes, path: Path) -> Lock:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LockError(f"not UTF-8 (byte {err.start}); restore it from version control", path) from None
    for number, line in enumerate(text.splitlines(), 1):
        if _CONFLICT.match(line):
            raise LockError(
                f"line {number}: unresolved merge-conflict marker; resolve the conflict by keeping "
                "the entries of both sides (never drop an entry), then rebuild",
                path,
            )
    if not text.strip():
        raise LockError("the lock is empty; restore it from version control (deleting it loses every identity)", path)
    written = _read_as_written(text, path)
    if written is not None:
        return written
    loader = _LockLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or "not valid YAML"
        line = mark.line + 1 if mark is not None else None
        message = f"{_where(line)}malformed YAML ({problem}); fix it or restore it from version control"
        raise LockError(message, path) from None
    except ValueError:  # Python refuses to read a whole number of over 4,300 digits
        raise LockError(f"{long_number_line(text)}malformed YAML (a number too long to read); fix it or restore it "
                        "from version control", path) from None
    finally:
        loader.dispose()
    return _parse_lock(data, node, path)


def _read_as_written(text: str, path: Path) -> Lock | None:
    """The lock, read fast when its text is exactly what qdeck writes for it (see config.blockyaml);
    None for any other text, which PyYAML then reads with line numbers for its errors."""
    from qdeck.identity.write import lock_text  # the writer imports this module

    data = read_block_yaml(text)
    if data is None:
        return None
    try:
        lock = _parse_lock(data, None, path)
    except LockError:
        return None
    return lock if lock_text(lock) == text else None


def _entry_lines(node: Any) -> list[int]:
    """The line where each entry under `notes:` starts, for error messages."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "notes" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def _parse_lock(data: Any, node: Any, path: Path) -> Lock:
    def fail(message: str, line: int | None = None) -> LockError:
        return LockError(f"{_where(line)}{message}; fix the lock or restore it from version control", path)

    if not isinstance(data, dict):
        raise fail("expected a mapping with `version`, `namespace`, `notetype` and `notes`")
    unknown = set(data) - {"version", "namespace", "notetype", "questions", "notes"}
    if unknown:
        raise fail(f"unknown top-level key {sorted(unknown)[0]!r}")
    version = data.get("version")
    if version not in READS:
        raise fail(f"unsupported lock version {version!r} (this qdeck reads versions {', '.join(map(str, READS))})")
    namespace = data.get("namespace") or ""
    if not isinstance(namespace, str):
        raise fail("`namespace` must be a string")
    notetype = None
    if data.get("notetype") is not None:
        nt = data["notetype"]
        if not (isinstance(nt, dict) and isinstance(nt.get("fingerprint"), str) and isinstance(nt.get("schema"), str)
                and _is_int(nt.get("mod"))):
            raise fail("`notetype` needs `fingerprint`, `schema` (strings) and `mod` (an integer)")
        notetype = NotetypeState(nt["fingerprint"], nt["schema"], nt["mod"])
    raw_notes = data.get("notes") or []
    if not isinstance(raw_notes, list):
        raise fail("`notes` must be a list")
    lines = _entry_lines(node)
    entries: list[LockEntry] = []
    seen: dict[str, int | None] = {}
    for i, raw in enumerate(raw_notes):
        line = lines[i] if i < len(lines) else None
        entry = _parse_entry(raw, lambda message: fail(message, line))
        if entry.guid in seen:
            first = seen[entry.guid]
            also = f" (first at line {first})" if first else ""
            raise fail(f"duplicate GUID {entry.guid!r}{also}", line)
        seen[entry.guid] = line
        entries.append(entry)
    for i, entry in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        if entry.status == "merged" and entry.merged_into not in seen:
            raise fail(f"{entry.guid!r} is merged into {entry.merged_into!r}, which is not in the lock", line)
        if entry.merged_into == entry.guid:
            raise fail(f"{entry.guid!r} is merged into itself", line)
    questions = _parse_questions(data.get("questions"), version, seen, fail) if version >= 2 else None
    return Lock(tuple(sorted(entries, key=lambda e: e.guid)), namespace, notetype, path, questions)


def _parse_questions(raw: Any, version: int, guids: Any, fail: Callable[..., LockError]) -> tuple[LockedQuestion, ...]:
    """`questions:` maps each source to its questions in order, each with `ref`, `text` and `guid`."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise fail(f"`questions` must map each source to a list of its questions (lock version {version})")
    out: list[LockedQuestion] = []
    refs: set[str] = set()
    for source, items in raw.items():
        if not isinstance(source, str) or not isinstance(items, list):
            raise fail(f"`questions.{source}` must be a list")
        for item in items:
            if not (isinstance(item, dict) and set(item) == {"ref", "text", "guid"}
                    and all(isinstance(item[k], str) and item[k] for k in ("ref", "text", "guid"))):
                raise fail(f"each question under `questions.{source}` needs `ref`, `text` and `guid` (strings)")
            q = LockedQuestion(item["ref"], item["text"], item["guid"])
            if q.source != source:
                raise fail(f"question {q.ref!r} is listed under source {source!r}")
            if q.ref in refs:
                raise fail(f"question {q.ref!r} is listed twice")
            if q.guid not in guids:
                raise fail(f"question {q.ref!r} belongs to {q.guid!r}, which is not in the lock")
            refs.add(q.ref)
            out.append(q)
    return tuple(out)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_ENTRY_KEYS = {"guid", "status", "merged_into", "question", "refs", "hash", "mod", "added", "content"}
_CONTENT_TEXT = ("key", "answer", "tier", "kind")
_CONTENT_LISTS = ("variants", "follow_ups", "code_tasks", "sources", "topics", "tags")


def _str_list(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _parse_entry(raw: Any, fail: Callable[[str], LockError]) -> LockEntry:
    if not isinstance(raw, dict):
        raise fail("each entry under `notes` must be a mapping")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise fail(f"unknown key {sorted(unknown)[0]!r} in an entry")
    guid = raw.get("guid")
    if not isinstance(guid, str) or not guid or any(c.isspace() for c in guid):
        raise fail("an entry has a missing or malformed `guid`")
    status = raw.get("status", "active")
    if status not in STATUSES:
        raise fail(f"{guid!r} has status {status!r}; expected one of {', '.join(STATUSES)}")
    merged_into = raw.get("merged_into") or ""
    if not isinstance(merged_into, str) or (status == "merged") != bool(merged_into):
        raise fail(f"{guid!r}: `merged_into` is required for status merged and only then")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise fail(f"{guid!r} has no `question`")
    refs = _str_list(raw.get("refs"))
    if refs is None:
        raise fail(f"{guid!r}: `refs` must be a list of strings")
    if not isinstance(raw.get("hash"), str) or not raw["hash"]:
        raise fail(f"{guid!r} has no `hash`")
    for key in ("mod", "added"):
        if not _is_int(raw.get(key)):
            raise fail(f"{guid!r}: `{key}` must be a whole number of seconds")
    content_raw = raw.get("content") or {}
    if not isinstance(content_raw, dict):
        raise fail(f"{guid!r}: `content` must be a mapping")
    unknown = set(content_raw) - set(_CONTENT_TEXT) - set(_CONTENT_LISTS)
    if unknown:
        raise fail(f"{guid!r}: unknown key {sorted(unknown)[0]!r} in `content`")
    values: dict[str, Any] = {}
    for key in _CONTENT_TEXT:
        value = content_raw.get(key) or ""
        if not isinstance(value, str):
            raise fail(f"{guid!r}: `content.{key}` must be a string")
        values[key] = value
    for key in _CONTENT_LISTS:
        value = _str_list(content_raw.get(key))
        if value is None:
            raise fail(f"{guid!r}: `content.{key}` must be a list of strings")
        values[key] = value
    return LockEntry(
        guid=guid, question=question, refs=refs, hash=raw["hash"], mod=raw["mod"], added=raw["added"],
        status=status, merged_into=merged_into, content=LockedContent(**values),
    )


