"""Cost of one identifier inside a code span, by what Python and English know of it."""

from __future__ import annotations

import functools
import keyword
from typing import Optional

from qdeck.repair.glue import glued_to_english, is_code_piece
from qdeck.repair.shapes import CAMEL, DUNDER, HUMP
from qdeck.repair.vocabulary import (
    file_suffixes, is_english, is_known_code, python_vocabulary, word_zipf,
)
from qdeck.repair.weights import (
    CODE_ATTRIBUTE, CODE_CAMEL_BONUS, CODE_CAPS_HUMP, CODE_CAPS_NAME, CODE_CAPS_PER_CHAR,
    CODE_COMPOUND, CODE_CORE, CODE_DIGIT_HUMP, CODE_DUNDER, CODE_ENGLISH_EXTRA, CODE_GLUED,
    CODE_GLUED_PER_CHAR, CODE_JARGON_BASE, CODE_LETTER, CODE_RARE_BASE, CODE_RARE_PER_CHAR,
    CODE_SHORT_ATTRIBUTE, CODE_SNAKE_BONUS, CODE_TWO_LETTER_FRAGMENT, CODE_UNKNOWN_ATTRIBUTE,
    COMMON_ENGLISH, ENGLISH_LOOSE, ZIPF_SHIFT,
)

def _english_compound_cost(word: str) -> Optional[float]:
    """Cost of reading an unknown lowercase name as two English words or names.

    Package names are built that way (setuptools, objgraph, bumpversion), and
    should cost no more than their parts.
    """
    if not word.isalpha() or not word.islower():
        return None
    best = None
    for cut in range(3, len(word) - 2):
        costs = []
        for part in (word[:cut], word[cut:]):
            if part in keyword.kwlist:
                break  # a keyword inside a name is glue ("passis"), not a compound
            if is_english(part):
                costs.append(word_zipf(part) - ZIPF_SHIFT)
            elif is_code_piece(part):
                costs.append(CODE_ATTRIBUTE)
        if len(costs) == 2:
            cost = sum(costs) + CODE_COMPOUND
            best = cost if best is None else max(best, cost)
    return best


@functools.lru_cache(maxsize=65536)  # pure; names recur in every span that holds them
def identifier_cost(word: str, after_dot: bool = False, inner: bool = False,
                    loose: bool = False) -> float:
    """Log-probability of one identifier inside a code span.

    `inner` marks a part followed by an underscore, where glue cannot happen.  `loose`
    gives an upper bound instead, without the dear check for glue to English.
    """
    core, attributes = python_vocabulary()
    if DUNDER.fullmatch(word):
        return CODE_DUNDER
    if word in core or (after_dot and word in file_suffixes()):
        return CODE_CORE
    if word in attributes:  # many are parameter names, i.e. plain English: setup, value
        cost = CODE_ATTRIBUTE if len(word) > 3 else CODE_ATTRIBUTE + CODE_SHORT_ATTRIBUTE
        return min(cost, word_zipf(word) - ZIPF_SHIFT) if is_english(word) else cost
    if len(word) == 1:
        return CODE_LETTER
    if loose:  # glued or not, as in the line below
        return max(CODE_GLUED + CODE_GLUED_PER_CHAR * len(word), _unknown_name_cost(word, True))
    if not inner and glued_to_english(word.strip("_")):
        return CODE_GLUED + CODE_GLUED_PER_CHAR * len(word)
    return _unknown_name_cost(word)


def _unknown_name_cost(word: str, loose: bool = False) -> float:
    """Cost of a name Python does not define: by its shape, then as English."""
    parts = [part for part in word.split("_") if part]
    if len(parts) > 1:  # English parts are normal here: iter_content, foreign_keys
        last = len(parts) - 1
        return sum(word_zipf(part) - ZIPF_SHIFT if is_english(part)
                   else identifier_cost(part, inner=number < last, loose=loose)
                   for number, part in enumerate(parts)) + CODE_SNAKE_BONUS
    humps = HUMP.findall(word)
    if CAMEL.search(word) and len(humps) > 1:
        return sum(_hump_cost(hump) for hump in humps) + CODE_CAMEL_BONUS
    if word.isupper() or any(ch.isdigit() for ch in word):
        return CODE_CAPS_NAME + CODE_CAPS_PER_CHAR * len(word)
    return _word_as_name_cost(word)


def _word_as_name_cost(word: str) -> float:
    """Cost of a plain alphabetic name by how English it is (English costs extra in code)."""
    length = len(word)
    zipf = word_zipf(word)
    compound = _english_compound_cost(word) if zipf < COMMON_ENGLISH else None
    if compound is not None:
        return max(compound, CODE_RARE_BASE + CODE_RARE_PER_CHAR * length)
    if zipf >= COMMON_ENGLISH and word[0].isupper() and length >= 3:
        return zipf - ZIPF_SHIFT  # class names are often plain nouns: Base, Meta, Counter
    if zipf >= COMMON_ENGLISH:
        return zipf - ZIPF_SHIFT + CODE_ENGLISH_EXTRA
    if zipf >= ENGLISH_LOOSE:  # cls, obj, pip: jargon more than English, unless a 2-letter fragment
        return CODE_JARGON_BASE + CODE_RARE_PER_CHAR * length if length > 2 else CODE_TWO_LETTER_FRAGMENT
    return CODE_RARE_BASE + CODE_RARE_PER_CHAR * length  # neither English nor known: a package?


def _hump_cost(hump: str) -> float:
    """Cost of one hump of a CamelCase name: English humps are what class names are made of."""
    if hump.isdigit():
        return CODE_DIGIT_HUMP
    if hump.isupper():
        return CODE_CAPS_HUMP
    if is_english(hump, ENGLISH_LOOSE):
        return word_zipf(hump) - ZIPF_SHIFT
    return CODE_RARE_BASE + CODE_RARE_PER_CHAR * len(hump)


@functools.lru_cache(maxsize=65536)  # pure; a name's terms are asked once per span holding it
def name_terms(name: str, after_dot: bool, hyphenated: bool,
               after_name_char: bool, loose: bool = False) -> tuple[float, float]:
    """(cost, attribute penalty) of one identifier inside a code span, given its neighbours.

    `after_name_char` means the character before the dot is a letter, digit or underscore.
    The two terms are added to a span's total one after the other, as floats.  `loose`
    bounds the cost from above instead (see `identifier_cost`).
    """
    if hyphenated and is_english(name) and not is_known_code(name):
        cost = word_zipf(name) - ZIPF_SHIFT  # package names: cosmic-ray, pre-commit
    else:
        cost = identifier_cost(name, after_dot, loose=loose)
    penalty = 0.0
    if after_dot and after_name_char and not is_known_code(name) \
            and not DUNDER.fullmatch(name) and name not in file_suffixes():
        penalty = CODE_UNKNOWN_ATTRIBUTE
    return cost, penalty


