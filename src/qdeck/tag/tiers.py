"""Guess the tier of notes no source tiers, from their nearest tiered notes and topic and kind means."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from qdeck.config.schema import TierInference
from qdeck.models import Question
from qdeck.words import plain_tokens


def doc_tokens(members: Sequence[Question], limit: int) -> frozenset[str]:
    words = [t for q in members for t in plain_tokens(f"{q.text} {q.code_task or ''}")]
    if len(words) < limit // 4:
        # a bare heading ("Caching") says little about level; the answer's opening adds vocabulary
        words += [t for q in members for t in plain_tokens(q.answer)[:limit]]
    return frozenset(t for t in words if len(t) > 1 and not t.isdigit())


def infer_tiers(
    docs: Mapping[int, frozenset[str]],
    known: Mapping[int, int],
    prior_keys: Mapping[int, tuple[str, str]],
    settings: TierInference,
    default_rank: int,
) -> dict[int, int]:
    """Tier ranks for the docs not in `known`, from their nearest known docs and topic/kind means.

    `prior_keys` gives each doc its (first topic, kind); `known` maps doc -> tier rank.
    """
    refs = sorted(known)
    if not refs:
        return {key: default_rank for key in docs if key not in known}
    df: dict[str, int] = defaultdict(int)
    for key in refs:
        for tok in docs[key]:
            df[tok] += 1
    n = len(refs)
    idf = {tok: math.log((n + 1) / (d + 0.5)) for tok, d in df.items()}
    cap = min(settings.max_postings, max(8, int(settings.max_df_share * n)))
    postings: dict[str, list[int]] = defaultdict(list)
    for key in refs:
        for tok in docs[key]:
            if df[tok] <= cap:
                postings[tok].append(key)
    # sorted, so float sums do not depend on set order (and so on the hash seed)
    norm = {key: math.sqrt(sum(idf[t] ** 2 for t in sorted(docs[key]))) or 1.0 for key in refs}
    means = _prior_means(known, prior_keys)
    out = {}
    for key in sorted(k for k in docs if k not in known):
        near = _neighbours(docs[key], idf, postings, norm, settings)
        topic, kind = prior_keys[key]
        num = sum(s * known[r] for r, s in near)
        den = sum(s for _, s in near)
        for weight, mean in ((settings.topic_prior, means.get(("topic", topic))),
                             (settings.kind_prior, means.get(("kind", kind)))):
            if mean is not None:
                num, den = num + weight * mean, den + weight
        estimate = num / den if den else means.get(("all", ""), default_rank)
        out[key] = int(math.floor(estimate + 0.5))
    return out


def _neighbours(tokens, idf, postings, norm, settings: TierInference) -> list[tuple[int, float]]:
    """The k most similar known docs, looked up through the rarest tokens only."""
    known_tokens = sorted((t for t in tokens if t in idf), key=lambda t: (-idf[t], t))
    qnorm = math.sqrt(sum(idf[t] ** 2 for t in known_tokens)) or 1.0
    dots: dict[int, float] = defaultdict(float)
    for tok in [t for t in known_tokens if t in postings][: settings.query_terms]:
        for ref in postings[tok]:
            dots[ref] += idf[tok] ** 2
    sims = ((ref, dot / (qnorm * norm[ref])) for ref, dot in dots.items())
    close = (p for p in sims if p[1] >= settings.min_similarity)
    return heapq.nsmallest(settings.k, close, key=lambda p: (-p[1], p[0]))


def _prior_means(known: Mapping[int, int], prior_keys: Mapping[int, tuple[str, str]]) -> dict:
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for key in sorted(known):
        topic, kind = prior_keys[key]
        for group in (("topic", topic), ("kind", kind), ("all", "")):
            sums[group][0] += known[key]
            sums[group][1] += 1
    return {group: total / count for group, (total, count) in sums.items()}
