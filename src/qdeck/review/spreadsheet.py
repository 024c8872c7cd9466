"""Pairs to judge as a CSV file for a spreadsheet, and the judged file read back into judgments."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from qdeck.errors import InputError
from qdeck.files import write_atomic
from qdeck.models import Question
from qdeck.review import store
from qdeck.review.candidates import Candidate
from qdeck.review.session import first_lines

PAIR_COLUMNS = (
    "rank", "reason", "score", "embedding", "merged", "vetoed",
    "ref_a", "source_a", "section_a", "level_a", "question_a", "answer_a",
    "ref_b", "source_b", "section_b", "level_b", "question_b", "answer_b",
    "verdict", "note",
)
REQUIRED = ("ref_a", "question_a", "ref_b", "question_b", "verdict", "note")


def _side(q: Question, suffix: str) -> dict[str, str]:
    return {f"ref_{suffix}": q.ref, f"source_{suffix}": q.source, f"section_{suffix}": q.section or "",
            f"level_{suffix}": q.level or "",
            f"question_{suffix}": q.text, f"answer_{suffix}": " / ".join(first_lines(q.answer))}


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def export_pairs(path: Path, candidates: Sequence[Candidate], questions: Mapping[str, Question],
                 resolved: Iterable[store.Resolved]) -> int:
    """Write every candidate (most uncertain first) with an empty verdict, or the verdict already
    given; judged pairs that are no candidate any more follow. Returns the number of rows."""
    verdicts = {frozenset(r.refs): r.judgment for r in resolved if r.refs is not None}
    rows = []
    listed = set()
    for rank, c in enumerate(candidates, 1):
        j = verdicts.get(c.key)
        rows.append({"rank": rank, "reason": c.reason, "score": f"{c.score:.3f}",
                     "embedding": "" if c.embedding is None else f"{c.embedding:.3f}",
                     "merged": "yes" if c.merged else "no", "vetoed": "yes" if c.vetoed else "no",
                     **_side(questions[c.a], "a"), **_side(questions[c.b], "b"),
                     "verdict": j.verdict if j else "", "note": j.note if j else ""})
        listed.add(c.key)
    for key, j in verdicts.items():
        if key not in listed:
            a, b = sorted(key)
            rows.append({"reason": "judged", **_side(questions[a], "a"), **_side(questions[b], "b"),
                         "verdict": j.verdict, "note": j.note})
    write_atomic(path, csv_text(PAIR_COLUMNS, rows).encode("utf-8"), what="export")
    return len(rows)


def read_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet counts it, row) for each data row; header checked."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the CSV ({err.__class__.__name__}); save it as UTF-8 CSV", path) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}; export again and keep the header", path)
        return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
    except csv.Error as err:
        raise InputError(f"not a readable CSV ({err})", path) from None


def import_pairs(path: Path, judgments: Sequence[store.Judgment],
                 questions: Mapping[str, Question]) -> tuple[tuple[store.Judgment, ...], int]:
    """The judgments with every row that has a verdict applied, and how many rows were applied.
    A row naming an unknown ref, a question reworded since the export, or a bad verdict is an error."""
    updated = tuple(judgments)
    seen: dict[frozenset[str], int] = {}
    applied = 0
    for line, row in read_rows(path, REQUIRED):
        verdict = row["verdict"].lower()
        if not verdict:
            continue
        where = f"row {line}"
        store.check_verdict(verdict, where, path)
        refs = []
        for side in ("a", "b"):
            ref = store.check_ref(row[f"ref_{side}"], where, path)
            if ref not in questions:
                raise InputError(f"{where}: unknown ref {ref}; export again from today's sources", path)
            if questions[ref].text != row[f"question_{side}"]:
                raise InputError(f"{where}: the question of {ref} changed since the export; export again", path)
            refs.append(ref)
        if refs[0] == refs[1]:
            raise InputError(f"{where}: a question cannot be judged against itself ({refs[0]})", path)
        key = frozenset(refs)
        if key in seen:
            raise InputError(f"{where}: {refs[0]} and {refs[1]} are judged again (first on row {seen[key]})", path)
        seen[key] = line
        texts = (questions[refs[0]].text, questions[refs[1]].text)
        updated = store.put(updated, store.Judgment((refs[0], refs[1]), texts, verdict, row["note"]))
        applied += 1
    return updated, applied
