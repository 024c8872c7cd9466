"""The embedding signal in the matcher: texts and core clauses embedded, the closer pair counted."""

from __future__ import annotations

from qdeck.dedupe import Matcher, core_text, embed_questions
from qdeck.dedupe.minilm import Encoder
from qdeck.models import Question
from tests.dedupe.helpers import VOCAB


def test_core_clauses_are_embedded_beside_the_texts(encoder: Encoder) -> None:
    """A long question's add-ons pull its vector away from a short question that asks the same;
    the core-clause vectors compare what the two ask, and the matcher takes the closer pair."""
    import numpy as np

    short = Question(ref="a#1", source="a", number="1", text="How to structure a Python project?", line=1)
    long = Question(ref="b#1", source="b", number="1",
                    text="Explain how to structure a medium-sized Python project: packages, tests, docs, "
                         "scripts, config. Provide a sample directory layout.", line=1)
    texts, cores = embed_questions([short, long], VOCAB, encoder)
    assert np.array_equal(cores["a#1"], texts["a#1"])  # all core: one vector
    assert np.abs(cores["b#1"] - encoder.encode([core_text(long.text)])[0]).max() < 1e-5
    full_cosine, core_cosine = float(texts["a#1"] @ texts["b#1"]), float(cores["a#1"] @ cores["b#1"])
    assert core_cosine > full_cosine + 0.05
    matcher = Matcher.build([short, long], VOCAB)
    matcher.vectors = texts
    with_texts = matcher.similarity("a#1", "b#1")
    matcher = Matcher.build([short, long], VOCAB)
    matcher.vectors, matcher.core_vectors = texts, cores
    assert matcher.similarity("a#1", "b#1") > with_texts

