"""Writing the identity lock: its exact text (as PyYAML writes it, only faster) and a safe save."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from qdeck.cache import OFF, Cache
from qdeck.config.blockyaml import NotInSubset, scalar_text
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
    except NotInSubset:
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


def _fast_lock_text(lock: Lock, entries: Sequence[LockEntry]) -> str:
    out = [_HEADER, f"version: {LOCK_VERSION}\n", f"namespace: {scalar_text(lock.namespace, 0)}\n"]
    if lock.notetype is not None:
        nt = lock.notetype
        out.append(f"notetype:\n  fingerprint: {scalar_text(nt.fingerprint, 2)}\n  schema: {scalar_text(nt.schema, 2)}\n"
                   f"  mod: {nt.mod}\n")
    by_source = _by_source(lock.questions or ())
    out.append("questions:\n" if by_source else "questions: {}\n")
    for source, items in by_source.items():
        key = scalar_text(source, 2)
        if "\n" in key or len(key) > 128:  # PyYAML writes such a key in its complex-key form
            raise NotInSubset(source)
        out.append(f"  {key}:\n")
        # Written directly (100,000 of them in a large deck): what _emit_mapping writes for them.
        out.extend(f"  - ref: {scalar_text(q.ref, 4)}\n    text: {scalar_text(q.text, 4)}\n    guid: {scalar_text(q.guid, 4)}\n"
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
            out.extend(f"{pad}- {scalar_text(item, indent)}\n" for item in value)
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(f"{prefix}{key}: {value}\n")
        else:
            out.append(f"{prefix}{key}: {scalar_text(value, indent)}\n")
        prefix = pad


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


