"""Which pairs of questions a person should judge, most uncertain first.

Three kinds of pair, each scored by the matcher the build uses: pairs whose score lies in the band
around the merge threshold (merged or not), pairs that share a note only through a cluster's
linkage, each question's best neighbours that are not on its note, and, when the embedding model is
installed, pairs the embedding signal would bring near the threshold that the lexical build leaves
apart. Pairs are ordered by how far their score is from the threshold, nearest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from qdeck.dedupe import Matcher, Overrides, Vocabulary, cluster, embed_questions, natural_key
from qdeck.models import Question

BAND = 0.15  # a pair scoring within this of the threshold is uncertain
NEIGHBOURS = 2  # each question's best unmerged partners offered for review


@dataclass(frozen=True)
class Candidate:
    """One pair to judge: refs in ref order, the lexical score and why it is offered."""

    a: str
    b: str
    score: float
    reason: str  # band | linked | neighbour | embedding
    merged: bool  # the two are on one note in today's build
    vetoed: bool = False  # a rule (contrast, swapped code word) keeps them apart whatever the score
    embedding: float | None = None  # the blended embedding score, when the model is installed

    @property
    def key(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if natural_key(a) <= natural_key(b) else (b, a)


def find_candidates(questions: Sequence[Question], vocab: Vocabulary, overrides: Overrides = Overrides(), *,
                    encoder: Any = None, band: float = BAND, neighbours: int = NEIGHBOURS) -> list[Candidate]:
    """Every pair worth a person's judgment, most uncertain first (see the module's docstring)."""
    matcher = Matcher.build(questions, vocab)
    groups = cluster(questions, matcher, overrides)
    note_of = {ref: i for i, group in enumerate(groups) for ref in group}
    family = {q.ref: q.follow_up_of or q.ref for q in questions}
    refs = [q.ref for q in questions]
    threshold = matcher.threshold
    found: dict[frozenset[str], Candidate] = {}
    blended = None
    if encoder is not None:
        blended = Matcher.build(questions, vocab)
        blended.vectors, blended.core_vectors = embed_questions(questions, vocab, encoder)

    def offer(a: str, b: str, score: float, reason: str) -> None:
        # A deep-dive answer and its own follow-ups are never one note: nothing to judge.
        key = frozenset((a, b))
        if a == b or family[a] == family[b] or key in found:
            return
        a, b = _ordered(a, b)
        embedding = None if blended is None else round(blended.similarity(a, b), 3)
        found[key] = Candidate(a, b, round(score, 3), reason, note_of[a] == note_of[b], matcher.vetoed(a, b),
                               embedding)

    pairs = sorted(matcher.candidates(refs))
    scores = dict(zip(pairs, matcher.score_pairs(pairs)))
    for (a, b), score in scores.items():
        if abs(score - threshold) <= band:
            offer(a, b, score, "band")
    for group in groups:
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if matcher.similarity(a, b) < threshold - band:
                    offer(a, b, matcher.similarity(a, b), "linked")
    best: dict[str, list[tuple[float, str]]] = {}
    for (a, b), score in scores.items():
        if score > 0 and note_of[a] != note_of[b]:
            best.setdefault(a, []).append((score, b))
            best.setdefault(b, []).append((score, a))
    for a in sorted(best, key=natural_key):
        ranked = sorted(best[a], key=lambda sb: (-sb[0], natural_key(sb[1])))
        for score, b in [sb for sb in ranked if family[a] != family[sb[1]]][:neighbours]:
            offer(a, b, score, "neighbour")
    if blended is not None:
        # Near misses: pairs the embedding signal scores near or above the threshold, left apart.
        pairs = sorted(blended.candidates(refs))
        for (a, b), score in zip(pairs, blended.score_pairs(pairs)):
            if score >= threshold - band and note_of[a] != note_of[b]:
                offer(a, b, matcher.similarity(a, b), "embedding")
    return sorted(found.values(), key=lambda c: (_distance(c, threshold), natural_key(c.a), natural_key(c.b)))


def _distance(c: Candidate, threshold: float) -> float:
    scores = [c.score] + ([c.embedding] if c.embedding is not None else [])
    return round(min(abs(s - threshold) for s in scores), 3)

