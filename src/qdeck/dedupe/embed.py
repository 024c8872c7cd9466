"""The optional embedding signal's input: each question's text and core clause as unit vectors."""

from __future__ import annotations

from typing import Any, Sequence

from qdeck.dedupe.vocabulary import Vocabulary
from qdeck.dedupe.words import core_text, expand_abbreviations
from qdeck.models import Question


def embed_questions(questions: Sequence[Question], vocab: Vocabulary,
                    encoder: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Unit vectors by ref of each question's text and of its core clause (the optional embedding
    signal); a text that is all core, or met twice, is encoded once. `encoder`: an `Encoder`."""
    texts = [expand_abbreviations(q.text, vocab) for q in questions]
    cores = [expand_abbreviations(core_text(q.text), vocab) for q in questions]
    unique = list(dict.fromkeys(texts + cores))
    vector = dict(zip(unique, encoder.encode(unique)))
    return ({q.ref: vector[t] for q, t in zip(questions, texts)},
            {q.ref: vector[c] for q, c in zip(questions, cores)})
