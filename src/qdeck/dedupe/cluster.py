"""Clustering: questions join into notes, best pairs first, only when every cross pair agrees.

Candidates come from the matcher (only questions sharing a rare word are ever scored). Two
clusters merge only when every cross pair agrees (no transitive chaining) and no contrast
veto fires (`10 / 3` vs `10 // 3`, `s[:4]` vs `s[4:]`).
"""

from __future__ import annotations

import math
import re
from typing import Sequence

from qdeck.dedupe.last_release import LastRelease
from qdeck.dedupe.matcher import Matcher
from qdeck.dedupe.overrides import Overrides
from qdeck.models import Question

_DIGITS = re.compile(r"\d+")


def natural_key(ref: str) -> tuple[str, tuple[int, ...]]:
    """A ref's sort key: its source, then its number as numbers ("#10" after "#9", "#3.2" after "#3").

    >>> sorted(["a#10", "a#9", "a#3.2", "a#3"], key=natural_key)
    ['a#3', 'a#3.2', 'a#9', 'a#10']
    """
    source, _, number = ref.rpartition("#")
    return source, tuple(int(p) for p in _DIGITS.findall(number))


def family(q: Question) -> str:
    """A deep-dive answer and its follow-ups share a family; they are never one note."""
    return q.follow_up_of or q.ref


def cluster(questions: Sequence[Question], matcher: Matcher, overrides: Overrides = Overrides(),
            previous: LastRelease | None = None) -> list[list[str]]:
    """Groups of refs, each one note; independent of input order. `previous` seeds the clusters."""
    by_ref = {q.ref: q for q in questions}
    order = {r: natural_key(r) for r in by_ref}
    in_order = order.__getitem__
    refs = sorted(by_ref, key=in_order)
    parent = {r: r for r in refs}
    members: dict[str, list[str]] = {r: [r] for r in refs}
    forbidden = {frozenset((a, b)) for g in overrides.split for a in g for b in g if a != b}

    def find(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def union(a: str, b: str) -> None:
        ra, rb = sorted((find(a), find(b)), key=in_order)
        if ra != rb:
            parent[rb] = ra
            members[ra].extend(members.pop(rb))

    for group in overrides.merge:
        for other in group[1:]:
            union(group[0], other)

    family_of = {r: family(q) for r, q in by_ref.items()}
    parent_of = {r: q.follow_up_of for r, q in by_ref.items()}
    similarity, vetoed, floor = matcher.similarity, matcher.vetoed, matcher.floor

    def allowed(a: str, b: str) -> bool:
        """The checks that depend on the two texts alone, never on the rest of the corpus."""
        if family_of[a] == family_of[b] or parent_of[a] == b or parent_of[b] == a:
            return False
        return not ((forbidden and frozenset((a, b)) in forbidden) or vetoed(a, b))

    def compatible(ca: list[str], cb: list[str]) -> bool:
        # Every cross pair must pass every check, so the cheapest checks go first.
        scores = []
        for a in ca:
            for b in cb:
                score = similarity(a, b)
                if score < floor or not allowed(a, b):
                    return False
                scores.append(score)
        return math.fsum(scores) / len(scores) >= matcher.link

    settled: set[str] = set()  # roots of clusters holding a question unchanged since the last release
    if previous is not None:
        for group in previous.groups:
            kept: list[str] = []
            for r in sorted((r for r in group if r in by_ref), key=lambda r: (r not in previous.unchanged, order[r])):
                # Unchanged questions stay together unless a rule on their two texts now says
                # otherwise (a new split override or veto); an edited one must still be joinable.
                if not kept or (all(allowed(r, o) for o in kept) if r in previous.unchanged else compatible([r], kept)):
                    kept.append(r)
            for r in kept[1:]:
                union(kept[0], r)
        settled = {find(r) for r in previous.unchanged if r in parent}

    scored = []
    pairs = sorted(matcher.candidates(refs))
    for (a, b), score in zip(pairs, matcher.score_pairs(pairs)):
        if score >= matcher.threshold:
            scored.append((-score, order[a], order[b], a, b))
    for _, _, _, a, b in sorted(scored):
        ra, rb = find(a), find(b)
        if ra == rb or (ra in settled and rb in settled):
            continue
        if compatible(members[ra], members[rb]):
            union(ra, rb)
            if ra in settled or rb in settled:
                settled.add(find(ra))
    groups = [sorted(m, key=in_order) for m in members.values()]
    return sorted(groups, key=lambda g: order[g[0]])
