"""The plain-text tables and JSON lines the CLI prints about sources, questions and written files; no click here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

from qdeck.ingest import SourceResult
from qdeck.models import Note, Question
from qdeck.outputs.story import deck_counts
from qdeck.outputs.tables import table

CATALOG_FIELDS = (
    "ref", "source", "number", "text", "answer", "section", "level",
    "code_task", "follow_up_of", "tier",
)


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


def notes_line(notes: Sequence[Note], questions: Sequence[Question]) -> str:
    """One line about the notes: how many, from how many questions, how many merged, how many answered."""
    return deck_counts(notes, questions).line()


def files_written(outputs: Sequence[tuple[str, Path]], written: Sequence[Path], previous: Path | None) -> str:
    """Each file a build makes, once: whether this build wrote it, and what it is.

    >>> print(files_written([("catalog", Path("b/c.jsonl")), ("package", Path("b/d.apkg"))],
    ...                     [Path("b/d.apkg")], Path("b/d.previous.apkg")))
    unchanged  b/c.jsonl  (catalog)
    wrote      b/d.apkg  (package)
    wrote      b/d.previous.apkg  (the package it replaced: the last release, which `qdeck diff` compares with)
    """
    done = set(written)
    lines = [f"{'wrote' if path in done else 'unchanged':9}  {path}  ({what})" for what, path in outputs]
    if previous is not None:
        lines.append(f"{'wrote':9}  {previous}  (the package it replaced: the last release, "
                     "which `qdeck diff` compares with)")
    return "\n".join(lines)


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
