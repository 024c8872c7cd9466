"""Score duplicate detection against hand-labelled pairs: pairwise precision and recall.

Usage: python bench/eval_dedupe.py [--embeddings] [-v] [LABELS.yaml ...]
(default: tests/labels/dedup-*.yaml; --embeddings adds the optional embedding signal)

The scoring is the tests' own (`tests/dedupe/labels.py`): for each labelled question, the other
members of its note are predicted pairs; a pair outside `same` + `related` is a precision error,
a `same` ref not on the note a recall miss. `-v` lists every error and miss.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from qdeck.config import load_recipe  # noqa: E402
from qdeck.pipeline import build_notes, read_catalog  # noqa: E402
from qdeck.settings import Runtime, Settings  # noqa: E402
from tests.dedupe.labels import LABELS, membership, score  # noqa: E402


def misses(path: Path, note_of: dict[str, frozenset[str]]) -> list[str]:
    """One line per wrongly joined pair and per missed `same` pair of a label file."""
    lines = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        ref = entry["ref"]
        same, related = set(entry.get("same") or []), set(entry.get("related") or [])
        members = note_of.get(ref, frozenset({ref})) - {ref}
        lines += [f"WRONG  {ref} + {m}" for m in sorted(members - same - related)]
        lines += [f"MISSED {ref} ~ {m}" for m in sorted(same - members)]
    return lines


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv if not a.startswith("-")] or list(LABELS)
    rt = Runtime.of(Settings.from_environ(cwd=ROOT))
    cat = read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml"), rt)
    notes = build_notes(cat, tag=False, embeddings="--embeddings" in argv, rt=rt)
    note_of = membership(notes)
    merged = sum(1 for n in notes if len(n.refs) > 1)
    print(f"notes: {len(notes)}  merged notes: {merged}  questions: {len(note_of)}")
    for path in paths:
        s = score(path, note_of)
        print(f"{path.name}: precision {s.precision:.3f} ({s.predicted - s.wrong}/{s.predicted} pairs)  "
              f"recall {s.recall:.3f} ({s.found}/{s.same} same pairs)")
        if "-v" in argv:
            print("\n".join(misses(path, note_of)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
