"""Writing the identity lock: its exact text (as PyYAML writes it, only faster) and a safe save."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from qdeck.cache import OFF, Cache
from qdeck.errors import LockError, OutputError
from qdeck.files import write_atomic
from qdeck.identity.model import LOCK_VERSION, Lock, LockEntry, LockedQuestion, load_lock

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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
# qdeck identity lock: every note ever exported, with the GUID Anki knows it by, and every
# source's questions in order, so the next build can follow each question through an edit.
# Commit this file. Never delete an entry: a lost entry makes users' next import duplicate
# the note and orphan its review history. In a merge conflict, keep the entries of both sides.
"""


def _by_source(questions: Sequence[LockedQuestion]) -> dict[str, list[LockedQuestion]]:
    out: dict[str, list[LockedQuestion]] = {}
    for q in questions:
        out.setdefault(q.source, []).append(q)
    return out


def _question_data(q: LockedQuestion) -> dict[str, str]:
    return {"ref": q.ref, "text": q.text, "guid": q.guid}


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
        return pyyaml_lock_text(lock)


def pyyaml_lock_text(lock: Lock) -> str:
    """The lock file's text as PyYAML writes it: the reference for the direct writer."""
    data: dict[str, Any] = {"version": LOCK_VERSION, "namespace": lock.namespace}
    if lock.notetype is not None:
        nt = lock.notetype
        data["notetype"] = {"fingerprint": nt.fingerprint, "schema": nt.schema, "mod": nt.mod}
    data["questions"] = {source: [_question_data(q) for q in items]
                         for source, items in _by_source(lock.questions or ()).items()}
    data["notes"] = [_entry_data(e) for e in sorted(lock.entries, key=lambda e: e.guid)]
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
    by_source = _by_source(lock.questions or ())
    out.append("questions:\n" if by_source else "questions: {}\n")
    for source, items in by_source.items():
        key = _scalar(source, 2)
        if "\n" in key or len(key) > 128:  # PyYAML writes such a key in its complex-key form
            raise _NotFast(source)
        out.append(f"  {key}:\n")
        # Written directly (100,000 of them in a large deck): what _emit_mapping writes for them.
        out.extend(f"  - ref: {_scalar(q.ref, 4)}\n    text: {_scalar(q.text, 4)}\n    guid: {_scalar(q.guid, 4)}\n"
                   for q in items)
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


def save_lock(lock: Lock, path: str | Path, *, text: str | None = None, cache: Cache = OFF) -> bool:
    """Write the lock atomically; returns False (and writes nothing) when the bytes are unchanged.

    Refuses to write a lock that would drop an entry of the file it replaces. `text` is
    `lock_text(lock)` when the caller already has it; `cache` keeps the parsed lock for the next build.
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
        previous = load_lock(path, cache)  # a corrupt file on disk is a LockError, never silently replaced
        kept = {e.guid for e in lock.entries}
        lost = [e.guid for e in previous.entries if e.guid not in kept]
        if lost:
            raise LockError(f"refusing to drop {len(lost)} entries (e.g. {lost[0]!r}) from the lock", path)
    written = write_atomic(path, data, what="lock")
    cache.store_object(cache.key_of("lock", data), lock)
    return written


