"""Run the stages in order: ingest, normalize, dedupe, tag, identity, export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qdeck.config import Recipe, load_recipe
from qdeck.dedupe import Overrides, Vocabulary, dedupe
from qdeck.errors import InputError
from qdeck.ingest import SourceResult, catalog, ingest
from qdeck.models import Note, Question
from qdeck.normalize import normalize


@dataclass(frozen=True)
class Catalog:
    """The ingested, normalized questions of a recipe, with per-source parse results."""

    recipe: Recipe
    sources: tuple[SourceResult, ...]
    questions: tuple[Question, ...]


def read_catalog(recipe: Recipe) -> Catalog:
    """Ingest and normalize every source of a recipe."""
    results = ingest(recipe.sources)
    return Catalog(recipe, tuple(results), tuple(normalize(catalog(results))))


def load_catalog(recipe: str | Path | None = None) -> list[Question]:
    """The normalized question catalog of a recipe (the default recipe when None)."""
    return list(read_catalog(load_recipe(recipe)).questions)


def build_notes(cat: Catalog, *, tag: bool = True) -> list[Note]:
    """Dedupe (and tag) a catalog into notes, applying the maintainers' overrides."""
    recipe = cat.recipe
    overrides = Overrides.load(recipe.overrides, (q.ref for q in cat.questions))
    notes = dedupe(cat.questions, Vocabulary.load(recipe.data_dir / "dedupe.yaml"), overrides)
    if not tag:
        return notes
    from qdeck.tag import load_taxonomy, tag_notes

    if recipe.taxonomy is None:
        raise InputError("data/taxonomy.yaml is missing; tagging needs it", recipe.data_dir)
    by_ref = {q.ref: q for q in cat.questions}
    return tag_notes(
        notes, by_ref, load_taxonomy(recipe.taxonomy), root=recipe.tag_root, overrides=_tag_overrides(overrides, cat)
    )


def _tag_overrides(overrides: Overrides, cat: Catalog) -> dict[str, dict[str, object]]:
    """Per-ref tier and topics: the maintainers' overrides, then a structured source's own topics."""
    merged: dict[str, dict[str, object]] = {}
    for q in cat.questions:
        if q.topics:
            merged.setdefault(q.ref, {})["topics"] = tuple(q.topics)
    for ref, tier in overrides.tier.items():
        merged.setdefault(ref, {})["tier"] = tier
    for ref, topics in overrides.topics.items():
        merged.setdefault(ref, {})["topics"] = tuple(topics)
    return merged
