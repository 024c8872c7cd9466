"""Identity stage: stable GUIDs and mods for notes, remembered in the committed lock file."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from qdeck import cache
from qdeck.errors import LockError, OutputError
from qdeck.files import write_atomic
from qdeck.models import Note
from qdeck.render import content_hash, content_hashes, notetype_fingerprint, schema_fingerprint

LOCK_VERSION = 1
STATUSES = ("active", "retired", "merged")

# Matching thresholds (similarity in 0..1). A shared ref only counts when the texts still
# look alike, because a renumbered source hands old refs to different questions.
TEXT_MATCH = 0.85  # texts alone: a reworded question that also moved
REF_MATCH = 0.50  # texts plus at least one shared ref: a question reworded in place
REF_BONUS = 0.30  # times the Jaccard overlap of the refs, so the closest pairing wins
PRIMARY_BONUS = 0.10  # times the similarity of the two canonical questions (not variants)
INACTIVE_PENALTY = 0.05  # prefer a live note over reviving a retired one when both fit

Similarity = Callable[[str, str], float]

_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?:\s|$)")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


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

    @property
    def released(self) -> int:
        """The latest release time: every later change must get a strictly greater mod."""
        mods = [e.mod for e in self.entries]
        if self.notetype is not None:
            mods.append(self.notetype.mod)
        return max(mods, default=0)

    def get(self, guid: str) -> LockEntry | None:
        return next((e for e in self.entries if e.guid == guid), None)


@dataclass(frozen=True)
class IdentityReport:
    """What one build did to the identities; every exported note is in exactly one list."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()  # retired by this build
    merged: tuple[str, ...] = ()  # merged into another note by this build
    revived: tuple[str, ...] = ()  # retired or merged before, back in a source now (also in `changed`)
    matched_by: Mapping[str, str] = field(default_factory=dict)  # guid -> exact | refs | text
    release: int = 0  # the mod given to every note changed by this build
    notetype_changed: bool = False
    notetype_schema_changed: bool = False  # users must tick "Merge notetypes" on their next import

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("new", "changed", "unchanged", "retired", "merged")}

    def summary(self) -> str:
        """A few lines for the build output."""
        c = self.counts
        lines = [
            f"notes: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['retired']} retired, {c['merged']} merged"
        ]
        if self.revived:
            lines.append(f"revived: {len(self.revived)} retired notes are back in a source")
        if self.notetype_schema_changed:
            lines.append(
                'note type fields changed: tell users to tick "Merge notetypes" when importing this '
                'build, or Anki will make a "+" copy of the note type and skip the changed notes'
            )
        elif self.notetype_changed:
            lines.append("note type styling changed: Anki updates it on import (no action needed)")
        return "\n".join(lines)


# ---------------------------------------------------------------------- loading


def _where(line: int | None) -> str:
    return f"line {line}: " if line else ""


# libyaml (bundled in PyYAML's wheels) reads and writes the lock ~10x faster than pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _LockLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses duplicate keys: a botched merge often leaves two `mod:` lines."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int)) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_lock(path: str | Path) -> Lock:
    """Read a lock; a missing file is an empty lock, anything unreadable is a LockError."""
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
    finally:
        loader.dispose()
    return _parse_lock(data, node, path)


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
    unknown = set(data) - {"version", "namespace", "notetype", "notes"}
    if unknown:
        raise fail(f"unknown top-level key {sorted(unknown)[0]!r}")
    if data.get("version") != LOCK_VERSION:
        raise fail(f"unsupported lock version {data.get('version')!r} (this qdeck reads version {LOCK_VERSION})")
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
    return Lock(tuple(sorted(entries, key=lambda e: e.guid)), namespace, notetype, path)


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


# ---------------------------------------------------------------------- saving


class _LockDumper(_Dumper):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal blocks keep multi-line answers readable in diffs; PyYAML falls back to a quoted
    # scalar by itself when a block cannot hold the text exactly.
    # YAML folds its other line breaks (NEL, LS, PS) in plain and block scalars; only a
    # double-quoted scalar escapes them and keeps the text exact.
    if any(ch in value for ch in "\x85\u2028\u2029"):
        style = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LockDumper.add_representer(str, _represent_str)

_HEADER = """\
# qdeck identity lock: every note ever exported, with the GUID Anki knows it by.
# Commit this file. Never delete an entry: a lost entry makes users' next import duplicate
# the note and orphan its review history. In a merge conflict, keep the entries of both sides.
"""


def _natural(ref: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ref))


def _entry_data(e: LockEntry) -> dict[str, Any]:
    data: dict[str, Any] = {"guid": e.guid, "status": e.status}
    if e.merged_into:
        data["merged_into"] = e.merged_into
    data.update(question=e.question, refs=list(e.refs), hash=e.hash, mod=e.mod, added=e.added)
    content: dict[str, Any] = {}
    for key in ("key", "answer", "variants", "follow_ups", "code_tasks", "sources", "tier", "topics", "kind", "tags"):
        value = getattr(e.content, key)
        if value:
            content[key] = list(value) if isinstance(value, tuple) else value
    if content:
        data["content"] = content
    return data


@lru_cache(maxsize=2)  # a build asks for the same lock's text twice: --check, then save
def lock_text(lock: Lock) -> str:
    """The lock file's exact text: sorted by GUID, stable key order, so diffs stay small.

    It is what PyYAML's block style writes for the same data (tests hold the two equal). The
    common strings are written directly, which is several times faster for a 100,000-note lock;
    a lock holding a string outside those rules is written by PyYAML itself.
    """
    entries = sorted(lock.entries, key=lambda e: e.guid)
    try:
        return _fast_lock_text(lock, entries)
    except _NotFast:
        data: dict[str, Any] = {"version": LOCK_VERSION, "namespace": lock.namespace}
        if lock.notetype is not None:
            nt = lock.notetype
            data["notetype"] = {"fingerprint": nt.fingerprint, "schema": nt.schema, "mod": nt.mod}
        data["notes"] = [_entry_data(e) for e in entries]
        return _HEADER + yaml.dump(data, Dumper=_LockDumper, sort_keys=False, allow_unicode=True, width=100_000,
                                   default_flow_style=False, indent=2)


class _NotFast(Exception):
    """A string the direct writer does not handle."""


def _fast_lock_text(lock: Lock, entries: Sequence[LockEntry]) -> str:
    out = [_HEADER, f"version: {LOCK_VERSION}\n", f"namespace: {_scalar(lock.namespace, 0)}\n"]
    if lock.notetype is not None:
        nt = lock.notetype
        out.append(f"notetype:\n  fingerprint: {_scalar(nt.fingerprint, 2)}\n  schema: {_scalar(nt.schema, 2)}\n"
                   f"  mod: {nt.mod}\n")
    out.append("notes:\n" if entries else "notes: []\n")
    for e in entries:
        _emit_mapping(out, _entry_data(e), 2, "- ")
    return "".join(out)


def _emit_mapping(out: list[str], data: Mapping[str, Any], indent: int, first: str) -> None:
    """A block mapping with its keys at column `indent`; `first` prefixes the first key ("- " in a list)."""
    pad = " " * indent
    prefix = first
    for key, value in data.items():
        if isinstance(value, dict):
            out.append(f"{prefix}{key}:\n")
            _emit_mapping(out, value, indent + 2, " " * (indent + 2))
        elif isinstance(value, list):
            # PyYAML writes a list under a key without indenting it further.
            out.append(f"{prefix}{key}:\n" if value else f"{prefix}{key}: []\n")
            out.extend(f"{pad}- {_scalar(item, indent)}\n" for item in value)
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(f"{prefix}{key}: {value}\n")
        else:
            out.append(f"{prefix}{key}: {_scalar(value, indent)}\n")
        prefix = pad


# PyYAML's printable characters, less the line breaks other than \n and the byte-order mark.
_PRINTABLE = r"\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
# _represent_str double-quotes these line breaks; libyaml escapes characters beyond the BMP.
_NEVER_FAST = re.compile("[\x85\u2028\u2029\U00010000-\U0010ffff]")
# Plain: no indicator first, no ": " or " #", no surrounding space, one line.
_PLAIN = re.compile(rf"[A-Za-z0-9_(/.$+-][{_PRINTABLE}]*")
_NOT_PLAIN = re.compile(r": |:$|\s#|\s$")
_NOT_STRINGS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                         "null Null NULL".split())  # what PyYAML's resolver reads as a bool or null
# A literal block: no space first or before a break, no trailing space, at most one final break.
_BLOCK = re.compile(rf"(?=[^ \n])[{_PRINTABLE}\n]+")
_BLOCK_SPACES = re.compile(r" \n|\n\n$| $")


_RESOLVER = yaml.resolver.Resolver()
_ANALYZER = yaml.emitter.Emitter(None, allow_unicode=True)


def _reads_as_string(value: str) -> bool:
    """False for "1", "0x1f", "1.5", "2024-01-01": plain, PyYAML would read them back as other types."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"


@lru_cache(maxsize=1 << 16)  # tags, sources, tiers and topics repeat on every entry
def _scalar(value: str, indent: int) -> str:
    """One string as PyYAML writes it as a value at `indent` (the column of its key or list)."""
    if _NEVER_FAST.search(value):
        raise _NotFast(value)
    if "\n" not in value:
        # A leading "-" or "." may be an indicator ("- a", "-", "---", "..."): the analyzer decides.
        if _PLAIN.fullmatch(value) and not _NOT_PLAIN.search(value) and value not in _NOT_STRINGS \
                and (value[0].isalpha() or (value[0] not in "-." and _reads_as_string(value))):
            return value
        # The rest take PyYAML's own analysis (slower, so only here), as its emitter decides.
        analysis = _ANALYZER.analyze_scalar(value)
        if analysis.multiline:
            raise _NotFast(value)
        if analysis.allow_block_plain and not analysis.empty and _reads_as_string(value):
            return value
        if analysis.allow_single_quoted and len(value) < 50_000:
            return "'" + value.replace("'", "''") + "'"
    elif _BLOCK.fullmatch(value) and not _BLOCK_SPACES.search(value):
        body = value[:-1] if value.endswith("\n") else value
        pad = " " * (indent + 2)
        lines = "\n".join(pad + line if line else "" for line in body.split("\n"))
        return ("|\n" if value.endswith("\n") else "|-\n") + lines
    raise _NotFast(value)


def lock_would_change(lock: Lock, path: str | Path) -> bool:
    """True when saving `lock` would change the file (what `qdeck build --check` asks)."""
    try:
        return Path(path).read_bytes() != lock_text(lock).encode("utf-8")
    except FileNotFoundError:
        return True
    except OSError as err:
        raise LockError(f"cannot read the lock ({err.strerror or err})", path) from None


def save_lock(lock: Lock, path: str | Path, *, text: str | None = None) -> bool:
    """Write the lock atomically; returns False (and writes nothing) when the bytes are unchanged.

    Refuses to write a lock that would drop an entry of the file it replaces. `text` is
    `lock_text(lock)` when the caller already has it.
    """
    path = Path(path)
    data = (lock_text(lock) if text is None else text).encode("utf-8")
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as err:
        raise OutputError(f"cannot read the lock before replacing it ({err.strerror or err})", path) from None
    if old == data:
        return False
    if old is not None:
        previous = load_lock(path)  # a corrupt file on disk is a LockError, never silently replaced
        kept = {e.guid for e in lock.entries}
        lost = [e.guid for e in previous.entries if e.guid not in kept]
        if lost:
            raise LockError(f"refusing to drop {len(lost)} entries (e.g. {lost[0]!r}) from the lock", path)
    written = write_atomic(path, data, what="lock")
    cache.store_object(cache.key_of("lock", data), lock)
    return written


# ---------------------------------------------------------------------- matching


# Words every interview question shares. Scoring only the rest keeps templated questions
# apart: "difference between a list and a tuple" vs "... a process and a thread" would
# otherwise score 0.84 on the whole text.
_STOP_WORDS = frozenset("""
a about an and any are as at be between but by can could describe difference differences
do does define explain for from give how i in into is it its me my of on or python s
should tell that the their them there these they this those to use used using vs was we
what whats when where which who why will with would you your
""".split())


def _norm(text: str) -> str:
    return " ".join(default_process(text).split())


def _content(text: str) -> str:
    """The words that tell questions apart, sorted: plain `ratio` on these is `token_sort_ratio`."""
    words = _norm(text).split()
    kept = [w for w in words if w not in _STOP_WORDS]
    return " ".join(sorted(kept or words))


def default_similarity(a: str, b: str) -> float:
    """Similarity of two question texts, 0..1: word order, case, punctuation and filler ignored.

    >>> default_similarity("How does Python manage memory?", "How is memory managed in Python?")
    0.96
    >>> default_similarity("What is the difference between a list and a tuple?",
    ...                    "What is the difference between a process and a thread?")
    0.33
    """
    if _norm(a) == _norm(b):
        return 1.0
    return round(fuzz.ratio(_content(a), _content(b)) / 100, 2)


@dataclass
class _Candidate:
    score: float
    how: str
    sim: float


def _texts_of_note(note: Note) -> list[str]:
    return [note.question, *note.variants]


def _texts_of_entry(entry: LockEntry) -> list[str]:
    return [entry.question, *entry.content.variants]


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a and b else 0.0


def _candidates(notes: Sequence[Note], entries: Sequence[LockEntry],
                similarity: Similarity | None) -> dict[tuple[int, int], _Candidate]:
    """Every acceptable (note index, entry index) pairing with its score."""
    note_texts = [[_norm(t) for t in _texts_of_note(n)] for n in notes]
    entry_texts = [[_norm(t) for t in _texts_of_entry(e)] for e in entries]
    note_words = [[_content(t) for t in _texts_of_note(n)] for n in notes]
    entry_words = [[_content(t) for t in _texts_of_entry(e)] for e in entries]
    sims: dict[tuple[int, int], float] = {}

    def pair_sim(ni: int, ei: int) -> float:
        if (ni, ei) not in sims:
            if set(note_texts[ni]) & set(entry_texts[ei]):
                sims[(ni, ei)] = 1.0
            elif similarity is None:
                sims[(ni, ei)] = max(fuzz.ratio(a, b) / 100 for a in note_words[ni] for b in entry_words[ei])
            else:
                sims[(ni, ei)] = max(similarity(a, b) for a in _texts_of_note(notes[ni])
                                     for b in _texts_of_entry(entries[ei]))
        return sims[(ni, ei)]

    def primary_sim(ni: int, ei: int) -> float:
        if note_texts[ni][0] == entry_texts[ei][0]:
            return 1.0
        if similarity is None:
            return fuzz.ratio(note_words[ni][0], entry_words[ei][0]) / 100
        return similarity(notes[ni].question, entries[ei].question)

    pairs: set[tuple[int, int]] = set()
    by_ref: dict[str, list[int]] = {}
    for ei, entry in enumerate(entries):
        for ref in entry.refs:
            by_ref.setdefault(ref, []).append(ei)
    for ni, note in enumerate(notes):
        for ref in note.refs:
            pairs.update((ni, ei) for ei in by_ref.get(ref, ()))
    # A note whose text a locked note already has needs no fuzzy search: in a rebuild that is
    # nearly every note, which keeps identity matching near-linear in the deck size.
    exact: dict[str, list[int]] = {}
    for ei, texts in enumerate(entry_texts):
        for text in texts:
            exact.setdefault(text, []).append(ei)
    unmatched: list[int] = []
    for ni, texts in enumerate(note_texts):
        hits = {ei for text in texts for ei in exact.get(text, ())}
        pairs.update((ni, ei) for ei in hits)
        if not hits:
            unmatched.append(ni)
    if similarity is None:
        # rapidfuzz scans all locked texts in C; only pairs above the text threshold come back.
        flat = [(ei, t) for ei, texts in enumerate(entry_words) for t in texts]
        choices = [t for _, t in flat]
        for ni in unmatched if entries else ():
            for text in note_words[ni]:
                for _, _, k in process.extract(text, choices, scorer=fuzz.ratio, processor=None,
                                               score_cutoff=TEXT_MATCH * 100, limit=None):
                    pairs.add((ni, flat[k][0]))
    else:
        pairs.update((ni, ei) for ni in range(len(notes)) for ei in range(len(entries)))

    found: dict[tuple[int, int], _Candidate] = {}
    for ni, ei in pairs:
        sim = pair_sim(ni, ei)
        overlap = _jaccard(notes[ni].refs, entries[ei].refs)
        if not (sim >= TEXT_MATCH or (overlap > 0 and sim >= REF_MATCH)):
            continue
        # Between equally good pairings, the one whose canonical questions agree is the closest.
        primary = PRIMARY_BONUS * primary_sim(ni, ei)
        score = sim + REF_BONUS * overlap + primary - (INACTIVE_PENALTY if entries[ei].status != "active" else 0.0)
        exact = bool(set(note_texts[ni]) & set(entry_texts[ei]))
        how = "exact" if exact else ("refs" if overlap > 0 and sim < TEXT_MATCH else "text")
        found[(ni, ei)] = _Candidate(score, how, sim)
    return found


def _mint(namespace: str, note: Note, taken: set[str]) -> str:
    seed = f"{namespace}\x00{note.refs[0] if note.refs else note.key}\x00{_norm(note.question)}"
    salt = 0
    while True:
        digest = hashlib.sha256(f"{seed}\x00{salt}".encode("utf-8")).digest()
        number = int.from_bytes(digest[:8], "big")
        suffix = ""
        for _ in range(10):
            number, rest = divmod(number, 62)
            suffix += _BASE62[rest]
        guid = f"{namespace}:{suffix}"
        if guid not in taken:
            return guid
        salt += 1


# ---------------------------------------------------------------------- tags and notes


def infer_root(notes: Iterable[Note], fallback: str) -> str:
    """The tag root the tagger used: the most common first segment of hierarchical tags."""
    roots = Counter(t.split("::", 1)[0] for n in notes for t in n.tags if "::" in t)
    if not roots:
        return fallback
    best = max(roots.values())
    return min(r for r, c in roots.items() if c == best)


def _status_prefix(root: str) -> str:
    return f"{root}::status::"


def _final_tags(tags: Iterable[str], root: str, status: str) -> tuple[str, ...]:
    kept = {t for t in tags if not t.startswith(_status_prefix(root))}
    if status != "active":
        kept.add(f"{root}::status::retired")
    return tuple(sorted(kept))


def _content_of(note: Note, root: str) -> LockedContent:
    return LockedContent(
        key=note.key, answer=note.answer, variants=tuple(note.variants), follow_ups=tuple(note.follow_ups),
        code_tasks=tuple(note.code_tasks), sources=tuple(note.sources), tier=note.tier, topics=tuple(note.topics),
        kind=note.kind, tags=_final_tags(note.tags, root, "active"),
    )


def _note_of(entry: LockEntry, status: str, merged_into: str, root: str) -> Note:
    c = entry.content
    return Note(
        key=c.key or (entry.refs[0] if entry.refs else entry.guid), question=entry.question, refs=entry.refs,
        answer=c.answer, variants=c.variants, follow_ups=c.follow_ups, code_tasks=c.code_tasks, sources=c.sources,
        tier=c.tier, topics=c.topics, kind=c.kind, tags=_final_tags(c.tags, root, status), guid=entry.guid,
        status=status, merged_into=merged_into,
    )


def _resolve_chain(guid: str, merged: Mapping[str, str]) -> str:
    seen = {guid}
    while guid in merged and merged[guid] not in seen:
        guid = merged[guid]
        seen.add(guid)
    return guid


# ---------------------------------------------------------------------- the stage


def assign_identities(
    notes: list[Note],
    lock: Lock,
    *,
    namespace: str,
    now: int,
    similarity: Similarity | None = None,
    root: str | None = None,
) -> tuple[list[Note], Lock, IdentityReport]:
    """Give each note its GUID, mod and status from the lock; return them, the new lock, a report.

    The returned notes are the input notes in order (active), followed by every locked note no
    source has any more (retired, or merged into a survivor), sorted by GUID: those are still
    exported so users' copies get tagged `<root>::status::retired`. `now` is the build time;
    any changed note gets a mod strictly greater than every earlier release.
    """
    if not _NAMESPACE.match(namespace):
        raise ValueError(f"namespace {namespace!r} must be letters, digits, '.', '_' or '-'")
    if lock.namespace and lock.namespace != namespace:
        raise LockError(
            f"the lock belongs to namespace {lock.namespace!r}, not {namespace!r}; "
            "use the recipe it was made for (changing the namespace would duplicate every note)",
            lock.path,
        )
    for note in notes:
        if not note.question.strip():
            raise ValueError(f"note {note.key!r} has an empty question")
    root = root or infer_root([*notes, *(_note_of(e, "active", "", "") for e in lock.entries)], namespace)
    release = max(int(now), lock.released + 1)
    entries = list(lock.entries)
    candidates = _candidates(notes, entries, similarity)
    order = sorted(candidates, key=lambda p: (-candidates[p].score, entries[p[1]].added, entries[p[1]].guid, p[0]))

    # One-to-one, best pairing first: a split note's closest half keeps the GUID.
    assigned: dict[int, int] = {}
    used: set[int] = set()
    for ni, ei in order:
        if ni not in assigned and ei not in used:
            assigned[ni] = ei
            used.add(ei)

    # A live note left over but matching a taken note merged into it; the older keeps the GUID.
    absorbed: dict[int, list[int]] = {}
    for ni, ei in order:
        if ei in used or entries[ei].status != "active" or ni not in assigned:
            continue
        absorbed.setdefault(ni, []).append(ei)
        used.add(ei)
    merged_into: dict[str, str] = {}
    for ni, group in absorbed.items():
        members = [assigned[ni], *group]
        survivor = min(members, key=lambda ei: (entries[ei].added, -candidates[(ni, ei)].score, entries[ei].guid))
        assigned[ni] = survivor
        for ei in members:
            if ei != survivor:
                merged_into[entries[ei].guid] = entries[survivor].guid

    taken = {e.guid for e in entries}
    guids: list[str] = []
    matched_by: dict[str, str] = {}
    for ni, note in enumerate(notes):
        if ni in assigned:
            guid = entries[assigned[ni]].guid
            matched_by[guid] = candidates[(ni, assigned[ni])].how
        else:
            guid = _mint(namespace, note, taken)
            taken.add(guid)
        guids.append(guid)

    out_notes: list[Note] = []
    new_entries: dict[str, LockEntry] = {}
    buckets: dict[str, list[str]] = {k: [] for k in ("new", "changed", "unchanged", "retired", "merged", "revived")}
    previous = {e.guid: e for e in entries}

    finals = [replace(note, guid=guid, status="active", merged_into="", mod=0,
                      tags=_final_tags(note.tags, root, "active")) for note, guid in zip(notes, guids)]
    digests = content_hashes(finals)
    for note, guid, final, digest in zip(notes, guids, finals, digests):
        prev = previous.get(guid)
        if prev is not None and prev.hash == digest:
            mod, bucket = prev.mod, "unchanged"
        else:
            mod, bucket = release, ("new" if prev is None else "changed")
        if prev is not None and prev.status != "active":
            buckets["revived"].append(guid)
        buckets[bucket].append(guid)
        out_notes.append(replace(final, mod=mod))
        new_entries[guid] = LockEntry(
            guid=guid, question=note.question, refs=tuple(sorted(set(note.refs), key=_natural)), hash=digest,
            mod=mod, added=prev.added if prev is not None else release, content=_content_of(note, root),
        )

    # Locked notes no source has any more: still exported, so users' copies learn their fate.
    all_merges = {e.guid: e.merged_into for e in entries if e.status == "merged" and e.guid not in new_entries}
    all_merges.update(merged_into)
    leftovers: list[Note] = []
    for entry in entries:
        if entry.guid in new_entries:
            continue
        if entry.guid in merged_into or entry.status == "merged":
            status, target = "merged", _resolve_chain(entry.guid, all_merges)
        else:
            status, target = "retired", ""
        note = _note_of(entry, status, target, root)
        digest = content_hash(note)
        mod = entry.mod if digest == entry.hash else release
        if entry.status == "active":
            bucket = status  # retired or merged by this build
        else:
            bucket = "unchanged" if digest == entry.hash else "changed"
        buckets[bucket].append(entry.guid)
        leftovers.append(replace(note, mod=mod))
        new_entries[entry.guid] = replace(entry, status=status, merged_into=target, hash=digest, mod=mod)
    out_notes.extend(sorted(leftovers, key=lambda n: n.guid))

    fingerprint, schema = notetype_fingerprint(), schema_fingerprint()
    old_nt = lock.notetype
    if old_nt is not None and old_nt.fingerprint == fingerprint and old_nt.schema == schema:
        notetype = old_nt
    else:
        notetype = NotetypeState(fingerprint, schema, release)
    new_lock = Lock(tuple(sorted(new_entries.values(), key=lambda e: e.guid)), namespace, notetype, lock.path)

    # The lock is precious: these hold by construction, and must keep holding.
    all_guids = [n.guid for n in out_notes]
    assert len(all_guids) == len(set(all_guids)), "duplicate GUIDs in one build"
    assert {e.guid for e in lock.entries} <= set(new_entries), "an entry was dropped from the lock"

    report = IdentityReport(
        **{k: tuple(v) for k, v in buckets.items()},
        matched_by=matched_by,
        release=release,
        notetype_changed=old_nt is not None and old_nt.fingerprint != fingerprint,
        notetype_schema_changed=old_nt is not None and old_nt.schema != schema,
    )
    return out_notes, new_lock, report
