"""Normalize stage: small named text fixes applied to every question, answer and heading."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

import ftfy

from qdeck.models import Question
from qdeck.parallel import SERIAL, Pool
from qdeck.text import Fix, clean_heading, collapse_spaces, drop_broken_utf8, drop_emoji, strip_bold

# What ftfy acts on: anything outside printable ASCII (mojibake, controls, \r) and "&" (entities).
_FTFY_MAY_CHANGE = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
_FENCE = re.compile(r"^\s*```")


def fix_encoding(text: str) -> str:
    """Undo mojibake with ftfy (which also straightens curly quotes).

    >>> fix_encoding("Pythonâ€™s key features")
    "Python's key features"
    """
    if not _FTFY_MAY_CHANGE.search(text):
        return text  # plain ASCII text: ftfy would return it as it is, only slower
    return ftfy.fix_text(text, normalization="NFC")


TEXT_FIXES: tuple[Fix, ...] = (fix_encoding, drop_broken_utf8, drop_emoji, strip_bold, collapse_spaces)


def normalize_text(text: str, fixes: Iterable[Fix] = TEXT_FIXES) -> str:
    """Apply every fix in order to a one-line text.

    >>> normalize_text("  What is   **duck typing**?\\n")
    'What is duck typing?'
    >>> normalize_text("Â🀀\\x95")  # dropping the emoji leaves mojibake for a second pass
    '•'
    """
    fixes = tuple(fixes)
    # One fix can expose work for an earlier one (removing an emoji joins two halves of
    # mojibake), so passes repeat until nothing changes: normalizing twice changes nothing.
    for _ in range(4):
        before = text
        for fix in fixes:
            text = fix(text)
        if text == before:
            break
    return text


def normalize_block(text: str) -> str:
    """Normalize a markdown-subset answer line by line, leaving fenced code untouched.

    >>> normalize_block("- **Bold**  label\\n```python\\n    x  =  1\\n```")
    '- Bold label\\n```python\\n    x  =  1\\n```'
    """
    out: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            out.append(line.strip())
        elif in_code:
            out.append(fix_encoding(line.rstrip()))
        else:
            marker = re.match(r"^(\s*(?:- |\d+\. ))", line)
            prefix = marker.group(1).lstrip() if marker else ""
            body = line[marker.end() :] if marker else line
            out.append(prefix + normalize_text(body) if body.strip() else "")
    return "\n".join(out).strip("\n")


def _fix_question(q: Question) -> Question:
    return replace(
        q,
        text=normalize_text(q.text),
        answer=normalize_block(q.answer),
        code_task=normalize_text(q.code_task) if q.code_task else q.code_task,
        section=clean_heading(q.section) if q.section else q.section,
        level=clean_heading(q.level) if q.level else q.level,
        tests=normalize_text(q.tests),
        red_flag=normalize_text(q.red_flag),
    )


def normalize(questions: list[Question], pool: Pool = SERIAL) -> list[Question]:
    """The normalize stage: every text field of every question, fixed."""
    return pool.map(_fix_question, questions, label="normalizing questions")
