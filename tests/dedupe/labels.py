"""Pairwise precision and recall of a deck's notes against a hand-labelled set (tests/labels/dedup-*.yaml).

For each labelled question, the other members of its note are predicted pairs: a pair outside
`same` + `related` is a precision error; a `same` ref not on the note is a recall miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from qdeck.models import Note
from tests.helpers import ROOT

LABELS = tuple(sorted((ROOT / "tests" / "labels").glob("dedup-*.yaml")))


@dataclass(frozen=True)
class Score:
    predicted: int  # pairs the notes put together
    wrong: int  # of those, pairs the labels call neither same nor related
    same: int  # pairs the labels call the same question
    found: int  # of those, pairs the notes put together

    @property
    def precision(self) -> float:
        return 1.0 - self.wrong / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.same if self.same else 1.0


def membership(notes: Iterable[Note]) -> dict[str, frozenset[str]]:
    """Each ref's note, as the set of its members."""
    return {ref: frozenset(n.refs) for n in notes for ref in n.refs}


def score(path: Path, note_of: dict[str, frozenset[str]]) -> Score:
    predicted = wrong = same_pairs = found = 0
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        ref = entry["ref"]
        same, related = set(entry.get("same") or []), set(entry.get("related") or [])
        members = note_of.get(ref, frozenset({ref})) - {ref}
        predicted += len(members)
        wrong += len(members - same - related)
        same_pairs += len(same)
        found += len(same & members)
    return Score(predicted, wrong, same_pairs, found)
