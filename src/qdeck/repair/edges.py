"""Penalties for code-span edges that cut through a word rather than meet glue."""

from __future__ import annotations

import re

from qdeck.repair.shapes import DUNDER
from qdeck.repair.vocabulary import is_english, is_known_code, python_vocabulary
from qdeck.repair.weights import (
    CODE_CASE_CUT, CODE_CUTS_WORD, CODE_HYPHEN_EDGE, CODE_LETTER_IN_WORD, CODE_PUNCTUATION_ONLY,
    CODE_WORD_IN_WORD, ENGLISH_FUNCTION_WORD,
)

_OPERATOR_CHARS = frozenset("-_*=<>/:|&+")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class Edges:
    """Penalties for code edges that cut through a word rather than meet glue.

    Worked out per region: most of it depends on one edge only.  The penalties
    are whole numbers, so their sum is exact in any order.
    """

    # Penalties that apply once if either edge qualifies, by bit.
    _HYPHEN, _OPERATOR, _CASE, _CUT = 1, 2, 4, 8

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        # letters_from[p] .. letters_to[p]: the run of ASCII letters around position p
        self.letters_from = list(range(size + 1))
        letters_to = list(range(size + 1))
        for p in range(1, size + 1):
            if text[p - 1] in _LETTERS:
                self.letters_from[p] = self.letters_from[p - 1]
        for p in range(size - 1, -1, -1):
            if text[p] in _LETTERS:
                letters_to[p] = letters_to[p + 1]
        # "pyth|on": the letters on both sides of the cut form one English word
        cuts = [self.letters_from[p] < p < letters_to[p]
                and is_english(text[self.letters_from[p]:letters_to[p]]) for p in range(size + 1)]
        self.name_end = [0] * (size + 1)
        for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text):
            for position in range(match.start(), match.end()):
                self.name_end[position] = match.end()
        self.inside: dict[tuple[int, int], bool] = {}
        # start_bits[i]: what a span starting at i does to its left edge; end_bits[i]: a
        # span ending at i to its right edge.
        self.start_bits = [0] * (size + 1)
        self.end_bits = [0] * (size + 1)
        for i in range(size + 1):
            before = text[i - 1] if i > 0 else " "
            after = text[i] if i < size else " "
            if i < size:  # as a start, text[i] is the span's first character
                self.start_bits[i] = self._bits(before, after, after, cuts[i])
            if i > 0:  # as an end, text[i - 1] is the span's last character
                self.end_bits[i] = self._bits(after, before, before, cuts[i])
        # punctuation_to[i]: where a run of sentence punctuation starting at i ends
        self.punctuation_to = list(range(size + 1))
        for i in range(size - 1, -1, -1):
            if text[i] in ".,;:!?":
                self.punctuation_to[i] = self.punctuation_to[i + 1]
        self.penalty = [self._penalty(bits) for bits in range(16)]

    @classmethod
    def _bits(cls, outside: str, inside: str, edge: str, cut: bool) -> int:
        bits = 0
        if (inside in "-_" and outside.isalpha()) or outside in "-_":
            bits |= cls._HYPHEN  # glue never cuts at a hyphen or underscore
        if outside == edge and outside in _OPERATOR_CHARS:
            bits |= cls._OPERATOR  # nor through "--", "**", "==" or "__"
        if outside.isupper() and edge.isupper():
            bits |= cls._CASE
        if cut:
            bits |= cls._CUT
        return bits

    @classmethod
    def _penalty(cls, bits: int) -> float:
        return ((CODE_HYPHEN_EDGE if bits & cls._HYPHEN else 0.0)
                + (CODE_HYPHEN_EDGE if bits & cls._OPERATOR else 0.0)
                + (CODE_CASE_CUT if bits & cls._CASE else 0.0)
                + (CODE_CUTS_WORD if bits & cls._CUT else 0.0))

    def cost(self, start: int, end: int) -> float:
        text = self.text
        cost = self.bound(start, end)
        if start > 0 and text[start - 1].isalpha():
            head_end = min(end, self.name_end[start]) if self.name_end[start] else start
            key = (start, head_end)
            if key not in self.inside:
                self.inside[key] = _starts_inside_word(
                    text, start, head_end, text[self.letters_from[start]:start])
            if self.inside[key]:
                cost += CODE_WORD_IN_WORD
        return cost

    def bound(self, start: int, end: int) -> float:
        """`cost` without its dearest term (a word cut at the start), which only lowers it."""
        text = self.text
        cost = self.penalty[self.start_bits[start] | self.end_bits[end]]
        if end - start == 1:
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            if text[start].islower() and (before.isalpha() or after.isalpha()):
                cost += CODE_LETTER_IN_WORD  # "has|h|able", "t|wine"
            if text[start] in "()":
                cost += CODE_PUNCTUATION_ONLY
        if end <= self.punctuation_to[start]:
            cost += CODE_PUNCTUATION_ONLY  # sentence punctuation is never a code span
        return cost


def _starts_inside_word(text: str, start: int, end: int, letters_before: str) -> bool:
    """True if code glued after letters looks cut out of a word ("Pip|file", "refer|encable").

    Real glue follows a short common word ("via|snakeviz", "or|tomli") or
    starts a name Python knows ("returns|None").  `letters_before` are the
    letters right before `start`.
    """
    head = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[start:end])
    if head is None or start == 0:
        return False
    name = head.group()
    if name[0].isupper() and text[start - 1].islower():
        return False  # a case change is where glue shows: returnsNone, elseA
    after_function_word = _ends_in_function_word(letters_before)
    if is_english(name) and name not in python_vocabulary()[0]:
        return not (len(name) >= 4 and after_function_word)
    return not after_function_word and not is_known_code(name) \
        and not DUNDER.fullmatch(name)


def _ends_in_function_word(letters: str) -> bool:
    """True if a run of letters ends in a very common word ("or", "via")."""
    return any(is_english(letters[-size:], ENGLISH_FUNCTION_WORD) for size in (2, 3, 4) if len(letters) >= size)


