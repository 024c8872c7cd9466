"""How alike two questions are: rarity-weighted word overlap, title coverage and the optional embedding.

Each question becomes a set of stemmed content words (framing words dropped, abbreviations and
synonyms folded), weighted by rarity (kind words such as "function" or "pattern" count half).
A pair whose core clauses ask about different or more things scores at most the floor, whatever
the weights say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from qdeck.parallel import SERIAL, Pool
from qdeck.dedupe.candidates import embedding_neighbours, lexical_candidates
from qdeck.dedupe.features import Features, features
from qdeck.dedupe.vetoes import vetoed
from qdeck.dedupe.vocabulary import Vocabulary
from qdeck.models import Question

# The thresholds were set by reading the real lists' merges and checked on tests/labels/.
THRESHOLD = 0.62  # a candidate pair this similar starts a merge
LINK = 0.50  # two clusters merge when their cross pairs average this much
FLOOR = 0.30  # and none of their cross pairs is below this
TITLE_DISCOUNT = 0.65  # a title covered by a question that adds rarer words keeps this share
BROAD_TITLE_DISCOUNT = 0.6  # below the merge threshold: a one-word title only joins by linkage
BROAD_TITLE_EXTRA = 0.5  # ... unless what the question adds weighs at most this share of the title
KIND_WEIGHT = 0.5  # "a lambda function", "the pickle module": the kind of a thing says little about it
RARITY_FLOOR = 0.5  # added to every word's log rarity, so a word in every question still counts
# Optional sentence embeddings: cosine above COSINE_ZERO counts, rescaled so that COSINE_ZERO -> 0
# and 1 -> 1, and the better of the two signals wins. Set on the labelled sets with MiniLM.
COSINE_ZERO = 0.30
BLEND = 0.30  # weight of the lexical score in the blended one
NEIGHBOURS = 8  # embedding neighbours proposed per question, beside the lexical candidates
# Weights in fixed point: integer sums are exact, so a score never depends on set iteration
# order (the hash seed), and summing ints is several times faster than math.fsum.
_FIXED_ONE = 1 << 32


def _memoized(store: dict[tuple[str, str], Any], compute: Callable[[str, str], Any], ref_a: str, ref_b: str) -> Any:
    """A pair's value, computed once whichever way round the pair is asked for."""
    key = (ref_a, ref_b) if ref_a < ref_b else (ref_b, ref_a)
    value = store.get(key)
    if value is None:
        value = store[key] = compute(*key)
    return value


@dataclass
class Matcher:
    """Scores pairs of questions; holds the corpus statistics the scores need."""

    vocab: Vocabulary
    features: dict[str, Features]
    weight: dict[str, float]
    threshold: float = THRESHOLD
    link: float = LINK
    floor: float = FLOOR
    title_discount: float = TITLE_DISCOUNT
    # Optional sentence embeddings (unit vectors by ref).
    vectors: Mapping[str, Any] | None = None
    core_vectors: Mapping[str, Any] | None = None  # of each core clause; the text's own vector by default
    cosine_zero: float = COSINE_ZERO
    blend: float = BLEND
    neighbours: int = NEIGHBOURS
    pool: Pool = SERIAL  # where many pairs are scored and look-alikes found
    _scores: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    _fixed: dict[str, int] = field(default_factory=dict, repr=False)
    _totals: dict[frozenset[str], int] = field(default_factory=dict, repr=False)
    _vetoes: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._fixed = {w: round(v * _FIXED_ONE) for w, v in self.weight.items()}

    @classmethod
    def build(cls, questions: Sequence[Question], vocab: Vocabulary, pool: Pool = SERIAL) -> "Matcher":
        texts = [q.text for q in questions]
        found = dict(zip((q.ref for q in questions),
                         pool.map(lambda text: features(text, vocab), texts, label="reading questions")))
        df: dict[str, int] = {}
        for f in found.values():
            for w in f.full | f.core:
                df[w] = df.get(w, 0) + 1
        n = max(len(found), 1)
        weight = {w: math.log((n + 1) / c) + RARITY_FLOOR for w, c in df.items()}
        for w in vocab.kinds & weight.keys():
            weight[w] *= KIND_WEIGHT
        return cls(vocab, found, weight, pool=pool)

    def mass(self, words: frozenset[str]) -> int:
        """The words' summed weight, in fixed point."""
        # A question's word sets meet many others: their totals are summed once (frozensets cache their hash).
        total = self._totals.get(words)
        if total is None:
            total = self._totals[words] = sum(map(self._fixed.__getitem__, words))
        return total

    def jaccard(self, a: frozenset[str], b: frozenset[str]) -> float:
        """The weight the two word sets share over the weight of their union."""
        if not a or not b:
            return 0.0
        shared = sum(map(self._fixed.__getitem__, a & b))
        union = self.mass(a) + self.mass(b) - shared  # exact: integer weights
        return shared / union if union else 0.0

    def covered(self, part: frozenset[str], whole: frozenset[str]) -> float:
        """The share of `part`'s weight that `whole` holds (`part`: words of the corpus)."""
        total = self.mass(part)
        return sum(map(self._fixed.__getitem__, part & whole)) / total if total else 0.0

    def vetoed(self, ref_a: str, ref_b: str) -> bool:
        """A swapped code token or number, or a known contrast, makes look-alikes different questions."""
        return _memoized(self._vetoes, self._vetoed, ref_a, ref_b)

    def _vetoed(self, ref_a: str, ref_b: str) -> bool:
        return vetoed(self.features[ref_a], self.features[ref_b], self.vocab.kinds)

    def similarity(self, ref_a: str, ref_b: str) -> float:
        return _memoized(self._scores, self._similarity, ref_a, ref_b)

    def score_pairs(self, pairs: Sequence[tuple[str, str]], span: int = 20_000) -> list[float]:
        """`similarity` of each pair (a < b), on forked workers for many pairs; all are memoized."""
        if len(pairs) < self.pool.min_items:
            return [self.similarity(a, b) for a, b in pairs]
        # Workers inherit `pairs` and get only slice bounds, so no pair is pickled on the way out.
        bounds = [(i, min(i + span, len(pairs))) for i in range(0, len(pairs), span)]
        parts = self.pool.map(lambda b: [self._similarity(*p) for p in pairs[b[0]:b[1]]], bounds, min_items=1)
        scores = [score for part in parts for score in part]
        self._scores.update(zip(pairs, scores))
        return scores

    def candidates(self, refs: Sequence[str]) -> set[tuple[str, str]]:
        """The pairs worth scoring (a < b): lexical look-alikes, and embedding neighbours when there are vectors."""
        pairs = lexical_candidates(refs, self.features, self.weight, self._fixed, pool=self.pool)
        if self.vectors is not None:
            pairs |= embedding_neighbours(refs, self.vectors, self.neighbours, self.cosine_zero)
        return pairs

    def _similarity(self, ref_a: str, ref_b: str) -> float:
        fa, fb = self.features[ref_a], self.features[ref_b]
        score = max(self.jaccard(fa.full, fb.full), self.jaccard(fa.core, fb.core))
        # What a question asks is in its core clause. A content word one core names and the other
        # question never does makes it another question ("Logging around X" / "Retry logic around
        # X") or a narrower one ("What is X?" / "Profiling X"), however rare the words they share.
        # On its words, such a pair scores at most the floor: it never starts a merge, and shares a
        # note only inside a cluster whose other pairs carry the average (a maintainer's merge, a
        # title) or where the embedding says they ask the same. The rule reads the two texts only,
        # so it holds at any corpus size, where the rarity weights alone let a large corpus's many
        # aspects of one term ("profiling X", "X in a web service") all join its "What is X?".
        if self.asks_more(fa, fb) or self.asks_more(fb, fa):
            score = min(score, self.floor)
        # One list rarely asks the same question twice, so look-alikes within a source need
        # word-level evidence: the embedding only joins questions of different sources.
        if self.vectors is not None and ref_a.rpartition("#")[0] != ref_b.rpartition("#")[0]:
            cosine = float(self.vectors[ref_a] @ self.vectors[ref_b])
            # Add-ons ("...: packages, tests, docs. Provide a sample layout.") pull a text's vector
            # away from what it asks; the core clauses compare the questions themselves.
            if self.core_vectors is not None:
                cosine = max(cosine, float(self.core_vectors[ref_a] @ self.core_vectors[ref_b]))
            semantic = (cosine - self.cosine_zero) / (1.0 - self.cosine_zero)
            score = max(score, self.blend * score + (1.0 - self.blend) * semantic)
        # A heading-style title names its topic only; the full question it heads covers it,
        # in its core clause or in the code it names ("Explain exception handling: `try/except`").
        # A comparison title ("Functional vs OOP approach") is no question that does not compare
        # ("What is OOP?"), however many words they share: it joins one only through a cluster's
        # linkage, never starts a merge with it.
        if fa.fragment != fb.fragment:
            title, other = (fa, fb) if fa.fragment else (fb, fa)
            if title.comparison and not other.comparison:
                return min(score, self.link)
            target = other.core | other.code
            # A title heads only a question that names each of its words ("Profiling X" heads no
            # "What is X?"); kind words aside ("Lambda functions" / "What is a lambda?").
            if title.core - target - self.vocab.kinds:
                return score
            score = max(score, self.covered(title.core, target) * self._title_share(title, other))
        return score

    def asks_more(self, asking: Features, other: Features) -> bool:
        """`asking`'s core clause names a content word, other than a kind word, that `other` never names."""
        return not asking.core - other.every <= self.vocab.kinds

    def _title_share(self, title: Features, other: Features) -> float:
        """Discount coverage when the full question adds more than the title says.

        A title of two or more words is discounted only when the question adds rarer words,
        and keeps enough to start a merge ("Dependency conflicts" heads "How would you handle
        a dependency conflict where library A needs X>=2.0 and library B needs X<2.0?"). A
        one-word topic ("Caching", "asyncio basics") is too broad to head a question that adds
        much to it ("Design a caching decorator"): it joins one only through a cluster's linkage.
        """
        extra = other.core - title.core
        if not extra:
            return 1.0
        if len(title.core) < 2:
            return 1.0 if self.mass(extra) <= BROAD_TITLE_EXTRA * self.mass(title.core) else BROAD_TITLE_DISCOUNT
        if max(self.weight[w] for w in extra) <= max(self.weight[w] for w in title.core):
            return 1.0
        return self.title_discount
