"""A question's evidence for each topic, and the one or two topics a note gets from it."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from qdeck.config.taxonomy import Taxonomy, section_key
from qdeck.models import Question
from qdeck.words import tokens


def _field_scores(text: str, tax: Taxonomy) -> dict[str, float]:
    """topic -> evidence in one piece of text, reading it left to right."""
    counts: dict[tuple[str, object], list[float]] = {}  # (topic, term or pattern) -> [weight, times]
    words = tokens(text, tax.compounds) if text else []
    i = 0
    starts = tax.starts
    while i < len(words):
        if words[i] not in starts:
            i += 1
            continue
        # the longest term wins, so "for loop" is not also a bare "loop", nor "keyword argument" a "keyword"
        for n in range(min(tax.max_ngram, len(words) - i), 0, -1):
            key = tuple(words[i:i + n])
            if key in tax.terms:
                for topic, weight in tax.terms[key]:
                    counts.setdefault((topic, key), [weight, 0])[1] += 1
                i += n
                break
        else:
            i += 1
    for pattern, topic, weight in tax.patterns:
        hits = len(pattern.findall(text)) if text else 0
        if hits:
            counts[(topic, pattern)] = [weight, hits]
    scores: dict[str, float] = defaultdict(float)
    for (topic, _), (weight, times) in counts.items():
        # saying a term again is some evidence of focus, but ten mentions are not ten signals
        scores[topic] += weight * (1 + math.log(times))
    return scores


def topic_scores(q: Question, tax: Taxonomy) -> dict[str, float]:
    """Evidence for each topic in one question: its text, coding task, answer and section."""
    w = tax.weights
    total: dict[str, float] = defaultdict(float)
    for text, weight in ((q.text, w.question), (q.code_task or "", w.code_task), (q.tests, w.tests)):
        for topic, s in _field_scores(text, tax).items():
            total[topic] += weight * s
    answer = _field_scores(q.answer, tax)
    if answer:
        scale = w.answer * min(1.0, w.answer_cap / (w.answer * max(answer.values())))
        for topic, s in answer.items():
            total[topic] += scale * s
    for rank, topic in enumerate(_section_topics(q, tax)):
        total[topic] += w.section * w.section_next ** rank
    return dict(total)


def _section_topics(q: Question, tax: Taxonomy) -> tuple[str, ...]:
    if not q.section:
        return ()
    return tax.sections.get((q.source, section_key(q.section)), ())


def choose_topics(scores: Mapping[str, float], tax: Taxonomy) -> tuple[str, ...]:
    """The best topic, and the runner-up when its evidence is close and strong enough."""
    ranked = sorted((t for t in tax.topics if scores.get(t, 0.0) > 0), key=lambda t: -scores[t])
    if not ranked:
        return (tax.weights.default_topic,)
    first = ranked[0]
    if len(ranked) > 1:
        second = scores[ranked[1]]
        if second >= tax.weights.second_min and second >= tax.weights.second_ratio * scores[first]:
            return (first, ranked[1])
    return (first,)
