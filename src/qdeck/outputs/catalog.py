"""The note catalog: one JSON object per note, every field a script may want, in deck order."""

from __future__ import annotations

import json
from typing import Iterable

from qdeck.models import Note

NOTE_FIELDS = (
    "guid", "question", "answer", "variants", "refs", "tier", "tier_origin", "topics", "kind",
    "tags", "status", "merged_into", "sources", "code_tasks", "follow_ups",
)


def note_record(note: Note) -> dict[str, object]:
    record: dict[str, object] = {}
    for name in NOTE_FIELDS:
        value = getattr(note, name)
        record[name] = list(value) if isinstance(value, tuple) else value
    return record


def catalog_jsonl(notes: Iterable[Note]) -> str:
    return "".join(json.dumps(note_record(n), ensure_ascii=False, sort_keys=False) + "\n" for n in notes)
