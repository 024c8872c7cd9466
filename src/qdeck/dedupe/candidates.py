"""Which pairs of questions are worth scoring: look-alikes by rare, core or identical words, and embedding neighbours.

Only these pairs are ever scored, so the work per question is bounded whatever the corpus size:
near-linear, not quadratic.
"""

from __future__ import annotations

from collections import defaultdict
from operator import itemgetter
from typing import Any, Mapping, Sequence

from qdeck.parallel import SERIAL, Pool
from qdeck.dedupe.features import Features

# Each question is filed under this many of its rarest words: a paraphrase shares at least one.
PER_QUESTION = 4
# A word in more questions than this is too common to find a duplicate by (bounds the work per question).
MAX_POSTINGS = 400
# The look-alikes kept per question and index: enough for every labelled duplicate, few enough to score.
KEEP = 24


def lexical_candidates(refs: Sequence[str], features: Mapping[str, Features], weight: Mapping[str, float],
                       fixed: Mapping[str, int], per_question: int = PER_QUESTION, max_postings: int = MAX_POSTINGS,
                       keep: int = KEEP, pool: Pool = SERIAL) -> set[tuple[str, str]]:
    """For each question, the `keep` others sharing the most weight among its rarest words
    (`fixed`: the weights in fixed point); each pair (a, b) with a < b.

    The work per question is at most `2 * per_question * max_postings`.
    """
    # Two indexes: questions filed under their rarest words (paraphrases share those), and
    # under the words of their core clause, so that a short question ("What is
    # inheritance?") also finds the long one that asks it with add-ons ("How does
    # inheritance work? Write a class `Dog` ..."), whose rarest words are in the add-ons.
    # Questions are numbered in ref order: ints hash, pickle and compare (ties) cheaply.
    ordered = sorted(refs)
    number = {ref: i for i, ref in enumerate(ordered)}
    by_key: dict[str, list[int]] = defaultdict(list)
    by_core: dict[str, list[int]] = defaultdict(list)
    keys: dict[int, list[str]] = {}
    for ref in refs:
        f, i = features[ref], number[ref]
        keys[i] = sorted(f.full | f.core, key=lambda w: (-weight[w], w))[:per_question]
        for w in keys[i]:
            by_key[w].append(i)
        for w in sorted(f.core):
            by_core[w].append(i)

    def nearest(i: int) -> list[int]:
        found: list[int] = []
        for postings in (by_key, by_core):
            buckets = [(postings[w], fixed[w]) for w in keys[i] if w in postings and len(postings[w]) <= max_postings]
            if not buckets:
                continue
            # Integer weights sum exactly in any order, so the largest bucket goes in at C speed.
            buckets.sort(key=lambda bucket: -len(bucket[0]))
            shared = dict.fromkeys(buckets[0][0], buckets[0][1])
            get = shared.get
            for bucket, w in buckets[1:]:
                for other in bucket:
                    shared[other] = get(other, 0) + w
            shared.pop(i, None)
            if len(shared) > keep:
                # Heaviest first, ties by ref: two C-level stable sorts beat a keyed heap here.
                ranked = sorted(shared.items())
                ranked.sort(key=itemgetter(1), reverse=True)
                found += [o for o, _ in ranked[:keep]]
            else:
                found += shared
        return found

    pairs: set[tuple[str, str]] = set()
    mine = [number[ref] for ref in refs]
    for i, found in zip(mine, pool.map(nearest, mine, label="finding look-alikes")):
        pairs.update((ordered[i], ordered[o]) if i < o else (ordered[o], ordered[i]) for o in found)
    return pairs | same_words(ordered, features, max_postings)


def same_words(refs: Sequence[str], features: Mapping[str, Features], most: int = MAX_POSTINGS) -> set[tuple[str, str]]:
    """Every pair of questions whose content words are the same, among the first `most` of each
    such group (`refs` in order).

    In a large corpus a term is asked about in hundreds of ways ("profiling X", "X in a web
    service"): its rare words tie them all, and the nearest `KEEP` by those words need not hold
    the question's own rewordings. Questions written with the same words always meet.
    """
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for ref in refs:
        words = features[ref].full
        if words:
            groups[words].append(ref)
    pairs: set[tuple[str, str]] = set()
    for group in groups.values():
        group = group[:most]
        pairs.update((a, b) if a < b else (b, a) for k, a in enumerate(group) for b in group[k + 1:])
    return pairs


def embedding_neighbours(refs: Sequence[str], vectors: Mapping[str, Any], k: int, cosine_zero: float,
                         block: int = 1024) -> set[tuple[str, str]]:
    """Each question's `k` nearest neighbours by embedding above `cosine_zero`, a block of rows at a time."""
    import numpy as np

    matrix = np.stack([vectors[r] for r in refs])
    k = min(k, len(refs) - 1)
    pairs: set[tuple[str, str]] = set()
    if k <= 0:
        return pairs
    for start in range(0, len(refs), block):
        scores = matrix[start : start + block] @ matrix.T
        for row, top in enumerate(np.argpartition(-scores, k, axis=1)[:, : k + 1]):
            ref = refs[start + row]
            for j in top:
                other = refs[int(j)]
                if other != ref and scores[row, j] > cosine_zero:
                    pairs.add((ref, other) if ref < other else (other, ref))
    return pairs
