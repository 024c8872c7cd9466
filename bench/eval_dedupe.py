"""Score duplicate detection against hand-labelled pairs: pairwise precision and recall.

Usage: python bench/eval_dedupe.py [--embeddings] [-v] [LABELS.yaml ...]
(default: tests/labels/dedup-*.yaml; --embeddings adds the optional embedding signal)

For each labelled question, the other members of its note are predicted pairs: a pair
outside `same` + `related` is a precision error; a `same` ref not on the note is a
recall miss.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


@dataclass
class Score:
    predicted: int = 0
    wrong: int = 0
    same: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        return 1.0 - self.wrong / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.same if self.same else 1.0


def score(labels: list[dict], note_of: dict[str, frozenset[str]], report: list[str] | None = None) -> Score:
    s = Score()
    for entry in labels:
        ref = entry["ref"]
        same, related = set(entry.get("same") or []), set(entry.get("related") or [])
        members = note_of.get(ref, frozenset({ref})) - {ref}
        s.predicted += len(members)
        for m in sorted(members - same - related):
            s.wrong += 1
            if report is not None:
                report.append(f"WRONG  {ref} + {m}")
        s.same += len(same)
        s.found += len(same & members)
        if report is not None:
            report.extend(f"MISSED {ref} ~ {m}" for m in sorted(same - members))
    return s


def note_membership(notes) -> dict[str, frozenset[str]]:
    return {ref: frozenset(n.refs) for n in notes for ref in n.refs}


def main(argv: list[str]) -> int:
    from qdeck.pipeline import build_notes, load_recipe, read_catalog

    paths = [Path(a) for a in argv if not a.startswith("-")] or sorted((ROOT / "tests/labels").glob("dedup-*.yaml"))
    verbose = "-v" in argv
    cat = read_catalog(load_recipe(ROOT / "decks/python-interview.yaml"))
    notes = build_notes(cat, tag=False, embeddings="--embeddings" in argv)
    membership = note_membership(notes)
    merged = sum(1 for n in notes if len(n.refs) > 1)
    print(f"notes: {len(notes)}  merged notes: {merged}  questions: {len(membership)}")
    for path in paths:
        report: list[str] = []
        s = score(yaml.safe_load(path.read_text(encoding="utf-8")), membership, report)
        print(f"{path.name}: precision {s.precision:.3f} ({s.predicted - s.wrong}/{s.predicted} pairs)  "
              f"recall {s.recall:.3f} ({s.found}/{s.same} same pairs)")
        if verbose:
            print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
