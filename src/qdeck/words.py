"""Words as the taxonomy's terms and the tagger read them: lowercase, one plural rule, dotted names whole."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")


def _stem(word: str) -> str:
    # one plural rule, applied alike to data and text, is enough for "generators" ~ "generator"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "_")):
        return word[:-1]
    return word


def plain_tokens(text: str) -> list[str]:
    """Words of a term as written in the data: dotted names stay whole."""
    return [_plain_word(w) for w in _WORD.findall(text.casefold())]


@lru_cache(maxsize=1 << 16)
def _plain_word(word: str) -> str:
    return ".".join(_stem(p) for p in word.split("."))


def tokens(text: str, compounds: frozenset[str]) -> list[str]:
    """Words of running text: a dotted name stays whole only when the data names it as a term."""
    out: list[str] = []
    for word in _WORD.findall(text.casefold()):
        out.extend(_word_tokens(word, compounds))
    return out


@lru_cache(maxsize=1 << 16)  # words repeat across a corpus far more than texts do
def _word_tokens(word: str, compounds: frozenset[str]) -> tuple[str, ...]:
    parts = [_stem(p) for p in word.split(".")]
    joined = ".".join(parts)
    return (joined,) if joined in compounds else tuple(parts)
