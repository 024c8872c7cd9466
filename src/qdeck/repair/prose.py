"""Score prose pieces and spans: words by zipf frequency, glue marks and code characters."""

from __future__ import annotations

import functools
import keyword
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from qdeck.repair.glue import capital_glued_to_word
from qdeck.repair.shapes import ABBREVIATION, CAMEL, HUMP
from qdeck.repair.vocabulary import is_english, is_known_code, word_zipf
from qdeck.repair.weights import (
    ENGLISH_LOOSE, ENGLISH_PART, ENGLISH_TWO_LETTERS, PROSE_ACRONYM_FLOOR, PROSE_CALL_GLUE,
    PROSE_CODE_CHAR, PROSE_COMMON_LETTER, PROSE_COMPOUND, PROSE_DANGLING, PROSE_GLUE,
    PROSE_NUMBER, PROSE_PROPER_NAME_FLOOR, PROSE_PROPER_NOUN, PROSE_PUNCT, PROSE_SHORT_JUNK,
    PROSE_SHORT_NOISE, PROSE_SHORT_NOISE_CHARS, PROSE_SINGLE_LETTER, PROSE_TWO_LETTER_WORD,
    PROSE_UNKNOWN, PROSE_UNKNOWN_PER_CHAR, PROSE_UNLISTED_BASE, ZIPF_SHIFT,
)

_VERSION = r"(?:[A-Za-z]{1,3})?\d+(?:\.\d+)+\+?|\d+\+?"  # Py3.9+, 3.7+, 8
_VERSION_TOKEN = re.compile(_VERSION)
_PROSE_TOKEN = re.compile(
    _VERSION + r"|[A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z]+)*|\S"
)
_PROSE_GLUE_MARK = re.compile(
    r"[.:;,!?)\]](?=[A-Za-z_(\[])|[,;](?=[^\s\d'\"’”)])|[:;,](?=[:;,.])|^--?(?=[A-Za-z])"
)
_PROSE_CALL_MARK = re.compile(r"[A-Za-z0-9_][(\[]")
_PROSE_CODE_CHARS = frozenset("=@*[]{}<>|&_`\\~^")


@functools.lru_cache(maxsize=1)  # a compiled pattern from constant tables
def _dangling_end() -> re.Pattern[str]:
    """Keywords that are English function words ("in", "or", "with") ending a sentence.

    Such words do not end a sentence; when one seems to, the code before it
    was cut short ("named `SomethingMix` in.").
    """
    words = [word for word in keyword.kwlist if word.islower() and is_english(word, ENGLISH_TWO_LETTERS)]
    return re.compile(r"(?:^|[^A-Za-z])(?:%s)[.!?]$" % "|".join(words))


_SUFFIXES = ("ability", "ables", "able", "ibles", "ible", "ization", "ized", "izes",
             "ness", "ments", "ment")


def _derived_cost(word: str) -> Optional[float]:
    """Cost of an unlisted derived word ("referencable" = reference + able)."""
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            for candidate in (stem, stem + "e"):
                if is_english(candidate, ENGLISH_PART):
                    return word_zipf(candidate) - ZIPF_SHIFT + PROSE_COMPOUND
    return None


def _compound_cost(word: str) -> Optional[float]:
    """Cost of an unlisted word made of two listed ones ("hashable" = hash + able)."""
    best = None
    lower = word.lower()
    for cut in range(4, len(lower) - 3):
        head, tail = lower[:cut], lower[cut:]
        if is_english(head, ENGLISH_PART) and is_english(tail, ENGLISH_PART):
            cost = word_zipf(head) + word_zipf(tail) - 2 * ZIPF_SHIFT + PROSE_COMPOUND
            best = cost if best is None else max(best, cost)
    return best


@functools.lru_cache(maxsize=65536)  # pure; the same words recur in every answer
def prose_word_cost(word: str) -> float:
    """Log-probability of one prose word (possessive "’s" ignored)."""
    if "-" in word:  # no-op, auto-creates: each part is a word of its own
        return sum(word_zipf(part) - ZIPF_SHIFT if word_zipf(part) else prose_word_cost(part)
                   for part in word.split("-"))
    base = re.split(r"['’]", word)[0]
    if len(base) == 1:
        return PROSE_COMMON_LETTER if base in "aAI" else PROSE_SINGLE_LETTER
    zipf = word_zipf(base)
    if len(base) == 2 and zipf < PROSE_TWO_LETTER_WORD and not base.isupper():
        return PROSE_SHORT_JUNK
    if len(base) <= PROSE_SHORT_NOISE_CHARS and zipf < PROSE_SHORT_NOISE and base.islower():
        zipf = 0.0  # short rare entries ("radd", "ipdb") are noise in the word list
    if zipf > 0 and not (base[0].islower() and CAMEL.search(base)):
        return zipf - ZIPF_SHIFT
    return _unlisted_word_cost(base)


def _unlisted_word_cost(base: str) -> float:
    """Cost of a prose word the list lacks: acronyms and names are fine, glue is not."""
    unknown = PROSE_UNLISTED_BASE + PROSE_UNKNOWN_PER_CHAR * len(base)
    if base.isupper():
        return max(unknown, PROSE_ACRONYM_FLOOR)
    if base[0].isupper() and base[1:].islower() and not capital_glued_to_word(base):
        return max(unknown, PROSE_PROPER_NOUN)
    if base[0].isupper() and CAMEL.search(base):
        if all(hump.isupper() or is_english(hump, ENGLISH_LOOSE) for hump in HUMP.findall(base)):
            return max(unknown, PROSE_PROPER_NAME_FLOOR)
    if is_known_code(base):
        return max(unknown, PROSE_UNKNOWN)  # pytest, asyncio: jargon, not noise
    if base.islower():
        compound = _compound_cost(base)
        if compound is None and base.endswith("s") and len(base) > 5:
            singular = _compound_cost(base[:-1])  # awaitables = awaitable + s
            compound = None if singular is None else singular + PROSE_COMPOUND
        if compound is None:
            compound = _derived_cost(base)
        if compound is not None:
            return max(unknown, compound)
    return unknown


@functools.lru_cache(maxsize=65536)  # pure; a piece is scored for every prose span ending in it
def piece_score(piece: str) -> tuple[float, bool]:
    """(log-probability, has a real word) of a prose piece holding no spaces."""
    score, has_word = 0.0, False
    for token in _PROSE_TOKEN.findall(piece):
        if _VERSION_TOKEN.fullmatch(token):
            score += PROSE_NUMBER
        elif token[0].isalpha():
            score += prose_word_cost(token)
            has_word = has_word or len(token) > 1 or token in "aAI"
        elif token[-1].isdigit() or token[-1] == "+":
            score += PROSE_NUMBER
        elif token in _PROSE_CODE_CHARS:
            score += PROSE_CODE_CHAR
        else:
            score += PROSE_PUNCT
    if _dangling_end().search(piece):
        score += PROSE_DANGLING
    glue = len(_PROSE_GLUE_MARK.findall(piece)) - len(ABBREVIATION.findall(piece))
    score += PROSE_GLUE * max(glue, 0)
    score += PROSE_CALL_GLUE * len(_PROSE_CALL_MARK.findall(piece))
    return score, has_word


@dataclass
class Chunks:
    """Space-free runs of a region, so that any prose span scores in O(1)."""

    starts: list[int]
    ends: list[int]
    index: list[int]        # chunk number per character (-1 on spaces)
    score_prefix: list[float]
    word_prefix: list[int]

    @classmethod
    def of(cls, text: str) -> "Chunks":
        starts, ends = [], []
        for match in re.finditer(r"\S+", text):
            starts.append(match.start())
            ends.append(match.end())
        index = [-1] * len(text)
        score_prefix, word_prefix = [0.0], [0]
        for number, (start, end) in enumerate(zip(starts, ends)):
            for position in range(start, end):
                index[position] = number
            score, has_word = piece_score(text[start:end])
            score_prefix.append(score_prefix[-1] + score)
            word_prefix.append(word_prefix[-1] + has_word)
        return cls(starts, ends, index, score_prefix, word_prefix)

    def prose_from(self, text: str, start: int, ends: Iterable[int]) -> Iterator[tuple[float, bool]]:
        """`prose(text, start, end)` for each of `ends`, sharing the work that depends on `start`."""
        first = self.index[start]
        head_end = self.ends[first]
        head = piece_score(text[start:head_end])
        for end in ends:
            while end > start and text[end - 1].isspace():
                end -= 1
            if end <= head_end:
                yield (piece_score(text[start:end]) if end > start else (0.0, False))
                continue
            last = self.index[end - 1]
            tail_score, tail_word = piece_score(text[self.starts[last]:end])
            middle_score = self.score_prefix[last] - self.score_prefix[first + 1]
            yield head[0] + middle_score + tail_score, \
                head[1] or tail_word or self.word_prefix[last] > self.word_prefix[first + 1]

