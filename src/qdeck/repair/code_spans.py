"""Score every code span that starts at one position of a region, in one pass."""

from __future__ import annotations

import re
from typing import Container, Iterator, Optional

from qdeck.repair.names import name_terms
from qdeck.repair.parse import ALL_KEYWORDS, parses_as_python
from qdeck.repair.shapes import NAME_CHARS, NAME_STARTS
from qdeck.repair.vocabulary import is_english
from qdeck.repair.weights import (
    CODE_BAD_EDGE, CODE_GLOSS, CODE_GLUED_OPERATOR, CODE_PARSES, CODE_PARSES_PER_TOKEN,
    CODE_SPACE, CODE_SPACE_UNPARSED, CODE_SYMBOLS, CODE_TOP_LEVEL_COMMA, CODE_UNBALANCED,
)

_SYMBOL_RUN = re.compile(r"[^\sA-Za-z0-9_]+")
_OPERATOR_WORD_GLUED = re.compile(
    r"[^\w\s](?:and|or|not|is|in)(?!\w)|(?<!\w)(?:and|or|not|is|in)[^\w\s]")
_GLOSS = re.compile(r"(?<![\w.])([a-z])\((\1[a-z]+)\)")
_SHELL_WORD = re.compile(r"\s(?:--?[A-Za-z]|\S*/)")  # "-m", "--cov", "dist/*": a command line


_WORD_CHAR = re.compile(r"\w")  # what \w means to the regexes above (Unicode letters too)
# Loose forms of _OPERATOR_WORD_GLUED and _GLOSS: a span can only match if its region matches
# these (and _SHELL_WORD itself), so a region without a match spares the per-span search.
_MAYBE_GLUED_OPERATOR = re.compile(r"[^\w\s](?:and|or|not|is|in)|(?:and|or|not|is|in)[^\w\s]")
_MAYBE_GLOSS = re.compile(r"([a-z])\((\1[a-z]+)\)")


class CodeSpans:
    """Code scores of all spans of a region that start at one position, in one pass.

    A span's score is the log-probability that it was one inline code element.
    Its terms, as the span itself sees them (nothing outside it counts):
    - names: runs of ASCII letters, digits and "_", from their first non-digit,
      each costed by `name_terms` (after a ".", next to a "-");
    - symbol runs: runs of anything but spaces, ASCII letters, digits and "_",
      not counting a "." or ":" between two word characters (pkg.mod:main) or a
      leading "." before one;
    - top-level "," or ";", a sentence end (".!?" then a space) inside, sentence
      punctuation at the end, unbalanced brackets, spaces;
    - a bonus by its tokens (word runs and single other characters) when
      Python's parser accepts it.
    Scoring every candidate span from scratch was the repair's main cost, so
    the counts are carried along as the span grows one character at a time;
    only what depends on the span's last characters is settled per span.  Every
    term is added in the same order as a from-scratch sum would, so the floats
    (and hence the search's choices) do not depend on how they were computed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        self.word = [bool(_WORD_CHAR.match(ch)) for ch in text]
        self.symbol = [bool(_SYMBOL_RUN.match(ch)) for ch in text]
        # A dot or colon between word characters belongs to a dotted name (pkg.mod:main).
        self.name_joint = [0 < i < size - 1 and text[i] in ".:" and self.word[i - 1]
                           and self.word[i + 1] for i in range(size)]
        # Where the run of name characters holding each position starts, and where the
        # identifier begins inside a run cut at each position ("12ab" -> "ab").
        self.run_start = list(range(size))
        self.name_from = [-1] * (size + 1)
        for i in range(size - 1, -1, -1):
            if text[i] in NAME_STARTS:
                self.name_from[i] = i
            elif text[i] in NAME_CHARS and i + 1 < size and text[i + 1] in NAME_CHARS:
                self.name_from[i] = self.name_from[i + 1]
        self.word_start = list(range(size))  # where the run of \w characters holding i starts
        for i in range(1, size):
            if text[i] in NAME_CHARS and text[i - 1] in NAME_CHARS:
                self.run_start[i] = self.run_start[i - 1]
            if self.word[i] and self.word[i - 1]:
                self.word_start[i] = self.word_start[i - 1]
        self.maybe_glued_operator = bool(_MAYBE_GLUED_OPERATOR.search(text))
        self.maybe_gloss = bool(_MAYBE_GLOSS.search(text))
        self.maybe_shell = bool(_SHELL_WORD.search(text))

    def name_cost(self, start: int, first: int, end: int, stop: int,
                  loose: bool = False) -> tuple[float, float]:
        """Terms of the identifier text[first:end] inside the span text[start:stop]
        (an upper bound of the cost if `loose`, see `identifier_cost`)."""
        text = self.text
        before = text[first - 1] if first > start else ""
        after = text[end] if end < stop else ""
        before_dot = text[first - 2] if first - 2 >= start else ""
        return name_terms(text[first:end], before == ".", before == "-" or after == "-",
                           before_dot.isalnum() or before_dot == "_", loose)

    def scores(self, start: int, stop: int, wanted: Optional[Container[int]] = None,
               ) -> Iterator[tuple[int, Optional[float]]]:
        """(end, score of text[start:end]) for end = start+1 .. stop; None where a space ends it.

        With `wanted`, only those ends are scored (the others give None too): what the
        span carries along is the same, so their scores do not change.
        """
        text, word, symbol = self.text, self.word, self.symbol
        names = 0.0             # identifiers already followed by a character of the span
        spaces = parens = brackets = braces = 0
        depth, quote, commas = 0, "", 0
        runs, last_symbol = 0, False  # symbol runs among the characters before the last one
        sentence_inside = False
        tokens = 0
        only_name = text[start] in NAME_STARTS
        # Two plain names in a row ("script name") never parse, however the span goes on.
        two_names, after_name = False, -1
        for j in range(start, stop):
            ch = text[j]
            if j > start:  # the previous character is no longer the last one
                k = j - 1
                joint = (text[k] == "." and word[j]) if k == start else self.name_joint[k]
                if not joint:
                    if symbol[k] and not last_symbol:
                        runs += 1
                    last_symbol = symbol[k]
                if text[k] in NAME_CHARS and ch not in NAME_CHARS:
                    first = self.name_from[max(self.run_start[k], start)]
                    if first != -1 and first <= k:
                        cost, penalty = self.name_cost(start, first, j, j + 1)
                        names += cost
                        if penalty:
                            names += penalty
                if text[k] in ".!?" and ch.isspace():
                    sentence_inside = True
                if word[k] and not word[j]:  # a run of \w characters ends: see _NAME_PAIR
                    first = max(self.word_start[k], start)
                    plain = text[first] in NAME_STARTS and text[first:j] not in ALL_KEYWORDS
                    two_names = two_names or (plain and first == after_name)
                    after_name = j + 1 if plain and ch == " " and \
                        (first == start or text[first - 1] not in "'\"") else -1
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch in ",;" and depth <= 0:
                commas += 1
            parens += (ch == "(") - (ch == ")")
            brackets += (ch == "[") - (ch == "]")
            braces += (ch == "{") - (ch == "}")
            if word[j]:
                tokens += j == start or not word[j - 1]
            elif not ch.isspace():
                tokens += 1
            only_name = only_name and ch in NAME_CHARS
            if ch.isspace():
                spaces += 1
                yield j + 1, None
                continue
            if wanted is not None and j + 1 not in wanted:
                yield j + 1, None
                continue
            total = names
            if ch in NAME_CHARS:
                first = self.name_from[max(self.run_start[j], start)]
                if first != -1 and first <= j:
                    cost, penalty = self.name_cost(start, first, j + 1, j + 1)
                    total += cost
                    if penalty:
                        total += penalty
            imbalance = abs(parens) + abs(brackets) + abs(braces)
            shown_runs = runs + (symbol[j] and not last_symbol)
            yield j + 1, self._score(text[start:j + 1], total, spaces, imbalance,
                                     only_name or two_names, shown_runs, commas,
                                     sentence_inside, tokens)

    def _score(self, text: str, names: float, spaces: int, imbalance: int, unparsable: bool,
               runs: int, commas: int, sentence_inside: bool, tokens: int) -> float:
        # `unparsable`: a lone name (which proves nothing) or two plain names in a row
        parses = not unparsable and not imbalance and parses_as_python(text)
        shape = CODE_SYMBOLS * runs  # dots and colons inside dotted names not counted
        shape += CODE_TOP_LEVEL_COMMA * commas
        if sentence_inside:
            shape += CODE_BAD_EDGE  # a sentence ends inside the span
        last = text[-1]
        if last in ",;" or (last == "." and (not text.endswith("...") or text.endswith("...."))):
            shape += CODE_BAD_EDGE  # sentence punctuation belongs to the prose
        if not parses and self.maybe_glued_operator and _OPERATOR_WORD_GLUED.search(text):
            shape += CODE_GLUED_OPERATOR
        if self.maybe_gloss:
            for _, word in _GLOSS.findall(text):
                if is_english(word):
                    shape += CODE_GLOSS  # prose glossing a one-letter command, not a call
        score = names + shape + CODE_UNBALANCED * imbalance
        if spaces:
            fluent = parses or (self.maybe_shell and _SHELL_WORD.search(text))
            score += spaces * (CODE_SPACE if fluent else CODE_SPACE_UNPARSED)
        if parses and tokens >= 3:  # "-x" or "[]" parse too, but prove little
            score += CODE_PARSES + CODE_PARSES_PER_TOKEN * min(tokens - 1, 10)
        return score


