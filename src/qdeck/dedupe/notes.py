"""Note assembly: one note per cluster, its question chosen, every member's text and answer kept."""

from __future__ import annotations

import math
import re
from typing import Mapping, Sequence

from qdeck.dedupe.cluster import natural_key
from qdeck.dedupe.matcher import Matcher
from qdeck.dedupe.overrides import Overrides
from qdeck.dedupe.words import content_words
from qdeck.models import Answer, Note, Question
from qdeck.anki.render import flat_answer

_QUESTION_START = re.compile(
    r"^(what|how|why|when|which|who|where|is|are|do|does|can|should|explain|describe|compare|"
    r"write|implement|design|give|show|discuss|define|name|list|create|find|given|tell)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[?.!](?:\s|$)")

# A member's fit: its mean similarity to the other members plus a little for how much of it the
# answers' words cover, compared in steps of FIT_STEP so near-ties fall to the plainest phrasing.
# Set by reading the 141 merged notes, not measured on labels.
REPRESENTATIVE_WEIGHTS = (1.0, 0.2)
FIT_STEP = 0.1


def clarity(q: Question) -> tuple[int, int, int, int]:
    """Rank phrasings: a full-sentence single question reads best, and the plainest is the shortest."""
    text = q.text
    full_sentence = bool(_QUESTION_START.match(text)) and text.rstrip().endswith(("?", "."))
    sentences = len(_SENTENCE_END.findall(text))
    return (int(full_sentence), int(text.rstrip().endswith("?")), -max(sentences - 1, 0), -len(text))


def representative(qs: Sequence[Question], answer_text: str, matcher: Matcher) -> Question:
    """The member that best stands for the note: a full, single question that is not a follow-up
    of another; among those, the one central to the other members whose words the answers use;
    then the shortest."""
    answer_words = content_words(answer_text, matcher.vocab) if answer_text else frozenset()

    def score(q: Question) -> tuple:
        others = [o for o in qs if o.ref != q.ref]
        central = sum(matcher.similarity(q.ref, o.ref) for o in others) / len(others) if others else 0.0
        covered = matcher.covered(matcher.features[q.ref].full, answer_words) if answer_words else 0.0
        full, asks, one_sentence, shorter = clarity(q)
        fit = REPRESENTATIVE_WEIGHTS[0] * central + REPRESENTATIVE_WEIGHTS[1] * covered
        return (full, int(not q.follow_up_of), asks, one_sentence, math.floor(fit / FIT_STEP), shorter,
                tuple(-x for x in natural_key(q.ref)[1]), q.ref)

    return max(qs, key=score)


def make_note(group: Sequence[str], by_ref: Mapping[str, Question], follow_ups: Mapping[str, list[Question]],
              matcher: Matcher, overrides: Overrides, titles: Mapping[str, str] | None = None,
              kept: Mapping[str, tuple[int, bool]] = {}) -> Note:  # noqa: B006
    """One note of a cluster; `kept` ranks the refs that were their note's question last release,
    which stays the question (a new member does not rename a note)."""
    qs = [by_ref[r] for r in group]
    # Every answering member keeps its own block; a follow-up's hint stands only when nothing else answers.
    answers = [a for a in map(_answer_of, qs) if a]
    if not answers:
        answers = [Answer(source=q.source, text=q.answer, ref=q.ref) for q in qs if q.answer][:1]
    best = representative(qs, flat_answer(answers), matcher)
    previous = min((r for r in group if r in kept), key=lambda r: (kept[r], natural_key(r)), default=None)
    fallback = by_ref[previous].text if previous is not None else best.text
    question = next((overrides.canonical[r] for r in group if r in overrides.canonical), fallback)
    # The shortest answer leads, so a back reads at a glance; the fuller ones follow, collapsed.
    answers.sort(key=lambda a: (len(a.text) + len(a.tests) + len(a.red_flag), natural_key(a.ref)))
    variants: list[str] = []
    for q in qs:
        if q.text != question and q.text not in variants:
            variants.append(q.text)
    follow = [f"{f.text} — {f.answer}" if f.answer else f.text for q in qs for f in follow_ups.get(q.ref, [])]
    sources = list(dict.fromkeys(q.source for q in qs))
    titles = titles or {}
    return Note(
        key=group[0],
        question=question,
        refs=tuple(group),
        answer=flat_answer(answers),  # after the sort: answers of one length keep this order
        variants=tuple(variants),
        follow_ups=tuple(follow),
        code_tasks=tuple(dict.fromkeys(q.code_task for q in qs if q.code_task)),
        sources=tuple(sources),
        source_titles=tuple(titles.get(s) or s for s in sources),
        answers=tuple(answers),
        similarity=tuple((q.ref, round(matcher.similarity(best.ref, q.ref), 3)) for q in qs),
    )


def _answer_of(q: Question) -> Answer | None:
    """A member's own answer block; a follow-up's hint is no answer to the note's question."""
    if q.follow_up_of or not (q.answer or q.tests or q.red_flag):
        return None
    return Answer(source=q.source, text=q.answer, tests=q.tests, red_flag=q.red_flag, ref=q.ref)
