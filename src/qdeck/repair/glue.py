"""Tell a name glued to an English word ("passis", "BifA") from a real identifier."""

from __future__ import annotations

import functools
import keyword
import re

from qdeck.repair.shapes import DUNDER, GLUED_DUNDER, HUMP
from qdeck.repair.vocabulary import is_english, is_known_code, python_vocabulary, word_zipf
from qdeck.repair.weights import (
    CAPITAL_GLUE_LONG, CAPITAL_GLUE_SHORT, CAPITAL_GLUE_TWO, ENGLISH_PART, ENGLISH_PIECE,
    ENGLISH_TWO_LETTERS, MAX_GLUE_CHECK,
)

@functools.lru_cache(maxsize=65536)  # pure; the glue checks try every piece of every name
def is_code_piece(piece: str, leading: bool = True) -> bool:
    """A fragment that is certainly a Python name on its own.

    Keywords count only at the start: glue puts prose after code ("passis"),
    while a keyword at the end is usually a real compound ("metaclass").
    """
    core, attributes = python_vocabulary()
    if len(piece) == 1:
        return piece.isupper()
    if piece in keyword.kwlist:
        return leading
    if DUNDER.fullmatch(piece):
        return True
    # Three-letter names (set, sys, obj) hide inside too many real words.
    return len(piece) >= 4 and (piece in core or piece in attributes)


@functools.lru_cache(maxsize=65536)  # pure; the glue checks try every piece of every name
def _is_english_piece(piece: str) -> bool:
    """A fragment that is certainly an English word rather than part of a name."""
    if len(piece) < 2 or not piece.islower():
        return False
    needed = ENGLISH_PIECE if len(piece) >= 3 else ENGLISH_TWO_LETTERS
    return is_english(piece, needed) and (piece in keyword.kwlist or not is_known_code(piece))


def capital_glued_to_word(hump: str) -> bool:
    """ "Bif", "Atruthy", "Breturns": a one-letter name glued to an English word."""
    rest = hump[1:]
    if len(hump) < 3 or not hump[0].isupper() or not rest.islower() or is_english(hump, ENGLISH_PART):
        return False
    needed = CAPITAL_GLUE_TWO if len(rest) == 2 else CAPITAL_GLUE_SHORT if len(rest) <= 4 \
        else CAPITAL_GLUE_LONG
    return word_zipf(rest) >= needed


_CODE, _ENGLISH = 1, 2  # piece kinds, as bits


def _splits_into_code_and_english(word: str) -> bool:
    """True if `word` is code names and English words run together, code first.

    Only code first: an English word followed by a name is how real compound
    names are built (capsys, monkeypatch), while glue puts prose after code.
    """
    if len(word) > MAX_GLUE_CHECK or not word.isalnum():
        return False
    # reach[i]: bit u set when word[:i] can be covered using the piece kinds in u
    # (bit values: _CODE, _ENGLISH), so four bits say every combination reachable.
    size = len(word)
    reach = [0] * (size + 1)
    reach[0] = 1  # the empty cover, no kind used
    for start in range(size):
        here = reach[start]
        if not here:
            continue
        for end in range(start + 1, size + 1):
            piece = word[start:end]
            kind = (_CODE if is_code_piece(piece, leading=start == 0)
                    else _ENGLISH if start > 0 and _is_english_piece(piece) else 0)
            if not kind:
                continue
            for used in range(4):
                if here >> used & 1:
                    reach[end] |= 1 << (used | kind)
    return bool(reach[size] >> (_CODE | _ENGLISH) & 1)


def _code_runs_into_english(word: str) -> bool:
    """True if a longer known name is directly followed by an English word inside `word`.

    Catches glue in the middle of a run ("bisect_leftandbisect_right").
    """
    if len(word) > MAX_GLUE_CHECK:
        return False
    core, attributes = python_vocabulary()
    size = len(word)
    # Worked out per cut instead of per (name, word, rest) triple: the answer is the same.
    rest_ok: dict[int, bool] = {size: True}  # the end, or more code, from `stop` on

    def code_follows(stop: int) -> bool:
        if stop not in rest_ok:
            rest_ok[stop] = any(is_code_piece(word[stop:stop + length])
                                for length in range(1, size - stop + 1))
        return rest_ok[stop]

    for end in range(4, size - 2):
        if not any(piece not in keyword.kwlist and (piece in core or piece in attributes
                                                    or DUNDER.fullmatch(piece))
                   for piece in (word[start:end] for start in range(end - 3))):
            continue  # no known name of four or more characters ends here
        for stop in range(end + 3, size + 1):
            follower = word[end:stop]
            if follower.isalpha() and follower.islower() and is_english(follower, ENGLISH_PIECE) \
                    and not is_known_code(follower) and code_follows(stop):
                return True  # glue: code, then a word, then the end or more code
    return False


def _conjunction_inside(word: str) -> bool:
    """ "httpxoraiohttp", "mutmutor": unknown names glued to a following "or" / "and"."""
    if not word.isalpha() or not word.islower() or word_zipf(word) > 0:
        return False
    return any(re.fullmatch(r"[a-z]{3,}%s(?:[a-z]{3,})?" % joiner, word)
               for joiner in ("and", "or"))


@functools.lru_cache(maxsize=65536)  # pure; every span cut from a word asks again
def glued_to_english(word: str) -> bool:
    """True when an unknown name is a code name glued to an English word.

    That is the scrape's signature ("passis" = pass + is, "BifA" = B + if + A,
    "__mro__orClass"); a real identifier rarely looks like that.
    """
    if GLUED_DUNDER.search(word):
        return True
    if any(capital_glued_to_word(hump) for hump in HUMP.findall(word)):
        return True
    return _conjunction_inside(word) or _splits_into_code_and_english(word) \
        or _code_runs_into_english(word)


