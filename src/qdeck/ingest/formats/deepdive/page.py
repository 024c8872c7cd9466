"""A deep-dive page as a whole: its sections, its answers, and the title each answer gets from the titles file."""

from __future__ import annotations

import re
from typing import Any

from qdeck.errors import InputError
from qdeck.ingest.formats.common import Ledger
from qdeck.ingest.formats.deepdive.answer import ANSWER, Answer, parse_answer
from qdeck.models import Parsed
from qdeck.parallel import SERIAL, Pool
from qdeck.text import clean_heading

_HEADING = re.compile(r"^\d{1,2}\.\s+\S")


def parse(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    """Parse a deep-dive page; the titles come from `spec.titles` (config.Titles, read by the config layer).

    Never raises on the page text itself; only a spec without titles is an InputError.
    """
    titles = getattr(spec, "titles", None)
    if titles is None:
        raise InputError(f"source {spec.name!r}: the deep-dive format needs a `titles:` option naming its titles file")
    ledger = Ledger(spec.name)
    used: set[int] = set()
    for answer in _answers(lines, ledger):
        number = len(used) + 1
        used.add(number)
        title = titles.by_number.get(number)
        if title is None:
            title = f"(untitled answer {number})"
            ledger.warnings.append(
                f"{spec.name}#{number}: no title in {titles.path.name} (answer at line {answer.line}); "
                "add one there"
            )
        ledger.questions.extend(answer.questions(spec.name, number, title, ledger.warnings))
    for number in sorted(set(titles.by_number) - used):
        ledger.warnings.append(f"{titles.path.name}: title {number} matches no answer in {spec.name}")
    return ledger.result()


def _is_heading(lines: list[str], i: int) -> bool:
    """A section title is a bare "N. Title" line standing between blank lines."""
    if not _HEADING.match(lines[i]):
        return False
    before_blank = i == 0 or not lines[i - 1].strip()
    after_blank = i == len(lines) - 1 or not lines[i + 1].strip()
    return before_blank and after_blank


def _answers(lines: list[str], ledger: Ledger) -> list[Answer]:
    """Split the page into answers; headings and stray lines go to the ledger."""
    answers: list[Answer] = []
    section: str | None = None
    start: int | None = None
    seen_structure = False

    def close(end: int) -> None:
        if start is not None:
            answers.append(parse_answer(lines, start, end, section))

    for i, raw in enumerate(lines):
        if ANSWER.match(raw):
            close(i)
            start, seen_structure = i, True
            ledger.take(i + 1)
        elif _is_heading(lines, i):
            close(i)
            start, seen_structure = None, True
            section = clean_heading(raw) or raw.strip()
            ledger.headings.append(i + 1)
        elif not raw.strip():
            continue
        elif start is not None:
            ledger.take(i + 1)
        else:
            reason = "text outside any answer" if seen_structure else "page boilerplate before the first section"
            ledger.skip(i + 1, raw, reason)
    close(len(lines))
    return answers
