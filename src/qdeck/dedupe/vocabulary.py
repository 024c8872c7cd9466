"""The matching vocabulary of data/dedupe.yaml: framing words, folded spellings, kinds and contrasts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping

import snowballstemmer

from qdeck import config
from qdeck.config.schema import DedupeFile


@dataclass(frozen=True)
class Vocabulary:
    """The matching vocabulary from data/dedupe.yaml."""

    phrases: Mapping[str, str]  # lowercase phrase or token -> replacement words
    framing: frozenset[str]
    contrasts: frozenset[frozenset[str]]  # groups of alternatives (stemmed)
    kinds: frozenset[str] = frozenset()  # stemmed words naming what kind of thing a term is
    numbered: frozenset[str] = frozenset()  # names written with or against a number: "PEP 8", "PEP8"
    # A corpus holds few distinct words and each is stemmed many times: each vocabulary keeps
    # the stems it has made (never compared: two vocabularies that stemmed different words are equal).
    _stems: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

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

    def stem(self, word: str) -> str:
        """The word's stem (a word with digits or signs stays as it is)."""
        stemmed = self._stems.get(word)
        if stemmed is None:
            stemmed = self._stems[word] = stem(word)
        return stemmed

    # Compiled once per vocabulary: the word readers run on every question of the corpus.
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
        """Abbreviation -> long form, and a pattern finding the abbreviations in a text (a phrase
        read as a framing word, "walk me through" as "explain", is no abbreviation)."""
        longs = {short: long for long, short in self.phrases.items()
                 if " " in long and " " not in short and short not in self.framing}
        if not longs:
            return None
        alternatives = "|".join(re.escape(k) for k in sorted(longs, key=len, reverse=True))
        return longs, re.compile(rf"\b({alternatives})\b", re.IGNORECASE)

    @cached_property
    def marked(self) -> Mapping[str, str]:
        """Each framing word as a word shape writes it ("#what"): one string shared by every shape,
        since 100,000 questions hold about a million framing words."""
        return {word: "#" + word for word in self.framing}

    @cached_property
    def contrast_groups(self) -> Mapping[str, tuple[frozenset[str], ...]]:
        """The contrast groups each word belongs to, so a veto looks only at groups both sides name."""
        by_word: dict[str, list[frozenset[str]]] = defaultdict(list)
        for group in self.contrasts:
            for word in group:
                by_word[word].append(group)
        return {word: tuple(groups) for word, groups in by_word.items()}


_STEMMER = snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """A word's English stem; a token with digits or signs stays as it is.

    >>> stem("decorators"), stem("10")
    ('decor', '10')
    """
    return _STEMMER.stemWord(word) if word.isalpha() else word
