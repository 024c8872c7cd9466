"""A question's text as words: stemmed content words, framing words, its core clause."""

from __future__ import annotations

import re
from typing import Iterator

from qdeck.dedupe.vocabulary import Vocabulary

_TOKEN = re.compile(
    r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*(?:\(\))?|\d+(?:\.\d+)?\+?|//|==|!=|<=|>=|\*\*|\+=|-=|[/%=<>&|^~@+*-]"
)
_JOINER = re.compile(r"(?<=[a-z])[-/](?=[a-z])")
_PARENS = re.compile(r"\([^()]*\)")
_CLAUSE = re.compile(
    r"(?<=[?.;!])\s+|:\s+|\s+[—–]\s+|\s+-\s+|,?\s+and\s+(?:(?:in|for|under|with)\s+)?(?=(?:how|why|what|when|where|which)\b)",
    re.IGNORECASE,
)
_MAIN_GUARD = re.compile(
    r"""(?:\bif\s+)?__name__\s*==\s*(["'])__main__\1\s*:?(?:\s*(?:block|guard|idiom|check)\b)?"""
    r"|__main__\s+(?:block|guard|idiom|check)\b"
)


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
    marked = vocab.marked
    return tuple(word if content else marked[word] for word, content in _words(text, vocab))


def without_parentheses(text: str) -> str:
    """The text with its parenthesised asides blanked out.

    >>> without_parentheses("What is an object (instance)?")
    'What is an object  ?'
    """
    return _PARENS.sub(" ", text)


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
                    yield (piece, False) if piece in vocab.framing else (vocab.stem(piece), True)


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
