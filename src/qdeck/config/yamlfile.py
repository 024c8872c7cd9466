"""Read hand-written YAML safely: capped size, no aliases or anchors, no duplicate keys, lines in errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import yaml

from qdeck.errors import InputError, QdeckError

# The largest hand-written file (data/taxonomy.yaml) is 30 KB; 1 MiB is 30x that and still reads
# in a blink. Machine-written files (the lock) pass their own cap.
MAX_CONFIG_BYTES = 1 << 20

# libyaml (bundled in PyYAML's wheels) parses ~10x faster than pure Python.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses a key given twice: the second would silently replace the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the constructor below reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice",
                                                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path, *, what: str = "the file", missing: str = "file not found",
              max_bytes: int = MAX_CONFIG_BYTES, error: type[QdeckError] = InputError) -> str:
    """A file's UTF-8 text, read no further than `max_bytes`, or one error naming the file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(missing, path) from None
    except IsADirectoryError:
        raise error(f"cannot read {what}: it is a folder; name a YAML file", path) from None
    except OSError as err:
        raise error(f"cannot read {what} ({err.strerror or err.__class__.__name__})", path) from None
    if len(raw) > max_bytes:
        raise error(f"{what} is larger than {max_bytes:,} bytes; it cannot be hand-written config, "
                    "check that it is the right file", path)
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise error(f"cannot read {what}: line {line} is not UTF-8; re-save it as UTF-8", path) from None


def parse_yaml(text: str, path: Path, *, what: str = "the file", aliases: bool = False,
               error: type[QdeckError] = InputError) -> Any:
    """Parse YAML text into plain Python data; every problem is one error naming the file and line.

    Without `aliases`, an anchor (`&a`) or alias (`*a`) is refused before anything is built:
    hand-written config never needs them, and a few aliased lines expand to gigabytes.
    """
    if not aliases and ("&" in text or "*" in text):  # neither can occur without one of these
        _refuse_aliases(text, path, what, error)
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as err:
        raise error(_yaml_problem(err, what), path) from None
    except RecursionError:
        raise error(f"{what} is nested too deeply to be config", path) from None
    except ValueError:  # Python refuses to read a whole number of over 4,300 digits
        raise error(f"{long_number_line(text)}malformed YAML (a number too long to read); fix {what}",
                    path) from None
    finally:
        loader.dispose()


def read_yaml(path: Path, *, what: str = "the file", missing: str = "file not found",
              max_bytes: int = MAX_CONFIG_BYTES, aliases: bool = False,
              error: type[QdeckError] = InputError) -> Any:
    """Read and parse a YAML file (see read_text and parse_yaml); the loader every data file goes through."""
    text = read_text(path, what=what, missing=missing, max_bytes=max_bytes, error=error)
    return parse_yaml(text, path, what=what, aliases=aliases, error=error)


def _refuse_aliases(text: str, path: Path, what: str, error: type[QdeckError]) -> None:
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                raise error(f"line {event.start_mark.line + 1}: YAML {kind} `{event.anchor}`; "
                            f"{what} must spell every value out (no `&`/`*` anchors or aliases)", path)
    except yaml.YAMLError as err:
        raise error(_yaml_problem(err, what), path) from None


def long_number_line(text: str) -> str:
    """ "line N: " for the first run of digits Python will not read as one number, else ""."""
    found = re.search(r"\d{4301,}", text)
    if found is None:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    return f"line {line}: "


def _yaml_problem(err: yaml.YAMLError, what: str) -> str:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or "not valid YAML"
    where = f"line {mark.line + 1}: " if mark is not None else ""
    return f"{where}malformed YAML ({problem}); fix {what}"


def line_of(text: str, loc: Sequence[str | int]) -> int | None:
    """The line (from 1) of the entry at `loc` (keys and list indexes), or of its nearest parent.

    >>> line_of("a:\\n  b: [1, 2]\\n  c:\\n    - x\\n    - y\\n", ("a", "c", 1))
    5
    >>> line_of("a:\\n  b: 1\\n", ("a", "zz"))
    1
    """
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((key, value) for key, value in node.value
                         if isinstance(key, yaml.ScalarNode) and key.value == str(part)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]  # a key's line, where a reader looks
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
