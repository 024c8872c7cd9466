"""What the matcher knows of one question: its word sets, code, shape and the alternatives it names."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping

from qdeck.dedupe.vocabulary import Vocabulary
from qdeck.dedupe.words import content_words, core_text, without_parentheses, word_shape

_CODE_SPAN = re.compile(r"`([^`]+)`")
_EXPRESSION = re.compile(r"[^a-z0-9_.]")
_NAME = re.compile(r"[a-z_][a-z0-9_.]*")
_ENCLOSED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|\"[^\"]*\"|'[^']*'")
_COMPARISON = re.compile(
    r"\b(?:vs\.?|versus|compared?|comparison|contrast|differ|different|difference|differences|instead)\b", re.IGNORECASE
)
_DEFINITION = re.compile(r"\bwhat(?:'s| is| are)\b", re.IGNORECASE)


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


def features(text: str, vocab: Vocabulary) -> Features:
    """Everything the matcher compares about one question's text."""
    # A parenthesis restates ("an object (instance)") or adds an aside ("(show an example)"):
    # the words outside it say what is asked, unless it holds the only ones ("Slots (__slots__)").
    shape = word_shape(text, vocab)
    every = frozenset(word for word in shape if word[0] != "#")
    plain = without_parentheses(text)
    full = (content_words(plain, vocab) if plain != text else every) or every
    return Features(full, content_words(core_text(text), vocab), code_words(text, vocab, every), is_fragment(text),
                    contrast_members(full, vocab), every, compares(text),
                    code_literals(text), shape)


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


def contrast_members(words: frozenset[str], vocab: Vocabulary) -> dict[frozenset[str], frozenset[str]]:
    """For each contrast group the words name, which of its members they name."""
    index = vocab.contrast_groups
    groups = {g for w in words for g in index.get(w, ())}
    return {g: words & g for g in groups}
