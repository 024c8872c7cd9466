"""Whether Python's own parser accepts a candidate code span, with shortcuts for common shapes."""

from __future__ import annotations

import ast
import functools
import keyword
import re
import warnings

_NAME_PAIR = re.compile(r"(?<![\w'\"])([A-Za-z_]\w*) +(?=([A-Za-z_]\w*))")
ALL_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_BLOCK_KEYWORDS = frozenset(("async", "class", "def", "elif", "else", "except", "finally",
                             "for", "if", "try", "while", "with"))


@functools.lru_cache(maxsize=65536)  # pure; Python's parser is the dearest check of a span
def parses_as_python(text: str) -> bool:
    """True when Python's own parser accepts the span as a statement or expression."""
    # Shortcuts for the commonest shapes, which the parser would only confirm.
    if _DOTTED_NAME.fullmatch(text) and not any(part in keyword.kwlist
                                                  for part in text.split(".")):
        return True
    if (text[0] == "." and not text.startswith("...")) or text[-1] in ",;" \
            or text.count('"') % 2 or text.count("'") % 2:
        return False
    if any(first not in ALL_KEYWORDS and second not in ALL_KEYWORDS
           for first, second in _NAME_PAIR.findall(text)):
        return False  # two plain names in a row never parse: "script name"
    candidates = [text]
    if text.split(" ", 1)[0] in _BLOCK_KEYWORDS:
        candidates.append(text + ": pass")  # "with open(p) as f": a header without colon
    if text.endswith(":"):
        candidates.append(text + " pass")  # a block header needs a body
    if text.startswith("@"):
        candidates.append(text + "\ndef f(): pass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for candidate in candidates:
            try:
                ast.parse(candidate)
                return True
            except Exception:  # SyntaxError, ValueError on NUL bytes, RecursionError
                continue
    return False


