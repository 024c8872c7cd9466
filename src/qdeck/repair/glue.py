"""Tell a name glued to an English word ("passis", "BifA") from a real identifier."""

from __future__ import annotations

import functools
import keyword
import re
from typing import Optional

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


def _splits_into_code_and_english(word: str) -> bool:
    """True if `word` is code names and English words run together, code first.

    Only code first: an English word followed by a name is how real compound
    names are built (capsys, monkeypatch), while glue puts prose after code.
    """
    if len(word) > MAX_GLUE_CHECK or not word.isalnum():
        return False
    # reach[i] = set of piece kinds used to cover word[:i]
    reach: list[Optional[set[frozenset[str]]]] = [None] * (len(word) + 1)
    reach[0] = {frozenset()}
    for start in range(len(word)):
        if not reach[start]:
            continue
        for end in range(start + 1, len(word) + 1):
            piece = word[start:end]
            kind = ("code" if is_code_piece(piece, leading=start == 0)
                    else "english" if _is_english_piece(piece) and start > 0 else "")
            if not kind:
                continue
            paths = reach[end] if reach[end] is not None else set()
            for used in reach[start]:  # type: ignore[union-attr]
                paths.add(used | {kind})
            reach[end] = paths
    return any({"code", "english"} <= used for used in (reach[-1] or ()))


def _code_runs_into_english(word: str) -> bool:
    """True if a longer known name is directly followed by an English word inside `word`.

    Catches glue in the middle of a run ("bisect_leftandbisect_right").
    """
    if len(word) > MAX_GLUE_CHECK:
        return False
    core, attributes = python_vocabulary()
    for start in range(len(word)):
        for end in range(start + 4, len(word) - 2):
            piece = word[start:end]
            if piece in keyword.kwlist or not (piece in core or piece in attributes
                                                or DUNDER.fullmatch(piece)):
                continue
            for stop in range(end + 3, len(word) + 1):
                follower, rest = word[end:stop], word[stop:]
                if follower.isalpha() and follower.islower() and is_english(follower, ENGLISH_PIECE) \
                        and not is_known_code(follower) \
                        and (not rest or any(is_code_piece(rest[:size])
                                             for size in range(1, len(rest) + 1))):
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


