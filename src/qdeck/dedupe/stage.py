"""The dedupe stage: the catalog's questions in, one note per distinct question out."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Mapping, Sequence

from qdeck.dedupe.cluster import cluster, natural_key
from qdeck.dedupe.embed import embed_questions
from qdeck.dedupe.last_release import LastRelease
from qdeck.dedupe.matcher import Matcher
from qdeck.dedupe.notes import make_note
from qdeck.dedupe.overrides import Overrides
from qdeck.dedupe.vocabulary import Vocabulary
from qdeck.models import Note, Question
from qdeck.parallel import SERIAL, Pool


def dedupe(questions: Sequence[Question], vocab: Vocabulary, overrides: Overrides = Overrides(),
           encoder: Any = None, titles: Mapping[str, str] | None = None,
           previous: LastRelease | None = None, pool: Pool = SERIAL) -> list[Note]:
    """The dedupe stage: one note per distinct question, every member's text and answer kept.

    `encoder` (an `Encoder`, optional) adds sentence-embedding similarity to the lexical one.
    `titles` maps a source's name to the title its answer blocks are labelled with.
    `previous` (the last release's notes) makes notes sticky: see LastRelease.
    """
    matcher = Matcher.build(questions, vocab, pool)
    if encoder is not None:
        matcher.vectors, matcher.core_vectors = embed_questions(questions, vocab, encoder)
    by_ref = {q.ref: q for q in questions}
    follow_ups: dict[str, list[Question]] = defaultdict(list)
    for q in sorted(questions, key=lambda q: natural_key(q.ref)):
        if q.follow_up_of:
            follow_ups[q.follow_up_of].append(q)
    groups = cluster(questions, matcher, overrides, previous)
    kept = previous.canonical if previous is not None else {}
    return [make_note(g, by_ref, follow_ups, matcher, overrides, titles, kept) for g in groups]
