"""The hand labels of tests/labels/tags.yaml and how the TAG stage is scored against them.

Shared by the tag tests and bench/eval_tags.py (bench may import from here; tests never import
from bench). Questions come from the project's own catalog (ingest and normalize), as in a build.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from qdeck.config import load_recipe
from qdeck.config.taxonomy import Taxonomy, load_taxonomy
from qdeck.models import Note, Question
from qdeck.pipeline import read_catalog
from qdeck.tag import tag_notes

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "decks" / "python-interview.yaml"
TAXONOMY = ROOT / "data" / "taxonomy.yaml"
LABELS = ROOT / "tests" / "labels" / "tags.yaml"

# The rates the heldout split must reach (see the protocol at the top of tests/labels/tags.yaml).
TARGETS = {"topic_hit": 0.90, "nothing_unacceptable": 0.85, "kind_accuracy": 0.90, "tier_within_one": 0.90}
SOURCES = ("tiered-200", "answered-200", "senior-180", "levels-415", "deep-dive-71")  # the labelled lists, draw order
# The labels were sampled with this seed; see sample_refs().
SAMPLE_SEED = 20240611
SAMPLE_PER_SOURCE = 30
HELDOUT_PER_SOURCE = 20


@dataclass(frozen=True)
class Label:
    ref: str
    topic: str
    acceptable: tuple[str, ...]
    kind: str
    tier: str
    split: str


def catalog_questions() -> list[Question]:
    """The project's normalized questions, as a build reads them."""
    return list(read_catalog(load_recipe(RECIPE)).questions)


def taxonomy() -> Taxonomy:
    return load_taxonomy(TAXONOMY)


def load_labels(path: Path = LABELS) -> list[Label]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Label(r["ref"], r["topic"], tuple(r.get("acceptable") or ()), r["kind"], r["tier"], r["split"])
            for r in rows]


def sample_refs(questions: Sequence[Question]) -> list[tuple[str, str]]:
    """(ref, split) for the labelled sample: a fixed-seed draw per source, heldout drawn first."""
    rng = random.Random(SAMPLE_SEED)
    picked: list[tuple[str, str]] = []
    for source in SOURCES:
        refs = sorted((q.ref for q in questions if q.source == source and "." not in q.number),
                      key=lambda r: int(r.split("#")[1]))
        chosen = rng.sample(refs, SAMPLE_PER_SOURCE)
        picked += [(r, "heldout" if k < HELDOUT_PER_SOURCE else "dev") for k, r in enumerate(chosen)]
    return picked


def single_notes(questions: Mapping[str, Question], refs: Sequence[str]) -> list[Note]:
    """One note per question, as the pipeline builds them when nothing merges."""
    notes = []
    for ref in refs:
        q = questions[ref]
        notes.append(Note(key=ref, question=q.text, refs=(ref,), answer=q.answer,
                          code_tasks=(q.code_task,) if q.code_task else (), sources=(q.source,)))
    return notes


def tagged_catalog(questions: Sequence[Question], tax: Taxonomy | None = None) -> dict[str, Note]:
    """Every question tagged as a single-question note, so inferred tiers see the whole catalog."""
    by_ref = {q.ref: q for q in questions}
    notes = single_notes(by_ref, [q.ref for q in questions])
    return {n.key: n for n in tag_notes(notes, by_ref, tax or taxonomy())}


def judge(lab: Label, note: Note, tiers: Sequence[str]) -> dict[str, bool]:
    """metric -> hit for one labelled note; tier_within_one only where the tier was inferred."""
    ok = {lab.topic, *lab.acceptable}
    verdict = {
        "topic_hit": lab.topic in note.topics,
        "nothing_unacceptable": all(t in ok for t in note.topics),
        "kind_accuracy": note.kind == lab.kind,
    }
    if note.tier_origin == "inferred":
        verdict["tier_within_one"] = abs(tiers.index(note.tier) - tiers.index(lab.tier)) <= 1
    return verdict


def score(labels: Sequence[Label], notes: Mapping[str, Note], tiers: Sequence[str]) -> dict[str, tuple[float, int, int]]:
    """metric -> (rate, hits, total) over the given labels; `tiers` is the taxonomy's, lowest first."""
    counts = {m: [0, 0] for m in TARGETS}
    for lab in labels:
        for metric, hit in judge(lab, notes[lab.ref], tiers).items():
            counts[metric][0] += int(hit)
            counts[metric][1] += 1
    return {m: (h / n if n else 1.0, h, n) for m, (h, n) in counts.items()}


def evaluate(notes: Mapping[str, Note], tiers: Sequence[str], split: str | None = None
             ) -> dict[str, dict[str, tuple[float, int, int]]]:
    """Per split (or the one given), metric -> (rate, hits, total) for notes keyed by labelled ref."""
    labels = load_labels()
    splits = [split] if split else sorted({lab.split for lab in labels})
    return {s: score([lab for lab in labels if lab.split == s], notes, tiers) for s in splits}
