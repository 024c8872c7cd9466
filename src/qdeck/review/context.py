"""What a review works on: a recipe's questions, its judgments resolved to today's refs, and the
candidate pairs, built the way `qdeck build` builds the deck."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from qdeck.config import Recipe
from qdeck.dedupe import Vocabulary
from qdeck.errors import QdeckError
from qdeck.models import Question
from qdeck.pipeline import Catalog, load_overrides, read_catalog
from qdeck.review import store
from qdeck.settings import Runtime
from qdeck.review.candidates import BAND, NEIGHBOURS, Candidate, find_candidates


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    questions: Mapping[str, Question]
    path: Path  # data/judgments.yaml
    judgments: tuple[store.Judgment, ...]
    resolved: tuple[store.Resolved, ...]
    notices: tuple[str, ...]  # judgments that moved or no longer apply, and notes on the embedding signal
    rt: Runtime = Runtime()

    @property
    def recipe(self) -> Recipe:
        return self.catalog.recipe


def load_context(recipe: Recipe, rt: Runtime = Runtime()) -> Context:
    cat = read_catalog(recipe, rt)
    path = recipe.data_dir / store.FILE_NAME
    judgments = store.load(path)
    resolved = tuple(store.resolve(judgments, cat.questions))
    notices = tuple(store.notices(resolved) + store.conflicts(resolved))
    return Context(cat, {q.ref: q for q in cat.questions}, path, judgments, resolved, notices, rt)


def optional_encoder(model_dir: Path) -> tuple[Any, str]:
    """The embedding model in `model_dir` when the extra and the model are installed, else None and why not."""
    try:
        from qdeck.dedupe import load_encoder

        return load_encoder(model_dir), ""
    except QdeckError as err:
        return None, f"no embedding near misses: {err}"


def candidates(ctx: Context, *, encoder: Any = None, band: float = BAND, neighbours: int = NEIGHBOURS) -> list[Candidate]:
    """The candidate pairs of today's build, judgments applied (a judged pair shows how it now stands)."""
    overrides, _ = load_overrides(ctx.catalog)
    vocab = Vocabulary.load(ctx.recipe.data_dir / "dedupe.yaml")
    return find_candidates(ctx.catalog.questions, vocab, overrides, encoder=encoder, band=band, neighbours=neighbours)
