"""The ingest stage: every source read, parsed (or taken from the cache) and checked for over-long texts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from qdeck.cache import OFF, Cache
from qdeck.config import SourceSpec
from qdeck.errors import InputError
from qdeck.ingest.dispatch import parse_lines
from qdeck.ingest.source import read_text
from qdeck.models import Parsed, Question
from qdeck.parallel import SERIAL, Pool

# The five lists' longest question is 241 characters (levels-415#953) and their longest answer
# 2,639 (deep-dive-71#22). Four times that is no question or answer a person wrote for a card:
# almost always lines a parser ran together. Far beyond it, the card would be unusable.
LONG_QUESTION, LONG_ANSWER = 1_000, 10_000  # a warning with the ref
MAX_QUESTION, MAX_ANSWER = 10_000, 100_000  # an error: the source is not what its format says


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


def parse_source(spec: SourceSpec, cache: Cache = OFF, pool: Pool = SERIAL) -> SourceResult:
    """Read and parse one source (or take its parse from `cache`); a source that yields no question is an error."""
    text = read_text(spec)
    lines = text.splitlines()
    key = cache.key_of(text, spec, *(_option_file_bytes(spec)))
    parsed = cache.load_parsed(key)
    if parsed is None:
        parsed = parse_lines(lines, spec, pool)
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


def ingest(specs: tuple[SourceSpec, ...], cache: Cache = OFF, pool: Pool = SERIAL) -> list[SourceResult]:
    """The ingest stage: every source, in recipe order."""
    results = []
    for done, spec in enumerate(specs):
        pool.tick(f"reading {spec.name}, source", done + 1, len(specs))
        results.append(parse_source(spec, cache, pool))
    return results

