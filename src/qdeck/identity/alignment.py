"""Alignment: follow each question of the last release to its place in the new sources, like diff.

The lock remembers every source's questions in order. A new build pairs them with the
catalog's questions in four passes, each on what the earlier ones left:

1. An exact text wins wherever it now is (another section, level or source file).
2. Per source, the exact pairs that keep their order are anchors (a patience diff: the
   longest run of exact pairs in order). Between two anchors, as many old as new questions
   are in-place edits, however much the text changed; a block of unequal size is matched
   inside itself by similarity (a split keeps the closer half, a merge absorbs the other).
   Then the same between any two neighbouring pairs that kept their order, so an edit inside
   a block that moved (two sections swapped) is an edit in place too.
3. What is left anywhere is matched by similarity alone, strictly (a question moved and
   reworded).
4. The rest are new questions, and the old ones left over are gone from the sources.

A ref therefore never carries identity by itself: a number that now belongs to another
question is translated through the alignment first. `same:` / `new:` in data/overrides.yaml
pin or break a pairing by ref.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from qdeck.errors import InputError
from qdeck.identity.model import Lock, LockedQuestion
from qdeck.models import Question

GAP_MATCH = 0.40  # inside an unequal block between two anchors: the same question, edited
MOVE_MATCH = 0.85  # anywhere else: a question moved and reworded
UNCERTAIN = 0.50  # an in-place pairing this unalike is shown to the maintainer
_MAX_GAP_PAIRS = 1_000_000  # a larger unequal block is matched through a word index instead
_MAX_POSTINGS = 50  # a word shared by more leftovers than this finds no pair by itself


# Words every interview question shares. Scoring only the rest keeps templated questions
# apart: "difference between a list and a tuple" vs "... a process and a thread" would
# otherwise score 0.84 on the whole text.
_STOP_WORDS = frozenset("""
a about an and any are as at be between but by can could describe difference differences
do does define explain for from give how i in into is it its me my of on or python s
should tell that the their them there these they this those to use used using vs was we
what whats when where which who why will with would you your
""".split())


def _norm(text: str) -> str:
    return " ".join(default_process(text).split())


def _content(text: str) -> str:
    """The words that tell questions apart, sorted: plain `ratio` on these is `token_sort_ratio`."""
    words = _norm(text).split()
    kept = [w for w in words if w not in _STOP_WORDS]
    return " ".join(sorted(kept or words))


def text_similarity(a: str, b: str) -> float:
    """Similarity of two question texts, 0..1: word order, case, punctuation and filler ignored.

    >>> text_similarity("How does Python manage memory?", "How is memory managed in Python?")
    0.96
    >>> text_similarity("What is the difference between a list and a tuple?",
    ...                    "What is the difference between a process and a thread?")
    0.33
    """
    if _norm(a) == _norm(b):
        return 1.0
    return round(fuzz.ratio(_content(a), _content(b)) / 100, 2)



@dataclass(frozen=True)
class Pair:
    """A new question and the released question it continues."""

    old: LockedQuestion
    ref: str
    text: str
    similarity: float
    how: str  # exact | edit (in place) | similar (inside a block) | moved | pinned


@dataclass(frozen=True)
class Alignment:
    """Where every question of the last release went."""

    new: tuple[tuple[str, str], ...] = ()  # (ref, text) of every new question, in source order
    pairs: Mapping[str, Pair] = field(default_factory=dict)  # new ref -> pair
    absorbed: Mapping[str, tuple[LockedQuestion, ...]] = field(default_factory=dict)  # merged into a new ref
    gone: tuple[LockedQuestion, ...] = ()  # in no source any more
    migrated: bool = False  # the lock knew notes only (version 1); its questions came from the catalog

    def guid_of(self, ref: str) -> str | None:
        pair = self.pairs.get(ref)
        return pair.old.guid if pair is not None else None

    @property
    def uncertain(self) -> tuple[tuple[str, str, float], ...]:
        """(old text, new text, similarity) of the pairings that look little alike, in source order."""
        order = {ref: n for n, (ref, _) in enumerate(self.new)}
        shaky = sorted((p for p in self.pairs.values() if p.how in ("edit", "similar") and p.similarity < UNCERTAIN),
                       key=lambda p: order.get(p.ref, 0))
        return tuple((p.old.text, p.text, p.similarity) for p in shaky)


def migrate(lock: Lock, questions: Sequence[Question]) -> tuple[LockedQuestion, ...]:
    """A version 1 lock's questions: it is current with today's sources, so each ref of a live
    note is today's question at that ref."""
    guid_of = {ref: e.guid for e in lock.entries if e.status == "active" for ref in e.refs}
    return tuple(LockedQuestion(q.ref, q.text, guid_of[q.ref]) for q in questions if q.ref in guid_of)


def _key(text: str) -> str:
    """Exact means the same characters; only runs of whitespace are not told apart."""
    return " ".join(text.split())


def align(old: Sequence[LockedQuestion], new: Sequence[Question], *, same: Iterable[Sequence[str]] = (),
          fresh: Iterable[str] = (), migrated: bool = False, overrides_path: object = None) -> Alignment:
    """Pair the last release's questions (`old`, in source order) with the catalog's (`new`).

    `same` holds (old ref, new ref) pins and `fresh` new refs that must pair with nothing but
    their own exact text (data/overrides.yaml `same:` and `new:`).
    """
    texts = [q.text for q in new]
    pairs: dict[int, tuple[int, float, str]] = {}  # new index -> (old index, similarity, how)
    taken: set[int] = set()
    fresh = set(fresh)

    def pair(j: int, i: int, sim: float, how: str) -> None:
        pairs[j] = (i, sim, how)
        taken.add(i)

    # 1. exact texts: within one source in order first, then across sources in order.
    old_by_text: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(old):
        old_by_text[_key(q.text)].append(i)
    new_by_text: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(texts):
        if _key(text) in old_by_text:
            new_by_text[_key(text)].append(j)
    for text, js in new_by_text.items():
        is_ = old_by_text[text]
        if len(is_) == len(js) == 1:
            pair(js[0], is_[0], 1.0, "exact")
            continue
        for j in js:
            i = next((i for i in is_ if i not in taken and old[i].source == new[j].source), None)
            if i is not None:
                pair(j, i, 1.0, "exact")
        for j in js:
            if j not in pairs:
                i = next((i for i in is_ if i not in taken), None)
                if i is not None:
                    pair(j, i, 1.0, "exact")

    # Pins: a pairing the maintainer confirmed, unless the new text is already an exact match
    # (then the pin was applied by an earlier release and has nothing left to do).
    old_at = {q.ref: i for i, q in enumerate(old)}
    new_at = {q.ref: j for j, q in enumerate(new)}
    for old_ref, new_ref in same:
        j = new_at.get(new_ref)
        if j is None:
            raise InputError(f"same: {new_ref} is not a question of any source; fix or remove the pin", overrides_path)
        if j in pairs:
            continue
        i = old_at.get(old_ref)
        if i is None:
            raise InputError(f"same: {old_ref} is not a question of the last release (the lock); fix or remove "
                             "the pin", overrides_path)
        if i not in taken:
            pair(j, i, text_similarity(old[i].text, texts[j]), "pinned")
    blocked = {new_at[r] for r in fresh if r in new_at}

    contents: dict[str, str] = {}

    def content(text: str) -> str:
        got = contents.get(text)
        if got is None:
            got = contents[text] = _content(text)
        return got

    # 2. per source, between anchors.
    absorbed: dict[int, list[int]] = defaultdict(list)

    def match_gap(og: list[int], ng: list[int]) -> None:
        """Old and new questions that sit between the same two anchors."""
        if len(og) == len(ng):
            for i, j in zip(og, ng):
                pair(j, i, _ratio(content(old[i].text), content(texts[j])), "edit")
            return
        found = _best_pairs([content(old[i].text) for i in og], [content(texts[j]) for j in ng], GAP_MATCH)
        for a, b, sim in found:
            pair(ng[b], og[a], sim, "similar")
        # A question merged from two keeps the closer one's identity and absorbs the other.
        paired_new = [ng[b] for _, b, _ in found]
        for i in og:
            if i in taken or not paired_new:
                continue
            sim, j = max((_ratio(content(old[i].text), content(texts[j])), j) for j in paired_new)
            if sim >= GAP_MATCH:
                absorbed[j].append(i)
                taken.add(i)

    old_by_source: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(old):
        old_by_source[q.source].append(i)
    new_by_source: dict[str, list[int]] = defaultdict(list)
    for j, q in enumerate(new):
        new_by_source[q.source].append(j)

    def gaps(is_: list[int], js: list[int], bounds: list[tuple[int, int]]) -> None:
        """Match the free questions between each two consecutive (new, old) positions of `bounds`."""
        free_old = [n for n, i in enumerate(is_) if i not in taken]
        free_new = [n for n, j in enumerate(js) if j not in pairs and j not in blocked]
        for (new_lo, old_lo), (new_hi, old_hi) in zip(bounds, bounds[1:]):
            if old_hi <= old_lo:
                continue
            og = [is_[n] for n in free_old[bisect.bisect_right(free_old, old_lo):bisect.bisect_left(free_old, old_hi)]]
            ng = [js[n] for n in free_new[bisect.bisect_right(free_new, new_lo):bisect.bisect_left(free_new, new_hi)]]
            og = [i for i in og if i not in taken]
            if og and ng:
                match_gap(og, ng)

    for source, js in new_by_source.items():
        is_ = old_by_source.get(source)
        if not is_:
            continue
        position = {i: n for n, i in enumerate(is_)}

        def paired_points() -> list[tuple[int, int]]:
            return [(n, position[pairs[j][0]]) for n, j in enumerate(js) if j in pairs and pairs[j][0] in position]

        # The longest run of pairs in order first: the diff's own anchors.
        gaps(is_, js, [(-1, -1), *_increasing_run(paired_points()), (len(js), len(is_))])
        # Then any two neighbours that kept their order, so an edit inside a block that moved
        # (two sections swapped) is still an edit in place.
        gaps(is_, js, paired_points())

    # 3. anywhere: moved and reworded.
    rest_old = [i for i in range(len(old)) if i not in taken]
    rest_new = [j for j in range(len(new)) if j not in pairs and j not in blocked]
    if rest_old and rest_new:
        found = _best_pairs([content(old[i].text) for i in rest_old], [content(texts[j]) for j in rest_new], MOVE_MATCH)
        for a, b, sim in found:
            pair(rest_new[b], rest_old[a], sim, "moved")

    return Alignment(
        new=tuple((q.ref, q.text) for q in new),
        pairs={new[j].ref: Pair(old[i], new[j].ref, texts[j], sim, how) for j, (i, sim, how) in sorted(pairs.items())},
        absorbed={new[j].ref: tuple(old[i] for i in ids) for j, ids in sorted(absorbed.items())},
        gone=tuple(old[i] for i in range(len(old)) if i not in taken),
        migrated=migrated,
    )


def _increasing_run(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of (new, old) positions increasing in both, new ascending (patience diff)."""
    tails: list[int] = []  # old position ending the best run of each length
    tail_at: list[int] = []  # index into points of that run's end
    back: list[int] = []
    for k, (_, o) in enumerate(points):
        n = bisect.bisect_left(tails, o)
        if n == len(tails):
            tails.append(o)
            tail_at.append(k)
        else:
            tails[n] = o
            tail_at[n] = k
        back.append(tail_at[n - 1] if n else -1)
    run: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        run.append(points[k])
        k = back[k]
    return run[::-1]


def _ratio(a: str, b: str) -> float:
    return 1.0 if a == b else round(fuzz.ratio(a, b) / 100, 2)


def _best_pairs(olds: list[str], news: list[str], cutoff: float) -> list[tuple[int, int, float]]:
    """One-to-one (old index, new index, similarity) pairs at or above `cutoff`, the closest first;
    ties go to the pair nearest in order."""
    scored: list[tuple[float, int, int, int]] = []
    if len(olds) * len(news) <= _MAX_GAP_PAIRS:
        for a, text in enumerate(olds):
            for _, score, b in process.extract(text, news, scorer=fuzz.ratio, processor=None,
                                               score_cutoff=cutoff * 100, limit=None):
                scored.append((-round(score / 100, 2), abs(a - b), a, b))
    else:
        # Too many to score every pair: only pairs sharing a word that few of them have.
        postings: dict[str, list[int]] = defaultdict(list)
        for a, text in enumerate(olds):
            for word in set(text.split()):
                postings[word].append(a)
        for b, text in enumerate(news):
            near = {a for word in set(text.split()) for a in postings.get(word, ()) if len(postings[word]) <= _MAX_POSTINGS}
            for a in near:
                sim = _ratio(olds[a], text)
                if sim >= cutoff:
                    scored.append((-sim, abs(a - b), a, b))
    scored.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for neg, _, a, b in scored:
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
            out.append((a, b, -neg))
    return out
