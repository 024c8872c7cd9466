"""Set entries of data/overrides.yaml's `tier:` and `topics:` mappings in place: comments, order
and the other keys stay as the maintainers wrote them; the result is read back before it is written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

from qdeck.config import read_yaml
from qdeck.config.blockyaml import NotInSubset, scalar_text
from qdeck.errors import InputError
from qdeck.files import write_atomic

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*):(.*)$")
_ENTRY = re.compile(r"^\s+(['\"]?)([^'\"\s#:][^'\":]*?)\1:\s")
# json.dumps leaves these raw; YAML refuses them in a file, or reads NEL as a line break to fold.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_HEADER = "# Maintainers' corrections to the pipeline, by ref (<source>#<number>); see README \"Fixing merges\".\n"


def flow(value: Any) -> str:
    """A YAML value on one line, quoted only when it must be: `2-junior`, `[basics, testing]`.

    >>> flow("a: b"), flow(["x", "y"])
    ("'a: b'", '[x, y]')
    """
    if isinstance(value, str) and "\n" in value and not _RAW_IN_JSON.search(value):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    if isinstance(value, str) and "\n" not in value and len(value) < 50_000:  # longer, PyYAML would fold it
        try:
            return scalar_text(value, 0)  # what PyYAML writes, directly: judgments are 18,000 strings
        except NotInSubset:
            pass
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 16)
    # Only the line break and the end marker go: .strip() would also eat a leading or trailing NBSP.
    text = text.removesuffix("\n...\n") if text.endswith("\n...\n") else text.removesuffix("\n")
    # Folded at a space, or a raw NEL (PyYAML's single quotes leave it, and YAML reads it as a
    # break to fold): double quotes escape either onto one line.
    if "\n" in text or "\x85" in text:
        text = yaml.safe_dump(value, default_style='"', default_flow_style=True, allow_unicode=True,
                              width=float("inf")).removesuffix("\n")
    return text


def _entry(ref: str, value: Any) -> str:
    return f"  {flow(ref)}: {flow(value)}\n"


def set_entries(text: str, key: str, entries: Mapping[str, Any]) -> str:
    """`text` with `key:`'s mapping holding `entries` (ref -> value): an entry already there is
    rewritten on its own line, a new one goes at the end of the block, and a value of None
    removes its entry.

    >>> print(set_entries("merge: []\\ntier: {}\\ntopics: {}\\n", "tier", {"a#1": "2-junior"}), end="")
    merge: []
    tier:
      a#1: 2-junior
    topics: {}
    >>> print(set_entries("tier:\\n  # why\\n  a#1: 1-beginner\\n", "tier", {"a#1": "3-mid", "b#2": "4-senior"}), end="")
    tier:
      # why
      a#1: 3-mid
      b#2: 4-senior
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _TOP_KEY.match(line) and line.split(":")[0] == key), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return "".join(lines) + f"{key}:\n" + "".join(_entry(r, v) for r, v in entries.items())
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
    rest = _TOP_KEY.match(lines[start]).group(2).split("#")[0].strip()  # type: ignore[union-attr]
    block = lines[start + 1:end]
    if rest:  # a flow mapping on the key's line (`tier: {}`): rewrite the block in block style
        current = yaml.safe_load(f"{key}: {rest}")[key] or {}
        block = [_entry(str(r), v) for r, v in current.items()]
    todo = dict(entries)
    for i, line in enumerate(block):
        m = _ENTRY.match(line)
        if m and m.group(2).strip() in todo:
            ref = m.group(2).strip()
            value = todo.pop(ref)
            block[i] = "" if value is None else _entry(ref, value)
    todo = {r: v for r, v in todo.items() if v is not None}
    if not todo and not any(_ENTRY.match(line) for line in block):
        return "".join(lines[:start] + [f"{key}: {{}}\n"] + [b for b in block if b.strip()] + lines[end:])
    # New entries go after the last entry, before any trailing blank or comment lines of the block.
    last = max((i for i, line in enumerate(block) if _ENTRY.match(line)), default=-1)
    block[last + 1:last + 1] = [_entry(r, v) for r, v in todo.items()]
    return "".join(lines[:start] + [f"{key}:\n"] + block + lines[end:])


def update(path: Path, key: str, entries: Mapping[str, Any]) -> bool:
    """Set `entries` under `key` in the overrides file (made when missing), atomically."""
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    if path.exists():
        read_yaml(path, what="the overrides file")  # malformed: one clear line before anything is written
    new = set_entries(text, key, entries)
    try:
        written = yaml.safe_load(new) or {}
    except yaml.YAMLError:
        written = None
    if not isinstance(written, Mapping) or any((written.get(key) or {}).get(r) != v for r, v in entries.items()):
        raise InputError(f"cannot update `{key}:` here without losing its layout; edit it by hand", path)
    return write_atomic(path, new.encode("utf-8"), what="overrides file")
