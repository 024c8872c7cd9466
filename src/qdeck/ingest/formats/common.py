"""Shared bookkeeping for line-based parsers: every non-blank line ends up accounted for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from qdeck.models import Parsed, Question, Skipped


def compile_option(options: Mapping[str, Any], key: str) -> re.Pattern[str] | None:
    """A regex option of a source, or None where the source does not set it."""
    value = options.get(key)
    return re.compile(value) if value else None


def compile_list(options: Mapping[str, Any], key: str) -> list[re.Pattern[str]]:
    value = options.get(key) or []
    return [re.compile(v) for v in ([value] if isinstance(value, str) else value)]


def number_warnings(questions: list[Question], source: str) -> list[str]:
    """Duplicate or backwards numbers usually mean a mangled list: say so."""
    warnings: list[str] = []
    seen: dict[str, int] = {}
    previous: tuple[int, ...] | None = None
    for q in questions:
        if q.follow_up_of:
            continue
        if q.number in seen:
            warnings.append(f"{source}: number {q.number} appears twice (lines {seen[q.number]} and {q.line})")
        seen.setdefault(q.number, q.line)
        try:  # "2.10" comes after "2.9": dotted numbers compare part by part
            value = tuple(int(part) for part in q.number.split("."))
        except ValueError:
            continue
        if previous is not None and value < previous:
            warnings.append(f"{source}: number {q.number} at line {q.line} goes backwards")
        previous = value
    return warnings


@dataclass
class Ledger:
    """Collects questions, headings and skipped lines while a parser walks a file."""

    source: str
    questions: list[Question] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    consumed: list[int] = field(default_factory=list)

    def take(self, line: int) -> None:
        """Mark a line as part of a question or answer."""
        self.consumed.append(line)

    def skip(self, line: int, text: str, reason: str) -> None:
        self.skipped.append(Skipped(line, text.strip(), reason))

    def result(self) -> Parsed:
        self.warnings.extend(number_warnings(self.questions, self.source))
        return Parsed(
            questions=tuple(self.questions),
            skipped=tuple(self.skipped),
            heading_lines=tuple(self.headings),
            warnings=tuple(self.warnings),
            consumed=tuple(self.consumed),
        )
