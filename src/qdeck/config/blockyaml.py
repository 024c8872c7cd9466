"""The block YAML subset qdeck writes its own files in: one string as PyYAML writes it, and a fast reader.

The identity lock and the judgments file are written by qdeck in a fixed subset of YAML: block
mappings and lists, a list under a key at the key's own indent, plain and single-quoted
scalars, `|`/`|-` literal blocks, whole numbers, `[]`, `{}` and one-line lists of plain
scalars. `scalar_text` writes one string as PyYAML would, directly for the common strings.
PyYAML spent most of a cold build's reading on those two files (one call into Python per
scalar), so `read_block_yaml` reads the subset line by line.

It does not decide what YAML would: a plain `true`, `~` or `1e3` comes back as text. A caller
therefore accepts what it read only when writing it back gives the file's text exactly, which
proves PyYAML would have read the same data (its writer and PyYAML's agree, and PyYAML reads
back what it writes); anything else goes through PyYAML, with its line-numbered errors.

>>> read_block_yaml("a: 1\\nb:\\n- x: 'it''s'\\n  y: |-\\n    one\\n\\n    two\\nc: [p, q]\\nd: {}\\n")
{'a': 1, 'b': [{'x': "it's", 'y': 'one\\n\\ntwo'}], 'c': ['p', 'q'], 'd': {}}
>>> read_block_yaml("a: &x 1\\n") is None, read_block_yaml('a: "quoted"\\n') is None
(True, True)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

_NUMBER = re.compile(r"0|[1-9][0-9]*")
# Characters that start or end YAML syntax a plain one-line scalar of the subset never holds.
_NOT_PLAIN = re.compile(r"""^[-?:,\[\]{}#&*!|>'"%@`]|: |:$| #|^\s|\s$|\t""")
_FLOW_CHARS = re.compile(r"[,\[\]{}]")  # inside [a, b] they would end or nest an item


class NotInSubset(Exception):
    """A string the subset's writer does not handle: the caller writes it with PyYAML."""


# PyYAML's printable characters, less the line breaks other than \n and the byte-order mark.
_PRINTABLE = r"\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
# The lock's writer double-quotes these line breaks (YAML folds them elsewhere); libyaml escapes characters beyond the BMP.
_NEVER_FAST = re.compile("[\x85\u2028\u2029\U00010000-\U0010ffff]")
# Plain: no indicator first, no ": " or " #", no surrounding space, one line.
_PLAIN = re.compile(rf"[A-Za-z0-9_(/.$+-][{_PRINTABLE}]*")
_PLAIN_BREAKS = re.compile(r": |:$|\s#|\s$")
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
def scalar_text(value: str, indent: int) -> str:
    """One string as PyYAML writes it as a value at `indent` (the column of its key or list)."""
    if _NEVER_FAST.search(value):
        raise NotInSubset(value)
    if "\n" not in value:
        # A leading "-" or "." may be an indicator ("- a", "-", "---", "..."): the analyzer decides.
        if _PLAIN.fullmatch(value) and not _PLAIN_BREAKS.search(value) and value not in _NOT_STRINGS \
                and (value[0].isalpha() or (value[0] not in "-." and _reads_as_string(value))):
            return value
        # The rest take PyYAML's own analysis (slower, so only here), as its emitter decides.
        analysis = _ANALYZER.analyze_scalar(value)
        if analysis.multiline:
            raise NotInSubset(value)
        if analysis.allow_block_plain and not analysis.empty and _reads_as_string(value):
            return value
        if analysis.allow_single_quoted and len(value) < 50_000:
            return "'" + value.replace("'", "''") + "'"
    elif _BLOCK.fullmatch(value) and not _BLOCK_SPACES.search(value):
        body = value[:-1] if value.endswith("\n") else value
        pad = " " * (indent + 2)
        lines = "\n".join(pad + line if line else "" for line in body.split("\n"))
        return ("|\n" if value.endswith("\n") else "|-\n") + lines
    raise NotInSubset(value)


class _NotBlock(Exception):
    """A line outside the subset: the caller reads the file with PyYAML instead."""


def read_block_yaml(text: str) -> Any | None:
    """The data of a document in the writers' subset (comments only before it), else None."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    reader = _Reader(lines, start)
    try:
        data = reader.node(0)
    except (_NotBlock, IndexError, RecursionError, ValueError):  # PyYAML's path then says what is wrong
        return None
    return data if reader.i == len(lines) else None


class _Reader:
    """A cursor over the lines; each method reads one node and leaves the cursor after it."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.i = start

    def node(self, indent: int) -> Any:
        """The block node whose lines start at column `indent` (a list or a mapping)."""
        line = self.lines[self.i]
        if line.startswith("- ", indent):
            return self.sequence(indent)
        return self.mapping(indent)

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        lines, pad = self.lines, " " * indent + "- "
        while self.i < len(lines) and lines[self.i].startswith(pad):
            rest = lines[self.i][indent + 2:]
            if _key_of(rest) is not None:
                items.append(self.mapping(indent + 2, first=True))  # "- key: value" opens a mapping
            elif rest in ("|", "|-"):
                self.i += 1
                items.append(self.literal(indent + 2, keep=rest == "|"))
            else:
                items.append(_scalar(rest))
                self.i += 1
        return items

    def mapping(self, column: int, first: bool = False) -> dict[str, Any]:
        """A mapping with its keys at `column`; with `first`, the first key follows a "- " on its line."""
        out: dict[str, Any] = {}
        lines = self.lines
        while self.i < len(lines):
            line = lines[self.i]
            if first:
                first = False
            elif not (line.startswith(" " * column) and len(line) > column and line[column] not in " -"):
                break
            body = line[column:]
            key = _key_of(body)
            if key is None or key in out:
                raise _NotBlock(line)
            value = body[len(key) + 1:]
            self.i += 1
            if value == "":
                out[key] = self.child(column)
            elif value in (" |", " |-"):
                out[key] = self.literal(column + 2, keep=value == " |")
            elif value.startswith(" "):
                out[key] = _scalar(value[1:])
            else:
                raise _NotBlock(line)
        return out

    def child(self, column: int) -> Any:
        """What follows `key:` alone on its line: a list at the key's column or a deeper mapping."""
        line = self.lines[self.i]
        if line.startswith("- ", column) and line[:column].strip() == "":
            return self.sequence(column)
        if line.startswith(" " * (column + 2)) and line[column + 2] not in " -":
            return self.mapping(column + 2)
        raise _NotBlock(line)

    def literal(self, indent: int, keep: bool) -> str:
        """A literal block's lines at `indent` (blank lines inside it are empty lines)."""
        lines, pad, body = self.lines, " " * indent, []
        while self.i < len(lines) and (lines[self.i].startswith(pad) or lines[self.i] == ""):
            body.append(lines[self.i][indent:])
            self.i += 1
        if not body or body[-1] == "":  # the writers emit neither
            raise _NotBlock("an empty literal block, or blank lines after one")
        return "\n".join(body) + ("\n" if keep else "")


def _key_of(body: str) -> str | None:
    """The plain key a `key: value` or `key:` line starts with, or None."""
    colon = body.find(":")
    if colon <= 0 or (colon + 1 < len(body) and body[colon + 1] != " "):
        return None
    key = body[:colon]
    return None if _NOT_PLAIN.search(key) else key


def _scalar(text: str) -> Any:
    """A one-line value of the subset: a plain or single-quoted scalar, a number, [], {} or [a, b]."""
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'") or "'" in text[1:-1].replace("''", ""):
            raise _NotBlock(text)
        return text[1:-1].replace("''", "'")
    if _NUMBER.fullmatch(text):
        return int(text)
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if text.startswith("[") and text.endswith("]"):
        items = text[1:-1].split(", ")
        if not all(item and not _NOT_PLAIN.search(item) and not _FLOW_CHARS.search(item) for item in items):
            raise _NotBlock(text)
        return items
    if _NOT_PLAIN.search(text):
        raise _NotBlock(text)
    return text
