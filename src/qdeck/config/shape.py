"""Check parsed YAML against its declared shape and turn any mismatch into one line with the file's line.

The shapes (config/schema.py) are msgspec Structs: one declaration gives types, allowed values
(enums, literals, patterns, ranges), required and unknown keys, and a frozen object to hand on.
msgspec was chosen over pydantic v2 because it covers the same checks and costs far less at
start-up, which every command pays: importing it and declaring twenty shapes took 110 ms against
pydantic's 590 ms here (2 busy cores, best of 7). Its one gap, error paths that say `[...]`
instead of naming a mapping's key, is closed below by finding the entry that fails.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, Sequence, TypeVar

import msgspec

from qdeck.config.yamlfile import MAX_CONFIG_BYTES, line_of, parse_yaml, read_text
from qdeck.errors import InputError, QdeckError

T = TypeVar("T")
R = TypeVar("R")

Loc = tuple[str | int, ...]


class Invalid(Exception):
    """A value at `loc` (keys and list indexes from the top of the file) is not what the file needs."""

    def __init__(self, loc: Sequence[str | int], message: str, at: Sequence[str | int] | None = None) -> None:
        self.loc: Loc = tuple(loc)
        self.at: Loc = tuple(loc if at is None else at)  # where the line is (an unknown key: the key's own)
        self.message = message
        super().__init__(f"{dotted(self.loc)}: {message}" if self.loc else message)


def dotted(loc: Sequence[str | int]) -> str:
    """A location as a reader writes it.

    >>> dotted(("sources", 0, "tiers"))
    'sources[0].tiers'
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def convert(data: Any, shape: type[T], loc: Sequence[str | int] = ()) -> T:
    """`data` as `shape` (strict: no type is coerced), or Invalid naming the first wrong entry."""
    try:
        return msgspec.convert(data, shape, strict=True)
    except msgspec.ValidationError as err:
        raise _explain(data, shape, str(err), tuple(loc)) from None


@dataclass(frozen=True)
class Checked(Generic[T]):
    """A data file read and checked once: its path, its text (for the line of a later error) and its value."""

    path: Path
    text: str
    value: T
    error: type[QdeckError] = InputError

    def build(self, build: Callable[[T], R]) -> R:
        """`build(value)`; an Invalid it raises (what a shape cannot say) becomes one error with the line."""
        try:
            return build(self.value)
        except Invalid as err:
            raise self.fail(err) from None

    def fail(self, err: Invalid) -> QdeckError:
        line = line_of(self.text, err.at)
        return self.error(f"line {line}: {err}" if line else str(err), self.path)


def check(path: Path, shape: type[T], *, what: str = "the file", missing: str = "file not found",
          empty: Any = None, max_bytes: int = MAX_CONFIG_BYTES, error: type[QdeckError] = InputError) -> Checked[T]:
    """Read a YAML file once and check it against `shape`; an empty file counts as `empty` when given."""
    text = read_text(path, what=what, missing=missing, max_bytes=max_bytes, error=error)
    data = parse_yaml(text, path, what=what, error=error)
    checked = Checked(path, text, data, error)
    try:
        return Checked(path, text, convert(empty if data is None and empty is not None else data, shape), error)
    except Invalid as err:
        raise checked.fail(err) from None


def load(path: Path, shape: type[T], *, build: Callable[[T], R] | None = None, what: str = "the file",
         missing: str = "file not found", empty: Any = None, max_bytes: int = MAX_CONFIG_BYTES,
         error: type[QdeckError] = InputError) -> R | T:
    """check() a file and hand `build` the checked value (see Checked.build); every problem is one error."""
    checked = check(path, shape, what=what, missing=missing, empty=empty, max_bytes=max_bytes, error=error)
    return checked.build(build) if build is not None else checked.value


# ------------------------------------------------------------------------- explaining an error

_ERROR = re.compile(r"^(?P<message>.*?)(?: - at `(?P<key>key)` in `(?P<keypath>[^`]*)`| - at `(?P<path>[^`]*)`)?$",
                    re.DOTALL)
_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+|\.\.\.)\]")
_WORDS = {"object": "a mapping", "array": "a list", "str": "text", "int": "a whole number", "float": "a number",
          "bool": "true or false", "null": "nothing"}


def _explain(data: Any, shape: Any, text: str, prefix: Loc) -> Invalid:
    """The entry msgspec's message points at, walking `data` and `shape` side by side."""
    match = _ERROR.match(text)
    assert match is not None  # the pattern matches any text
    message, path = match["message"], match["path"] or match["keypath"] or "$"
    loc, value, kind = list(prefix), data, shape
    for name, index in _STEP.findall(path):
        kind = _pick(kind, value)
        if name:
            loc.append(name)
            value, kind = _get(value, name), _field_type(kind, name)
        elif index == "...":  # a mapping's value: find the entry that fails
            key_type, value_type = _dict_args(kind)
            for key, item in value.items() if isinstance(value, dict) else ():
                try:
                    msgspec.convert(item, value_type, strict=True)
                except msgspec.ValidationError as inner:
                    return _explain(item, value_type, str(inner), (*loc, key))
            return Invalid(loc, _words(message))
        else:
            loc.append(int(index))
            value, kind = _get(value, int(index)), _item_type(kind, int(index))
    if match["key"]:
        key_type, _ = _dict_args(_pick(kind, value))
        for key in value if isinstance(value, dict) else ():
            try:
                msgspec.convert(key, key_type, strict=True)
            except msgspec.ValidationError:
                return Invalid((*loc, key), f"the key {key!r} should be {_describe(key_type, _words(message))}")
    if found := re.match(r"Object contains unknown field `(.*)`$", message):
        known = ", ".join(_fields(_pick(kind, value)))
        return Invalid(loc, f"unknown key `{found[1]}`" + (f"; the keys here are: {known}" if known else ""),
                       at=(*loc, found[1]))
    return Invalid(loc, _message(message, value, _pick(kind, value)))


def _message(message: str, value: Any, kind: Any) -> str:
    if found := re.match(r"Object missing required field `(.*)`$", message):
        return f"missing the required key `{found[1]}`"
    got = _got(value)
    if found := re.match(r"Expected `([^`]*)`, got `[^`]*`$", message):
        hint = ""
        if isinstance(value, bool):
            hint = "; quote it (YAML reads a bare yes/no/on/off as true/false)"
        elif isinstance(value, (int, float)) and "str" in found[1]:
            hint = "; quote it (YAML reads it as a number)"
        return f"expected {_describe(kind, _type_words(found[1]))}, got {got}{hint}"
    if message.startswith("Invalid enum value"):
        return f"expected one of {', '.join(map(str, _choices(kind)))}, got {got}"
    return f"expected {_describe(kind, _words(message))}, got {got}"


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text):,} characters)"


def _type_words(names: str) -> str:
    return " or ".join(_WORDS.get(name, name) for name in names.split(" | "))


def _words(message: str) -> str:
    """msgspec's constraint wording, in the words of this file's messages."""
    text = re.sub(r"^Expected ", "", message)
    return re.sub(r"`([^`]*)`", lambda m: _type_words(m[1]), text)


# ------------------------------------------------------------------------- walking a shape


def _strip(kind: Any) -> tuple[Any, str]:
    """The type inside Annotated, and the description its Meta gives, if any."""
    description = ""
    while typing.get_origin(kind) is typing.Annotated:
        for meta in getattr(kind, "__metadata__", ()):
            description = getattr(meta, "description", None) or description
        kind = typing.get_args(kind)[0]
    return kind, description


def _describe(kind: Any, fallback: str) -> str:
    return _strip(kind)[1] or fallback


def _pick(kind: Any, value: Any) -> Any:
    """The member of a union that fits the value's kind (a mapping, a list, a scalar), to describe it."""
    base, _ = _strip(kind)
    if typing.get_origin(base) in (typing.Union, types.UnionType):
        members = typing.get_args(base)
        given = [m for m in members if m is not type(None)]
        if value is not None and len(given) == 1:  # `X | None` given something: it should have been an X
            return given[0]
        for member in members:
            inner, _ = _strip(member)
            origin = typing.get_origin(inner) or inner
            if isinstance(value, dict) and (origin is dict or _is_struct(inner)):
                return member
            if isinstance(value, list) and origin in (list, tuple):
                return member
        return kind
    return kind


def _is_struct(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def _fields(kind: Any) -> tuple[str, ...]:
    base, _ = _strip(kind)
    return base.__struct_fields__ if _is_struct(base) else ()


def _field_type(kind: Any, name: str) -> Any:
    base, _ = _strip(kind)
    return typing.get_type_hints(base, include_extras=True).get(name, Any) if _is_struct(base) else Any


def _item_type(kind: Any, index: int) -> Any:
    base, _ = _strip(kind)
    args = typing.get_args(base)
    if typing.get_origin(base) is tuple and args and args[-1] is not Ellipsis:
        return args[index] if index < len(args) else Any
    return args[0] if args else Any


def _dict_args(kind: Any) -> tuple[Any, Any]:
    base, _ = _strip(kind)
    args = typing.get_args(base)
    return (args[0], args[1]) if len(args) == 2 else (Any, Any)


def _choices(kind: Any) -> tuple[Any, ...]:
    base, _ = _strip(kind)
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return tuple(member.value for member in base)
    if typing.get_origin(base) is typing.Literal:
        return typing.get_args(base)
    return ()


def _get(value: Any, step: str | int) -> Any:
    try:
        return value[step]
    except (KeyError, IndexError, TypeError):
        return None
