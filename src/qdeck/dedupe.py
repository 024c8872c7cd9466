"""Dedupe stage: cluster questions that ask the same thing into one note each.

Matching is lexical and driven by data/dedupe.yaml: each question becomes a set of
stemmed content words (framing words dropped, abbreviations and synonyms folded),
weighted by rarity (kind words such as "function" or "module" count half). Candidates
come from inverted indexes of each question's rarest words and of its core-clause words,
so only questions sharing a rare word are ever scored (sub-quadratic). Two
clusters merge only when every cross pair agrees (no transitive chaining) and no
contrast veto fires (`10 / 3` vs `10 // 3`, `s[:4]` vs `s[4:]`).
"""

from __future__ import annotations

from operator import itemgetter
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import snowballstemmer

from qdeck import config, parallel
from qdeck.config.schema import DedupeFile, OverridesFile
from qdeck.models import Answer, Note, Question

_TOKEN = re.compile(
    r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*(?:\(\))?|\d+(?:\.\d+)?\+?|//|==|!=|<=|>=|\*\*|\+=|-=|[/%=<>&|^~@+*-]"
)
_JOINER = re.compile(r"(?<=[a-z])[-/](?=[a-z])")
_PARENS = re.compile(r"\([^()]*\)")
_CLAUSE = re.compile(
    r"(?<=[?.;!])\s+|:\s+|\s+[—–]\s+|\s+-\s+|,?\s+and\s+(?:(?:in|for|under|with)\s+)?(?=(?:how|why|what|when|where|which)\b)",
    re.IGNORECASE,
)
_CODE_SPAN = re.compile(r"`([^`]+)`")
_EXPRESSION = re.compile(r"[^a-z0-9_.]")
_NAME = re.compile(r"[a-z_][a-z0-9_.]*")
_ENCLOSED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|\"[^\"]*\"|'[^']*'")
_COMPARISON = re.compile(
    r"\b(?:vs\.?|versus|compared?|comparison|contrast|differ|different|difference|differences|instead)\b", re.IGNORECASE
)
_DEFINITION = re.compile(r"\bwhat(?:'s| is| are)\b", re.IGNORECASE)
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=None)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word) if word.isalpha() else word


@dataclass(frozen=True)
class Vocabulary:
    """The matching vocabulary from data/dedupe.yaml."""

    phrases: Mapping[str, str]  # lowercase phrase or token -> replacement words
    framing: frozenset[str]
    contrasts: frozenset[frozenset[str]]  # groups of alternatives (stemmed)
    kinds: frozenset[str] = frozenset()  # stemmed words naming what kind of thing a term is
    numbered: frozenset[str] = frozenset()  # names written with or against a number: "PEP 8", "PEP8"

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        return config.load(path, DedupeFile, build=cls.from_shape, empty=DedupeFile())

    @classmethod
    def from_shape(cls, raw: DedupeFile) -> "Vocabulary":
        phrases: dict[str, str] = {}
        for abbr, long_form in raw.abbreviations.items():
            phrases[long_form.lower()] = abbr.lower()
        for variant, canonical in raw.synonyms.items():
            phrases[variant.lower()] = canonical.lower()
        framing = frozenset(w.lower() for w in raw.framing)
        contrasts = frozenset(frozenset(stem(w.lower()) for w in group) for group in raw.contrasts)
        kinds = frozenset(stem(w.lower()) for w in raw.kinds)
        numbered = frozenset(w.lower() for w in raw.numbered)
        return cls(phrases, framing, contrasts, kinds, numbered)

    # Compiled once per vocabulary: content_words runs on every question of the corpus.
    @cached_property
    def phrase_pattern(self) -> re.Pattern[str]:
        alternatives = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        return re.compile(rf"(?<![\w@.])(?:{alternatives})(?:e?s)?(?![\w])")

    @cached_property
    def numbered_pattern(self) -> re.Pattern[str] | None:
        if not self.numbered:
            return None
        alternatives = "|".join(re.escape(w) for w in sorted(self.numbered, key=len, reverse=True))
        return re.compile(rf"\b({alternatives})[\s-]?(\d+)\b")

    @cached_property
    def abbreviation_pattern(self) -> tuple[dict[str, str], re.Pattern[str]] | None:
        """Abbreviation -> long form, and a pattern finding the abbreviations in a text."""
        longs = {short: long for long, short in self.phrases.items() if " " in long and " " not in short}
        if not longs:
            return None
        alternatives = "|".join(re.escape(k) for k in sorted(longs, key=len, reverse=True))
        return longs, re.compile(rf"\b({alternatives})\b", re.IGNORECASE)


def content_words(text: str, vocab: Vocabulary) -> frozenset[str]:
    """The stemmed words that say what a question is about.

    >>> v = Vocabulary({"global interpreter lock": "gil"}, frozenset({"what", "is", "the"}), frozenset())
    >>> sorted(content_words("What is the Global Interpreter Lock?", v))
    ['gil']
    """
    return frozenset(word for word, content in _words(text, vocab) if content)


def word_shape(text: str, vocab: Vocabulary) -> tuple[str, ...]:
    """The question's words in order: content words stemmed and folded, framing words marked "#".

    >>> v = Vocabulary({"dict": "dictionary"}, frozenset({"how", "do", "you", "a", "in"}), frozenset())
    >>> word_shape("How do you get all keys in a dict?", v)
    ('#how', '#do', '#you', 'get', 'all', 'key', '#in', '#a', 'dictionari')
    """
    return tuple(word if content else _marked(word) for word, content in _words(text, vocab))


@lru_cache(maxsize=None)
def _marked(framing: str) -> str:
    # One string per framing word, shared by every shape: 100,000 questions hold about a million.
    return "#" + framing


_MAIN_GUARD = re.compile(
    r"""(?:\bif\s+)?__name__\s*==\s*(["'])__main__\1\s*:?(?:\s*(?:block|guard|idiom|check)\b)?"""
    r"|__main__\s+(?:block|guard|idiom|check)\b"
)


def main_guard(text: str) -> str:
    """The script entry point, however it is spelled, becomes one word (`if` and "main" are framing
    words, so each spelling kept only its leftovers: "block" on one side, `==` and "name" on the other).

    >>> main_guard('what is the __main__ block?'), main_guard("if __name__ == '__main__': block")
    ('what is the  mainguard ?', ' mainguard ')
    """
    return _MAIN_GUARD.sub(" mainguard ", text)


def numbered_name(text: str, vocab: Vocabulary) -> str:
    """A name and its number apart, however they are written: "pep8" and "pep-8" read "pep 8".

    >>> numbered_name("what is pep8? and pep-20?", Vocabulary({}, frozenset(), frozenset(), numbered=frozenset({"pep"})))
    'what is pep 8? and pep 20?'
    """
    pattern = vocab.numbered_pattern
    return pattern.sub(r"\1 \2", text) if pattern is not None else text


def _words(text: str, vocab: Vocabulary) -> Iterator[tuple[str, bool]]:
    """Each word in order, as (stemmed content word, True) or (framing word, False)."""
    # Spaces collapse so that a phrase matches across the gap a dropped backtick leaves.
    text = main_guard(numbered_name(" ".join(text.lower().replace("`", " ").split()), vocab))
    text = _JOINER.sub(" ", text)
    if vocab.phrases:
        text = vocab.phrase_pattern.sub(lambda m: f" {_replacement(m.group(0), vocab)} ", text)
    for token in _TOKEN.findall(text):
        token = token.removesuffix("()")
        token = vocab.phrases.get(token, token)
        if token in vocab.framing:  # "e.g" before it splits into "e" and "g"
            yield token, False
            continue
        for part in token.split():
            for piece in _pieces(part):
                if piece:
                    yield (piece, False) if piece in vocab.framing else (stem(piece), True)


def _replacement(matched: str, vocab: Vocabulary) -> str:
    # The pattern allows a plural "s" or "es": try the word as written, then without either.
    for key in (matched, matched[:-1], matched[:-2]):
        if key in vocab.phrases:
            return vocab.phrases[key]
    return matched


def _pieces(token: str) -> list[str]:
    """Dotted names count as their parts; dunder names as their bare word."""
    if "." in token and not token[0].isdigit():
        return [p.strip("_") for p in token.split(".")]
    return [token.strip("_") if token.startswith("__") else token]


def core_text(text: str) -> str:
    """The first clause of a question: what it asks before the add-ons.

    >>> core_text("Explain decorators: basic decorator that logs entry/exit.")
    'Explain decorators'
    >>> core_text("What is the GIL (Global Interpreter Lock)? When is it released?")
    'What is the GIL ?'
    """
    stripped = _PARENS.sub("", text)
    for clause in _CLAUSE.split(stripped):
        if clause.strip():
            return clause.strip()
    return text


def code_words(text: str, vocab: Vocabulary, words: frozenset[str] | None = None) -> frozenset[str]:
    """Content words written as code or numbers: swapping one changes the question.
    (`words`: the text's content words, when the caller has them.)

    >>> v = Vocabulary({}, frozenset({"what", "is", "the", "of"}), frozenset())
    >>> sorted(code_words("What is the result of `10 // 3`?", v))
    ['//', '10', '3']
    """
    spans = " ".join(_CODE_SPAN.findall(text))
    coded = content_words(spans, vocab) if spans else frozenset()
    bare = {w for w in (content_words(text, vocab) if words is None else words) if not w.isalpha()}
    return coded | bare


def code_literals(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Code spans that are expressions, not bare names, grouped by the names outside their
    brackets and quotes: `bool("")`, `bool([])` and `bool(None)` apply one name to other values.
    Spacing is dropped.

    >>> code_literals('Is `s[:4]`, `bool("")`, `sorted()` or `__repr__` it?')
    ((frozenset({'s'}), frozenset({'s[:4]'})), (frozenset({'bool'}), frozenset({'bool("")'})))
    """
    found: dict[frozenset[str], set[str]] = defaultdict(set)
    for span in _CODE_SPAN.findall(text):
        literal = re.sub(r"\s+", "", span.lower())
        if not _EXPRESSION.search(literal.removesuffix("()")):
            continue
        outside, inside = span, ""
        while inside != outside:
            inside, outside = outside, _ENCLOSED.sub(" ", outside)
        # The names as written: a one-letter variable (`s[:4]`) is no framing word here.
        names = frozenset(_NAME.findall(outside.lower()))
        if names:
            found[names].add(literal)
    # A tuple, not a dict: most questions have none, and every empty tuple is one object.
    return tuple((names, frozenset(literals)) for names, literals in found.items())


def _other_values(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Each side writes an expression that is no part of the other's, nor they of it
    (`__name__ == "__main__"` is part of `if __name__ == "__main__":`)."""
    def unmatched(side: frozenset[str], other: frozenset[str]) -> bool:
        return any(not any(a in b or b in a for b in other) for a in side)

    return unmatched(mine, theirs) and unmatched(theirs, mine)


def _one_word_apart(a: tuple[str, ...], b: tuple[str, ...], kinds: frozenset[str]) -> bool:
    """Same words in the same places but one content word, which is no kind word (the `print`
    "statement" or "function").

    >>> _one_word_apart(("#what", "#is", "list"), ("#what", "#is", "tupl"), frozenset())
    True
    >>> _one_word_apart(("#what", "#is", "list"), ("#explain", "list"), frozenset())
    False
    """
    if len(a) != len(b) or a == b:
        return False
    differ = [(x, y) for x, y in zip(a, b) if x != y]
    if len(differ) != 1:
        return False
    (x, y), = differ
    return x[0] != "#" and y[0] != "#" and x not in kinds and y not in kinds


def compares(text: str) -> bool:
    """Asks how alternatives differ: in so many words, or by asking what each of two things is.

    >>> compares("List vs Tuple"), compares("What is a class and what is an object?"), compares("What is a set?")
    (True, True, False)
    """
    return bool(_COMPARISON.search(text)) or len(_DEFINITION.findall(text)) >= 2


def is_fragment(text: str) -> bool:
    """A heading-style title ("Mutable default argument problem"), not a sentence.

    >>> is_fragment("Slots (__slots__)"), is_fragment("What is a generator?")
    (True, False)
    """
    return not text.rstrip().endswith(("?", ".")) and len(text.split()) <= 6


@dataclass(frozen=True)
class Features:
    full: frozenset[str]
    core: frozenset[str]
    code: frozenset[str]
    fragment: bool
    contrasts: Mapping[frozenset[str], frozenset[str]] = field(default_factory=dict)  # group -> words named
    every: frozenset[str] = frozenset()  # all its words, parentheses included
    comparison: bool = False  # asks how alternatives differ ("X vs Y", "compare", "difference")
    literals: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()  # see code_literals
    shape: tuple[str, ...] = ()  # see word_shape


def _contrast_members(words: frozenset[str], vocab: Vocabulary) -> dict[frozenset[str], frozenset[str]]:
    return {g: words & g for g in _groups_by_word(vocab.contrasts).get_all(words)}


class _GroupIndex:
    """Which contrast groups a word belongs to, so a veto looks only at groups both sides name."""

    def __init__(self, groups: frozenset[frozenset[str]]) -> None:
        self.by_word: dict[str, list[frozenset[str]]] = defaultdict(list)
        for group in groups:
            for word in group:
                self.by_word[word].append(group)

    def get_all(self, words: Iterable[str]) -> set[frozenset[str]]:
        return {g for w in words for g in self.by_word.get(w, ())}


@lru_cache(maxsize=8)
def _groups_by_word(groups: frozenset[frozenset[str]]) -> _GroupIndex:
    return _GroupIndex(groups)


def _features(text: str, vocab: Vocabulary) -> Features:
    # A parenthesis restates ("an object (instance)") or adds an aside ("(show an example)"):
    # the words outside it say what is asked, unless it holds the only ones ("Slots (__slots__)").
    shape = word_shape(text, vocab)
    every = frozenset(word for word in shape if word[0] != "#")
    plain = _PARENS.sub(" ", text)
    full = (content_words(plain, vocab) if plain != text else every) or every
    return Features(full, content_words(core_text(text), vocab), code_words(text, vocab, every), is_fragment(text),
                    _contrast_members(full, vocab), every, compares(text),
                    code_literals(text), shape)


KIND_WEIGHT = 0.5
BROAD_TITLE_DISCOUNT = 0.6  # below the merge threshold: a one-word title only joins by linkage
BROAD_TITLE_EXTRA = 0.5  # ... unless what the question adds weighs at most this share of the title


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
    threshold: float = 0.62  # a candidate pair this similar starts a merge
    link: float = 0.50  # two clusters merge when their cross pairs average this much
    floor: float = 0.30  # and none of their cross pairs is below this
    title_discount: float = 0.65  # a title covered by a question that adds rarer words
    # Optional sentence embeddings (unit vectors by ref): cosine above `cosine_zero` counts,
    # rescaled so that `cosine_zero` -> 0 and 1 -> 1, and the better of the two signals wins.
    vectors: Mapping[str, Any] | None = None
    core_vectors: Mapping[str, Any] | None = None  # of each core clause; the text's own vector by default
    cosine_zero: float = 0.30
    blend: float = 0.30  # weight of the lexical score in the blended one
    neighbours: int = 8
    _scores: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    # Weights in fixed point: integer sums are exact, so a score never depends on set iteration
    # order (the hash seed), and summing ints is several times faster than math.fsum.
    _fixed: dict[str, int] = field(default_factory=dict, repr=False)
    _totals: dict[frozenset[str], int] = field(default_factory=dict, repr=False)
    _vetoes: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._fixed = {w: round(v * (1 << 32)) for w, v in self.weight.items()}

    @classmethod
    def build(cls, questions: Sequence[Question], vocab: Vocabulary) -> "Matcher":
        texts = [q.text for q in questions]
        features = dict(zip((q.ref for q in questions),
                            parallel.map_ordered(lambda text: _features(text, vocab), texts,
                                                 label="reading questions")))
        df: dict[str, int] = defaultdict(int)
        for f in features.values():
            for w in f.full | f.core:
                df[w] += 1
        n = max(len(features), 1)
        weight = {w: math.log((n + 1) / c) + 0.5 for w, c in df.items()}
        # "a lambda function", "the pickle module": the kind of a thing says little about it.
        for w in vocab.kinds & weight.keys():
            weight[w] *= KIND_WEIGHT
        return cls(vocab, features, weight)

    def _total(self, words: frozenset[str]) -> int:
        # A question's word sets meet many others: their totals are summed once (frozensets cache their hash).
        total = self._totals.get(words)
        if total is None:
            total = self._totals[words] = sum(map(self._fixed.__getitem__, words))
        return total

    def _jaccard(self, a: frozenset[str], b: frozenset[str]) -> float:
        if not a or not b:
            return 0.0
        shared = sum(map(self._fixed.__getitem__, a & b))
        union = self._total(a) + self._total(b) - shared  # exact: integer weights
        return shared / union if union else 0.0

    def _covered(self, part: frozenset[str], whole: frozenset[str]) -> float:
        total = self._total(part)
        return sum(map(self._fixed.__getitem__, part & whole)) / total if total else 0.0

    def vetoed(self, ref_a: str, ref_b: str) -> bool:
        """A swapped code token or number, or a known contrast, makes look-alikes different questions."""
        return _memoized(self._vetoes, self._vetoed, ref_a, ref_b)

    def similarity(self, ref_a: str, ref_b: str) -> float:
        return _memoized(self._scores, self._similarity, ref_a, ref_b)

    def score_pairs(self, pairs: Sequence[tuple[str, str]], span: int = 20_000) -> list[float]:
        """`similarity` of each pair (a < b), on forked workers for many pairs; all are memoized."""
        if len(pairs) < parallel.MIN_ITEMS:
            return [self.similarity(a, b) for a, b in pairs]
        # Workers inherit `pairs` and get only slice bounds, so no pair is pickled on the way out.
        bounds = [(i, min(i + span, len(pairs))) for i in range(0, len(pairs), span)]
        parts = parallel.map_ordered(lambda b: [self._similarity(*p) for p in pairs[b[0]:b[1]]], bounds, min_items=1)
        scores = [score for part in parts for score in part]
        self._scores.update(zip(pairs, scores))
        return scores

    def _similarity(self, ref_a: str, ref_b: str) -> float:
        fa, fb = self.features[ref_a], self.features[ref_b]
        score = max(self._jaccard(fa.full, fb.full), self._jaccard(fa.core, fb.core))
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
            score = max(score, self._covered(title.core, target) * self._jaccard_floor(title, other))
        return score

    def _jaccard_floor(self, title: Features, other: Features) -> float:
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
            return 1.0 if self._total(extra) <= BROAD_TITLE_EXTRA * self._total(title.core) else BROAD_TITLE_DISCOUNT
        if max(self.weight[w] for w in extra) <= max(self.weight[w] for w in title.core):
            return 1.0
        return self.title_discount

    def _vetoed(self, ref_a: str, ref_b: str) -> bool:
        fa, fb = self.features[ref_a], self.features[ref_b]
        # A code word the other question names in prose (`import` vs "import system") is no swap.
        code_a, code_b = fa.code - fb.every, fb.code - fa.every
        if code_a and code_b:
            return True
        # An operator or number only one side has (`=` vs `==`) is a different question too.
        if fa.code and fb.code and any(not w.isalpha() for w in code_a | code_b):
            return True
        # The same names in other punctuation (`s[:4]` vs `s[4:]`, `bool("")` vs `bool([])`) ask
        # about other values.
        if fa.literals and fb.literals:
            theirs = dict(fb.literals)
            if any(_other_values(written, theirs[names]) for names, written in fa.literals if names in theirs):
                return True
        # Written alike but for one content word ("How do you get all keys / values in a dict?"),
        # two questions ask about that word's difference.
        if _one_word_apart(fa.shape, fb.shape, self.vocab.kinds):
            return True
        # Two questions naming different members of one contrast group ask different things.
        return any(fb.contrasts[g] != named for g, named in fa.contrasts.items() if g in fb.contrasts)

    def candidates(self, refs: Sequence[str], per_question: int = 4, max_postings: int = 400,
                   keep: int = 24) -> set[tuple[str, str]]:
        """For each question, the `keep` others sharing the most weight among its rarest words.

        Only these pairs are ever scored, so the work per question is bounded by
        `2 * per_question * max_postings` whatever the corpus size: near-linear, not quadratic.
        A word in more than `max_postings` questions is too common to find a duplicate by.
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
            f, i = self.features[ref], number[ref]
            keys[i] = sorted(f.full | f.core, key=lambda w: (-self.weight[w], w))[:per_question]
            for w in keys[i]:
                by_key[w].append(i)
            for w in sorted(f.core):
                by_core[w].append(i)

        fixed = self._fixed

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
                for bucket, weight in buckets[1:]:
                    for other in bucket:
                        shared[other] = get(other, 0) + weight
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
        for i, found in zip(mine, parallel.map_ordered(nearest, mine, label="finding look-alikes")):
            pairs.update((ordered[i], ordered[o]) if i < o else (ordered[o], ordered[i]) for o in found)
        if self.vectors is not None:
            pairs |= self._nearest_pairs(refs)
        return pairs

    def _nearest_pairs(self, refs: Sequence[str], block: int = 1024) -> set[tuple[str, str]]:
        """Each question's nearest neighbours by embedding, a block of rows at a time."""
        import numpy as np

        assert self.vectors is not None
        matrix = np.stack([self.vectors[r] for r in refs])
        k = min(self.neighbours, len(refs) - 1)
        pairs: set[tuple[str, str]] = set()
        if k <= 0:
            return pairs
        for start in range(0, len(refs), block):
            scores = matrix[start : start + block] @ matrix.T
            for row, top in enumerate(np.argpartition(-scores, k, axis=1)[:, : k + 1]):
                ref = refs[start + row]
                for j in top:
                    other = refs[int(j)]
                    if other != ref and scores[row, j] > self.cosine_zero:
                        pairs.add((ref, other) if ref < other else (other, ref))
        return pairs


@dataclass(frozen=True)
class Overrides:
    """Maintainers' corrections from data/overrides.yaml."""

    merge: tuple[tuple[str, ...], ...] = ()
    split: tuple[tuple[str, ...], ...] = ()
    canonical: Mapping[str, str] = field(default_factory=dict)
    tier: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    same: tuple[tuple[str, str], ...] = ()  # (OLD_REF in the lock, NEW_REF): one question (identity)
    new: tuple[str, ...] = ()  # refs that are new questions, whatever the alignment says (identity)

    @classmethod
    def load(cls, path: Path | None, known_refs: Iterable[str]) -> "Overrides":
        if path is None:
            return cls()
        known = set(known_refs)
        return config.load(path, OverridesFile, build=lambda raw: cls.from_shape(raw, known), empty=OverridesFile())

    @classmethod
    def from_shape(cls, raw: OverridesFile, known: set[str]) -> "Overrides":
        """The overrides of a checked file; a ref no source has is an error (config.Invalid) at its entry."""
        named: list[tuple[tuple[str | int, ...], str]] = [
            ((key, i, j), ref) for key in ("merge", "split") for i, group in enumerate(getattr(raw, key))
            for j, ref in enumerate(group)
        ]
        named += [((key, ref), ref) for key in ("canonical", "tier", "topics") for ref in getattr(raw, key)]
        # an OLD_REF of `same:` names the lock's past, so only its NEW_REF must exist now
        named += [(("same", i, 1), pair[1]) for i, pair in enumerate(raw.same)]
        named += [(("new", i), ref) for i, ref in enumerate(raw.new)]
        # A recipe may build from some of the lists: entries about a list it leaves out do not apply.
        sources = {ref.rpartition("#")[0] for ref in known}

        def used(ref: str) -> bool:
            return ref.rpartition("#")[0] in sources

        unknown = [(loc, ref) for loc, ref in named if used(ref) and ref not in known]
        if unknown:
            refs = ", ".join(sorted({ref for _, ref in unknown}))
            raise config.Invalid(unknown[0][0], f"override names unknown ref(s): {refs}; fix or remove them")
        merge, split = ([kept for kept in (tuple(filter(used, g)) for g in groups) if len(kept) > 1]
                        for groups in (raw.merge, raw.split))
        return cls(
            merge=tuple(merge),
            split=tuple(split),
            canonical={ref: text for ref, text in raw.canonical.items() if used(ref)},
            tier={ref: str(value) for ref, value in raw.tier.items() if used(ref)},
            topics={ref: (value,) if isinstance(value, str) else tuple(value) for ref, value in raw.topics.items()
                    if used(ref)},
            same=tuple(pair for pair in raw.same if used(pair[1])),
            new=tuple(ref for ref in raw.new if used(ref)),
        )


@dataclass(frozen=True)
class LastRelease:
    """The notes of the last release, as groups of new refs (from the identity alignment).

    Clustering starts from them: a question stays in its note unless its own text changed so
    much that the matcher would no longer join it, and two clusters that each hold an
    unchanged question never merge, so editing one question never moves another.
    """

    groups: tuple[tuple[str, ...], ...] = ()
    unchanged: frozenset[str] = frozenset()  # refs whose text is exactly as released
    canonical: Mapping[str, tuple[int, bool]] = field(default_factory=dict)  # ref -> rank: was its note's question


def _family(q: Question) -> str:
    """A deep-dive answer and its follow-ups share a family; they are never one note."""
    return q.follow_up_of or q.ref


@lru_cache(maxsize=1 << 18)
def natural_key(ref: str) -> tuple[str, tuple[int, ...]]:
    source, _, number = ref.rpartition("#")
    digits = tuple(int(p) for p in re.findall(r"\d+", number))
    return source, digits


def cluster(questions: Sequence[Question], matcher: Matcher, overrides: Overrides = Overrides(),
            previous: LastRelease | None = None) -> list[list[str]]:
    """Groups of refs, each one note; independent of input order. `previous` seeds the clusters."""
    by_ref = {q.ref: q for q in questions}
    refs = sorted(by_ref, key=natural_key)
    parent = {r: r for r in refs}
    members: dict[str, list[str]] = {r: [r] for r in refs}
    forbidden = {frozenset((a, b)) for g in overrides.split for a in g for b in g if a != b}

    def find(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def union(a: str, b: str) -> None:
        ra, rb = sorted((find(a), find(b)), key=natural_key)
        if ra != rb:
            parent[rb] = ra
            members[ra].extend(members.pop(rb))

    for group in overrides.merge:
        for other in group[1:]:
            union(group[0], other)

    family = {r: _family(q) for r, q in by_ref.items()}
    parent_of = {r: q.follow_up_of for r, q in by_ref.items()}
    similarity, vetoed, floor = matcher.similarity, matcher.vetoed, matcher.floor

    def allowed(a: str, b: str) -> bool:
        """The checks that depend on the two texts alone, never on the rest of the corpus."""
        if family[a] == family[b] or parent_of[a] == b or parent_of[b] == a:
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
            for r in sorted((r for r in group if r in by_ref), key=lambda r: (r not in previous.unchanged, natural_key(r))):
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
            scored.append((-score, natural_key(a), natural_key(b), a, b))
    for _, _, _, a, b in sorted(scored):
        ra, rb = find(a), find(b)
        if ra == rb or (ra in settled and rb in settled):
            continue
        if compatible(members[ra], members[rb]):
            union(ra, rb)
            if ra in settled or rb in settled:
                settled.add(find(ra))
    groups = [sorted(m, key=natural_key) for m in members.values()]
    return sorted(groups, key=lambda g: natural_key(g[0]))


_QUESTION_START = re.compile(
    r"^(what|how|why|when|which|who|where|is|are|do|does|can|should|explain|describe|compare|"
    r"write|implement|design|give|show|discuss|define|name|list|create|find|given|tell)\b",
    re.IGNORECASE,
)


def clarity(q: Question) -> tuple[int, int, int, int]:
    """Rank phrasings: a full-sentence single question reads best, and the plainest is the shortest."""
    text = q.text
    full_sentence = bool(_QUESTION_START.match(text)) and text.rstrip().endswith(("?", "."))
    sentences = len(re.findall(r"[?.!](?:\s|$)", text))
    return (int(full_sentence), int(text.rstrip().endswith("?")), -max(sentences - 1, 0), -len(text))


def _answer_of(q: Question) -> Answer | None:
    """A member's own answer block; a follow-up's hint is no answer to the note's question."""
    if q.follow_up_of or not (q.answer or q.tests or q.red_flag):
        return None
    return Answer(source=q.source, text=q.answer, tests=q.tests, red_flag=q.red_flag, ref=q.ref)


def flat_answer(answers: Sequence[Answer]) -> str:
    """Every answer as one markdown text, fullest first, for the catalog and the tagger (the card
    labels each block itself)."""
    texts = []
    for a in sorted(answers, key=lambda a: -len(a.text)):
        parts = [f"What interviewers are really testing: {a.tests}" if a.tests else "", a.text,
                 f"Red flag answer: {a.red_flag}" if a.red_flag else ""]
        texts.append("\n\n".join(p for p in parts if p))
    return "\n\n".join(dict.fromkeys(t for t in texts if t))


# A member's fit: its mean similarity to the other members plus a little for how much of it the
# answers' words cover, compared in steps of FIT_STEP so near-ties fall to the plainest phrasing.
# Set by reading the 141 merged notes, not measured on labels.
REPRESENTATIVE_WEIGHTS = (1.0, 0.2)
FIT_STEP = 0.1


def representative(qs: Sequence[Question], answer_text: str, matcher: Matcher) -> Question:
    """The member that best stands for the note: a full, single question that is not a follow-up
    of another; among those, the one central to the other members whose words the answers use;
    then the shortest."""
    answer_words = content_words(answer_text, matcher.vocab) if answer_text else frozenset()

    def score(q: Question) -> tuple:
        others = [o for o in qs if o.ref != q.ref]
        central = sum(matcher.similarity(q.ref, o.ref) for o in others) / len(others) if others else 0.0
        covered = matcher._covered(matcher.features[q.ref].full, answer_words) if answer_words else 0.0
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
        answer=flat_answer(answers),
        variants=tuple(variants),
        follow_ups=tuple(follow),
        code_tasks=tuple(dict.fromkeys(q.code_task for q in qs if q.code_task)),
        sources=tuple(sources),
        source_titles=tuple(titles.get(s) or s for s in sources),
        answers=tuple(answers),
        similarity=tuple((q.ref, round(matcher.similarity(best.ref, q.ref), 3)) for q in qs),
    )


def expand_abbreviations(text: str, vocab: Vocabulary) -> str:
    """Spell out the field's abbreviations for the embedding model, which does not know them.

    >>> v = Vocabulary({"global interpreter lock": "gil"}, frozenset(), frozenset())
    >>> expand_abbreviations("When is the GIL released?", v)
    'When is the GIL (global interpreter lock) released?'
    """
    if vocab.abbreviation_pattern is None:
        return text
    longs, pattern = vocab.abbreviation_pattern
    return pattern.sub(lambda m: f"{m.group(0)} ({longs[m.group(0).lower()]})", text)


def embed_questions(questions: Sequence[Question], vocab: Vocabulary,
                    encoder: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Unit vectors by ref of each question's text and of its core clause (the optional embedding
    signal); a text that is all core, or met twice, is encoded once."""
    texts = [expand_abbreviations(q.text, vocab) for q in questions]
    cores = [expand_abbreviations(core_text(q.text), vocab) for q in questions]
    unique = list(dict.fromkeys(texts + cores))
    vector = dict(zip(unique, encoder.encode(unique)))
    return ({q.ref: vector[t] for q, t in zip(questions, texts)},
            {q.ref: vector[c] for q, c in zip(questions, cores)})


def dedupe(questions: Sequence[Question], vocab: Vocabulary, overrides: Overrides = Overrides(),
           encoder: Any = None, titles: Mapping[str, str] | None = None,
           previous: LastRelease | None = None) -> list[Note]:
    """The dedupe stage: one note per distinct question, every member's text and answer kept.

    `encoder` (qdeck.embed.Encoder, optional) adds sentence-embedding similarity to the lexical one.
    `titles` maps a source's name to the title its answer blocks are labelled with.
    `previous` (the last release's notes) makes notes sticky: see LastRelease.
    """
    matcher = Matcher.build(questions, vocab)
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
