"""Plain structured lists a user reaches for: CSV, YAML or JSON rows with question, answer, tier, topics.

Each row may also carry `number`, `section`, `level` and `code_task`. A row's tier is a
tier slug of the taxonomy (`2-junior`, from `spec.known_tiers`) or a key of the source's `tiers:` map.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Mapping

from qdeck.config.yamlfile import parse_yaml as yaml_data
from qdeck.ingest.formats.common import Ledger
from qdeck.models import Parsed, Question
from qdeck.parallel import SERIAL, Pool


def _topics(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value or "").replace(";", ",").split(",")
    return tuple(t.strip() for t in items if str(t).strip())


def _tier(value: Any, spec: Any) -> str | None:
    if value in (None, ""):
        return None
    key = str(value).strip()
    if key in spec.tiers:
        return spec.tiers[key]
    return key if key in spec.known_tiers else None


def _rows_to_questions(rows: Iterable[tuple[int, Any]], spec: Any) -> Parsed:
    ledger = Ledger(spec.name)
    for index, (lineno, row) in enumerate(rows, 1):
        text = str(row.get("question") or "").strip() if isinstance(row, Mapping) else ""
        if not text:
            ledger.skip(lineno, json.dumps(row, ensure_ascii=False, default=str)[:200], "row without a question")
            continue
        ledger.take(lineno)
        number = str(row.get("number") or index).strip()
        tier_value = row.get("tier")
        tier = _tier(tier_value, spec)
        if tier_value not in (None, "") and tier is None:
            ledger.warnings.append(f"{spec.name}: line {lineno}: unknown tier {tier_value!r} ignored")
        ledger.questions.append(
            Question(
                ref=f"{spec.name}#{number}",
                source=spec.name,
                number=number,
                text=text,
                line=lineno,
                answer=str(row.get("answer") or "").strip(),
                section=str(row["section"]).strip() if row.get("section") else None,
                level=str(row["level"]).strip() if row.get("level") else None,
                tier=tier,
                code_task=str(row["code_task"]).strip() if row.get("code_task") else None,
                topics=_topics(row.get("topics")),
            )
        )
    return ledger.result()


def parse_csv(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames is None or "question" not in [f.strip().lower() for f in reader.fieldnames]:
        return Parsed(questions=(), warnings=(f"{spec.name}: no `question` column in the header",))
    rows = (
        (reader.line_num, {str(k).strip().lower(): v for k, v in row.items() if k is not None})
        for row in reader
    )
    return _rows_to_questions(rows, spec)


def _document_rows(data: Any) -> list[Any]:
    if isinstance(data, Mapping):
        data = data.get("questions")
    return data if isinstance(data, list) else []


def parse_yaml(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    # A list is hand-written YAML too: no aliases (a billion-laughs list would never finish)
    data = yaml_data("\n".join(lines), spec.file, what=f"source {spec.name!r}")
    return _rows_to_questions(enumerate(_document_rows(data), 1), spec)


def parse_json(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    data = json.loads("\n".join(lines))
    return _rows_to_questions(enumerate(_document_rows(data), 1), spec)
