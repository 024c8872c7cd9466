"""Put backticks around the unmistakable code in a question line (spaces kept, backticks lost)."""

from __future__ import annotations

import functools
import keyword
import re
import sys
from typing import Optional

from qdeck.repair.parse import parses_as_python
from qdeck.repair.render import wrap_code
from qdeck.repair.shapes import ABBREVIATION, DUNDER, IDENTIFIER
from qdeck.repair.vocabulary import is_english, is_known_code, python_vocabulary, word_zipf
from qdeck.repair.weights import (
    ENGLISH_PART, QUESTION_NOT_ENGLISH,
)

# --- Questions ----------------------------------------------------------------------
# Question lines kept their spaces; only the backticks went.  Without glue to
# go by, only names that cannot be English are marked: dunders, dotted and
# snake_case names, calls, *args, operators, non-English Python names, a known
# name right before "module"/"operator"/..., and known names coordinated with
# one of those ("`bytearray` and `bytes`").  Plain-word keywords on their own
# ("How does pass differ ...") stay as they are: English reads them just as well.

_MODULE_NOUNS = ("module", "modules", "package")
_KEYWORD_NOUNS = ("operator", "operators", "statement", "statements", "keyword", "keywords")
_COORDINATORS = ("and", "or", "vs", "vs.", "versus")
_OPERATOR_TOKEN = re.compile(r"[=!<>]=|\*\*|->|:=|//|\+=|-=")
_STARRED_OR_CALL = re.compile(r"\*{1,2}[A-Za-z_]\w*|\.?[A-Za-z_][\w.]*\(\)")  # *args, .sort()
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_QUOTED = re.compile(r"[\"'][^\"']*[\"']:?")  # "__main__": inside a statement
_KEYWORDS = frozenset(keyword.kwlist)


def _split_token(token: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation) of one question word."""
    core, lead, trail = token, "", ""
    while core and core[0] in "(\"'“‘" and core.count(core[0]) % 2 == 1 \
            and not (core[0] == "(" and core.count("(") == core.count(")")):
        lead, core = lead + core[0], core[1:]
    while core and (core[-1] in "?.,!;" and not core.endswith("...")
                    or core[-1] == ")" and core.count(")") > core.count("(")):
        core, trail = core[:-1], core[-1] + trail
    return lead, core, trail


@functools.lru_cache(maxsize=65536)  # pure; card rendering asks it of every word of every line
def _strong_question_code(core: str) -> bool:
    """Words that are Python code wherever they appear."""
    if not core or ABBREVIATION.fullmatch(core + "."):
        return False
    if DUNDER.search(core) or _OPERATOR_TOKEN.fullmatch(core):
        return True
    if _STARRED_OR_CALL.fullmatch(core):
        return True
    if _DOTTED.fullmatch(core):
        parts = core.split(".")
        core_names = python_vocabulary()[0]
        return parts[0] in core_names or is_known_code(parts[-1]) \
            or not any(is_english(part, ENGLISH_PART) for part in parts)
    if IDENTIFIER.fullmatch(core) and "_" in core.strip("_"):
        return True
    # Names Python defines that English does not use at all: memoryview, asyncio.
    # Anything with a real English frequency (tuple, callable, parse) stays prose.
    core_names, attributes = python_vocabulary()
    return len(core) >= 3 and core not in _KEYWORDS and word_zipf(core) < QUESTION_NOT_ENGLISH \
        and (core in core_names or core in attributes)


def _question_statement_runs(parts: list[tuple[str, str, str]],
                             strong: list[bool]) -> list[tuple[int, int]]:
    """Runs of words that together parse as one Python statement (if __name__ == ...)."""
    runs = []
    index = 0
    while index < len(parts):
        end = index
        while end < len(parts) and (strong[end] or parts[end][1] in _KEYWORDS
                                    or _QUOTED.fullmatch(parts[end][1])):
            end += 1
            if parts[end - 1][2]:
                break  # punctuation after a word ends the statement
        if end - index < 3:  # a statement needs three words or more
            index = max(end, index + 1)
            continue
        words = [core for _, core, _ in parts[index:end]]
        literal = any(_OPERATOR_TOKEN.fullmatch(word) or word[:1] in "\"'" for word in words)
        inner_lead = any(lead for lead, _, _ in parts[index + 1:end])
        if len(words) >= 3 and any(strong[index:end]) and literal and not inner_lead \
                and parses_as_python(" ".join(words)):
            runs.append((index, end))
        index = max(end, index + 1)
    return runs


def _mark_before_nouns(parts: list[tuple[str, str, str]], strong: list[bool]) -> None:
    """ "array module", "in operator", "import statements": the noun says it is code."""
    for index, (_, core, trail) in enumerate(parts[:-1]):
        noun = parts[index + 1][1]
        if not trail and ((noun in _MODULE_NOUNS and core in sys.stdlib_module_names)
                          or (noun in _KEYWORD_NOUNS and core in _KEYWORDS)):
            strong[index] = True


def _spread_over_coordination(cores: list[str], strong: list[bool]) -> None:
    """ "between == and is", "bytearray and bytes": a Python name paired with code is code."""
    core_names = python_vocabulary()[0]
    changed = True
    while changed:
        changed = False
        for index in range(len(cores) - 2):
            if cores[index + 1].lower() not in _COORDINATORS:
                continue
            for this, other in ((index, index + 2), (index + 2, index)):
                if strong[this] and not strong[other] and cores[other] in core_names \
                        and not cores[other].istitle():
                    strong[other] = changed = True


@functools.lru_cache(maxsize=65536)  # pure; a build renders each line for hashing and for export
def _repair_question(text: str) -> str:
    tokens = text.split(" ")
    parts = [_split_token(token) for token in tokens]
    cores = [core for _, core, _ in parts]
    strong = [_strong_question_code(core) for core in cores]
    _mark_before_nouns(parts, strong)
    _spread_over_coordination(cores, strong)
    out: list[Optional[str]] = list(tokens)
    for start, end in _question_statement_runs(parts, strong):
        lead, trail = parts[start][0], parts[end - 1][2]
        inner = " ".join(tokens[start:end])[len(lead):]
        inner = inner[: len(inner) - len(trail)] if trail else inner
        out[start:end] = [lead + wrap_code(inner) + trail] + [None] * (end - start - 1)
        strong[start:end] = [False] * (end - start)
    for index, (lead, core, trail) in enumerate(parts):
        if strong[index] and out[index] is not None:
            out[index] = lead + wrap_code(core) + trail
    return " ".join(token for token in out if token is not None)


def repair_question(text: str) -> str:
    """Put backticks around the unmistakable code in a question line.

    >>> repair_question('What is the purpose of if __name__ == "__main__":?')
    'What is the purpose of `if __name__ == "__main__":`?'
    >>> repair_question("When to use collections.defaultdict vs dict.setdefault?")
    'When to use `collections.defaultdict` vs `dict.setdefault`?'
    """
    try:
        return _repair_question(str(text))
    except Exception:
        return str(text)
