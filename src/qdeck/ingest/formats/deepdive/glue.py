"""Split a scraped deep-dive line where the scrape glued paragraphs together ("memory.Follow-up:")."""

from __future__ import annotations

import keyword
import re
import sys

LABELS = r"(?:Red flag answer|Red flag|Follow-ups?)"
# A known label glued to the previous sentence, with or without a space between.
_LABEL_GLUE = re.compile(rf"(?:(?<=\S)|(?<=[.!?”)]\s)){LABELS}:")
# A sentence end with the next paragraph glued straight on: "memory.Follow", "scale?”All".
_SENTENCE_GLUE = re.compile(r"(?<=\S)[”’\")]*[.!?]+[”’\")]*(?=[A-Z“])")
# "...-> objectWhy super() matters here: ...": a label glued onto a "Label: text" paragraph.
_CAMEL_LABEL = re.compile(r"(?<=[a-z)])(?=[A-Z][a-z]+(?: [^\s:.!?]+){0,6}:(?:\s|$))")
# "...is atomic.await means: ...": a paragraph that opens with a keyword or a module name.
_LOWER_GLUE = re.compile(r"(?<=[a-z]{3})\.(?=(?P<word>[a-z]+)[ .])")

# Module names that are also everyday words end sentences ("unreadable code.Anonymous"),
# so only the others mark "asyncio.TaskGroup" as a dotted name rather than a glue point.
_WORDLIKE_MODULES = frozenset(
    "array bisect calendar chunk cmd code copy email glob html http inspect keyword math numbers "
    "operator platform profile queue random resource secrets select shelve signal site stat "
    "statistics string struct this time token trace types warnings wave xml".split()
)
_MODULES = frozenset(sys.stdlib_module_names) - _WORDLIKE_MODULES
_PARAGRAPH_OPENERS = _MODULES | frozenset(keyword.kwlist)


def split_glued(text: str) -> list[str]:
    """Split a scraped line where paragraphs were glued together.

    >>> split_glued("war stories about memory.Follow-up:")
    ['war stories about memory.', 'Follow-up:']
    >>> split_glued("Use asyncio.TaskGroup (3.11+).Key limitations:")
    ['Use asyncio.TaskGroup (3.11+).', 'Key limitations:']
    """
    parts: list[str] = []
    for chunk in _split_at(text, [m.start() for m in _LABEL_GLUE.finditer(text)]):
        for piece in _split_at(chunk, _sentence_glue_points(chunk)):
            parts.extend(_split_at(piece, _camel_label_points(piece)))
    return [p.strip() for p in parts if p.strip()]


def _split_at(text: str, points: list[int]) -> list[str]:
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if a < b]


def _sentence_glue_points(text: str) -> list[int]:
    upper = [m.end() for m in _SENTENCE_GLUE.finditer(text) if not _is_dotted_name(text, m)]
    lower = [m.end() for m in _LOWER_GLUE.finditer(text) if _opens_paragraph(text, m)]
    return sorted(upper + lower)


def _opens_paragraph(text: str, match: re.Match[str]) -> bool:
    """True for "atomic.await": a plain word ends the sentence, a keyword or module opens the next."""
    left = re.search(r"[\w.]*$", text[: match.start()]).group()
    plain_word = left.isalpha() and left.islower() and left not in _MODULES
    return plain_word and match.group("word") in _PARAGRAPH_OPENERS


def _is_dotted_name(text: str, match: re.Match[str]) -> bool:
    """True for "asyncio.TaskGroup" or "Status.ACTIVE": a name, not a sentence end."""
    if match.group() != ".":
        return False
    left = re.search(r"[A-Za-z_][\w.]*$", text[: match.start()])
    right = re.match(r"[A-Za-z_]\w*", text[match.end() :])
    if not left or not right:
        return False
    if left.group().split(".")[0] in _MODULES:
        return True
    after = text[match.end() + right.end() : match.end() + right.end() + 2]
    all_caps = right.group().isupper() and len(right.group()) > 1
    starts_sentence = len(after) == 2 and after[0] == " " and after[1].isupper()
    return all_caps and left.group()[0].isupper() and not starts_sentence


def _camel_label_points(text: str) -> list[int]:
    # Only after a "Label: text" paragraph, so "IntEnum vs Enum:" stays whole.
    return [m.start() for m in _CAMEL_LABEL.finditer(text) if ": " in text[: m.start()]]

