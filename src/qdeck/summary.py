"""Plain-text tables and JSON lines that the CLI prints; no click here."""

from __future__ import annotations

import json
from typing import Iterable, Sequence

from qdeck.ingest import SourceResult
from qdeck.models import Note, Question

CATALOG_FIELDS = (
    "ref", "source", "number", "text", "answer", "section", "level",
    "code_task", "follow_up_of", "tier",
)


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns; numbers right-aligned.

    >>> print(table(["name", "n"], [["a", 1], ["bb", 22]]))
    name   n
    a      1
    bb    22
    """
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(r[i].isdigit() for r in cells[1:]) and len(cells) > 1 for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def source_rows(results: Sequence[SourceResult]) -> list[list[object]]:
    rows: list[list[object]] = []
    for r in results:
        qs = r.questions
        rows.append([
            r.spec.name,
            r.spec.format.value,
            sum(1 for q in qs if not q.follow_up_of),
            sum(1 for q in qs if q.answer and not q.follow_up_of),
            sum(1 for q in qs if q.follow_up_of),
            len(r.parsed.skipped),
            len(r.parsed.warnings),
        ])
    return rows


def sources_table(results: Sequence[SourceResult]) -> str:
    header = ["source", "format", "questions", "answers", "follow-ups", "skipped", "warnings"]
    rows = source_rows(results)
    totals = ["total", ""] + [sum(int(r[i]) for r in rows) for i in range(2, len(header))]
    return table(header, rows + [totals])


def notes_line(notes: Sequence[Note]) -> str:
    """One line about the notes: how many, how many questions merged, how many answered."""
    active = [n for n in notes if n.status == "active"]
    merged = [n for n in active if len(n.refs) > 1]
    answered = sum(1 for n in active if n.answer.strip())
    return (
        f"notes: {len(active)} ({sum(len(n.refs) for n in merged)} questions merged into {len(merged)} notes), "
        f"{answered} notes with answers"
    )


def skipped_lines(results: Sequence[SourceResult]) -> str:
    return "\n".join(
        f"{r.spec.name}:{s.line}: {s.reason}: {s.text}" for r in results for s in r.parsed.skipped
    )


def warnings(results: Sequence[SourceResult]) -> list[str]:
    return [w for r in results for w in r.parsed.warnings]


def question_record(q: Question) -> dict[str, object]:
    return {name: getattr(q, name) for name in CATALOG_FIELDS}


def questions_jsonl(questions: Iterable[Question]) -> str:
    return "\n".join(json.dumps(question_record(q), ensure_ascii=False) for q in questions)


def questions_table(questions: Iterable[Question], width: int = 90) -> str:
    rows = []
    for q in questions:
        text = q.text if len(q.text) <= width else q.text[: width - 1] + "…"
        rows.append([q.ref, q.tier or "-", text])
    return table(["ref", "tier", "question"], rows)
