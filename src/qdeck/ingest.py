"""Ingest stage: read every declared source file and parse it into questions with provenance."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import yaml

from qdeck import cache, progress
from qdeck.config import Format, SourceSpec
from qdeck.errors import InputError
from qdeck.formats import deepdive, markdown, numbered, qa, structured
from qdeck.models import Parsed, Question

Parser = Callable[[list[str], SourceSpec], Parsed]

# The five lists' longest question is 241 characters (levels-415#953) and their longest answer
# 2,639 (deep-dive-71#22). Four times that is no question or answer a person wrote for a card:
# almost always lines a parser ran together. Far beyond it, the card would be unusable.
LONG_QUESTION, LONG_ANSWER = 1_000, 10_000  # a warning with the ref
MAX_QUESTION, MAX_ANSWER = 10_000, 100_000  # an error: the source is not what its format says

PARSERS: dict[Format, Parser] = {
    Format.NUMBERED: numbered.parse,
    Format.QA: qa.parse,
    Format.DEEP_DIVE: deepdive.parse,
    Format.CSV: structured.parse_csv,
    Format.YAML: structured.parse_yaml,
    Format.JSON: structured.parse_json,
    Format.MARKDOWN: markdown.parse,
}


@dataclass(frozen=True)
class SourceResult:
    """One source after parsing: its spec, what the parser found, and its line count."""

    spec: SourceSpec
    parsed: Parsed
    nonblank_lines: int
    cache_key: str = ""  # what the parse was cached under; later stages may key on it

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.parsed.questions


def read_text(spec: SourceSpec) -> str:
    """The source's text, or an InputError that says what is wrong and what to do."""
    path = spec.file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"source {spec.name!r}: file not found; fix `file:` in data/sources.yaml or add the file", path
        ) from None
    except OSError as err:
        raise InputError(f"source {spec.name!r}: cannot read the file ({err.strerror})", path) from None
    if not raw.strip():
        raise InputError(f"source {spec.name!r}: the file is empty; add questions or remove the source", path)
    if b"\x00" in raw:
        raise InputError(f"source {spec.name!r}: not a text file (it holds NUL bytes); point `file:` at a text list", path)
    try:
        return raw.decode(spec.encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            f"source {spec.name!r}: line {line} is not valid {spec.encoding}; "
            "re-save it as UTF-8 or set `encoding:` (e.g. cp1252) for it in data/sources.yaml",
            path,
        ) from None
    except LookupError:
        raise InputError(f"source {spec.name!r}: unknown encoding {spec.encoding!r}", path) from None


def parse_source(spec: SourceSpec) -> SourceResult:
    """Read and parse one source; a source that yields no question is an error."""
    text = read_text(spec)
    lines = text.splitlines()
    key = cache.key_of(text, spec, *(_option_file_bytes(spec)))
    parsed = cache.load_parsed(key)
    if parsed is None:
        parsed = _parse(lines, spec)
        if parsed.questions:
            cache.store_parsed(key, parsed)
    if not parsed.questions:
        raise InputError(
            f"source {spec.name!r}: the {spec.format.value} parser found no questions; "
            "check `format:` and its options in data/sources.yaml",
            spec.file,
        )
    long = length_warnings(parsed.questions, spec)
    if long:
        parsed = replace(parsed, warnings=(*parsed.warnings, *long))
    return SourceResult(spec, parsed, sum(1 for line in lines if line.strip()), key)


def length_warnings(questions: tuple[Question, ...], spec: SourceSpec) -> list[str]:
    """A warning per over-long question or answer; an InputError for one no card could hold."""
    warnings = []
    for q in questions:
        for what, size, long, most in (("question", len(q.text) + len(q.code_task or ""), LONG_QUESTION, MAX_QUESTION),
                                       ("answer", len(q.answer), LONG_ANSWER, MAX_ANSWER)):
            if size > most:
                raise InputError(f"source {spec.name!r}: line {q.line}: {q.ref} has a {size:,}-character {what} "
                                 f"(at most {most:,}); the file is not a {spec.format.value} list there, fix it",
                                 spec.file)
            if size > long:
                warnings.append(f"{q.ref}: the {what} is {size:,} characters long (line {q.line}); "
                                f"over {long:,} is usually a parse error, check the source")
    return warnings


def _option_file_bytes(spec: SourceSpec) -> list[bytes]:
    """The bytes of files a source's options name (deep-dive titles): part of its cache key."""
    out = []
    for value in spec.options.values():
        if isinstance(value, Path):
            try:
                out.append(value.read_bytes())
            except OSError:
                out.append(b"<unreadable>")
    return out


def _parse(lines: list[str], spec: SourceSpec) -> Parsed:
    try:
        return PARSERS[spec.format](lines, spec)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(f"source {spec.name!r}: {where}malformed YAML; fix the file", spec.file) from None
    except json.JSONDecodeError as err:
        raise InputError(f"source {spec.name!r}: line {err.lineno}: malformed JSON ({err.msg})", spec.file) from None
    except (KeyError, TypeError, ValueError, IndexError, re.error) as err:
        # A parser option in data/sources.yaml is wrong (bad regex, missing group, ...).
        raise InputError(
            f"source {spec.name!r}: the {spec.format.value} parser cannot use its options ({err}); "
            "check them in data/sources.yaml",
            spec.file,
        ) from None


def ingest(specs: tuple[SourceSpec, ...]) -> list[SourceResult]:
    """The ingest stage: every source, in recipe order."""
    results = []
    for done, spec in enumerate(specs):
        progress.tick(f"reading {spec.name}, source", done + 1, len(specs))
        results.append(parse_source(spec))
    return results

