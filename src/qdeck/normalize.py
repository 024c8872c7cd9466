"""Normalize stage: small named text fixes applied to every question, answer and heading."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterable

import ftfy

from qdeck.models import Question

Fix = Callable[[str], str]

# cp1254 maps these bytes to characters; a UTF-8 lead byte followed by continuation bytes,
# all read as cp1254, is mojibake that ftfy could not undo because the decoder dropped bytes.
_CP1254_HIGH = "".join(
    ch for ch in (bytes([b]).decode("cp1254", errors="ignore") for b in range(0x80, 0x100)) if ch
)
_LEAD = "".join(bytes([b]).decode("cp1254", errors="ignore") for b in range(0xC2, 0xF5))
_REMNANT = re.compile(f"[{re.escape(_LEAD)}][{re.escape(_CP1254_HIGH)}]+")
# What ftfy acts on: anything outside printable ASCII (mojibake, controls, \r) and "&" (entities).
_FTFY_MAY_CHANGE = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
_FENCE = re.compile(r"^\s*```")
_CODE_SPAN = re.compile(r"`[^`]*`")
_BOLD = re.compile(r"(?<![\w*\\])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![\w*])")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u20E3\u200D\U000E0000-\U000E007F]"
)


def fix_encoding(text: str) -> str:
    """Undo mojibake with ftfy (which also straightens curly quotes).

    >>> fix_encoding("Pythonâ€™s key features")
    "Python's key features"
    """
    if not _FTFY_MAY_CHANGE.search(text):
        return text  # plain ASCII text: ftfy would return it as it is, only slower
    return ftfy.fix_text(text, normalization="NFC")


def drop_broken_utf8(text: str) -> str:
    """Re-decode cp1254 runs that still hold UTF-8 bytes; drop what cannot be decoded.

    Some bytes were lost when the file was read as cp1254, so a few emoji cannot be
    recovered: they are dropped rather than left as noise.

    >>> drop_broken_utf8("ğŸ Python")
    ' Python'
    >>> drop_broken_utf8("café déjà vu")
    'café déjà vu'
    """

    def redecode(match: re.Match[str]) -> str:
        raw = match.group(0).encode("cp1254", errors="ignore")
        return raw.decode("utf-8", errors="ignore")

    return _REMNANT.sub(redecode, text)


def drop_emoji(text: str) -> str:
    """Remove pictographs and keycap marks; interview text never needs them.

    >>> drop_emoji("✅ Core")
    ' Core'
    """
    return _EMOJI.sub("", text)


def _outside_code(fix: Fix) -> Fix:
    """Apply `fix` only to the parts of a line that are not `inline code`."""

    def apply(text: str) -> str:
        out, last = [], 0
        for span in _CODE_SPAN.finditer(text):
            out.append(fix(text[last : span.start()]))
            out.append(span.group(0))
            last = span.end()
        out.append(fix(text[last:]))
        return "".join(out)

    apply.__name__ = fix.__name__
    return apply


def strip_bold(text: str) -> str:
    """Remove markdown bold markers around labels, never touching code.

    >>> strip_bold("**Senior Python Developer** roles")
    'Senior Python Developer roles'
    >>> strip_bold("Explain `*args` and `**kwargs`; what is 2 ** 4?")
    'Explain `*args` and `**kwargs`; what is 2 ** 4?'
    >>> strip_bold("def f(*args, **kwargs): ...")
    'def f(*args, **kwargs): ...'
    """
    return _outside_code(lambda part: _BOLD.sub(r"\1", part))(text)


def collapse_spaces(text: str) -> str:
    """Join wrapped lines and squeeze runs of white space into one space.

    >>> collapse_spaces("  token\\n bucket,   leaky ")
    'token bucket, leaky'
    """
    return " ".join(text.split())


def clean_heading(text: str) -> str:
    """Reduce a heading to its title: no markdown, emoji, numbering or counts.

    >>> clean_heading("## 1ï¸âƒ£ Python Fundamentals (15)")
    'Python Fundamentals'
    >>> clean_heading("Tier 2 — Junior (1–2 years) — Questions 51–100")
    'Tier 2 — Junior (1–2 years)'
    >>> clean_heading("## Level 1: Beginner (Questions 1-200)")
    'Level 1: Beginner'
    >>> clean_heading("### 🔠Deep / Follow-up")
    'Deep / Follow-up'
    """
    text = drop_emoji(drop_broken_utf8(text))
    text = re.sub(r"^\s*#+\s*", "", text)
    text = re.sub(r"\s*(?:[—–-]\s*)?\(?Questions?\s+\d+\s*[-–]\s*\d+\)?\s*$", "", text)
    text = re.sub(r"\s*\(\d+\)\s*$", "", text)
    text = re.sub(r"^[^\w(\[]+", "", text)  # leftover symbols before the words
    text = re.sub(r"^\d+\s*[.)]?\s+(?=[A-Za-z])", "", text)  # "1. Core" / keycap digits
    return collapse_spaces(strip_bold(text))


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


def normalize(questions: list[Question]) -> list[Question]:
    """The normalize stage: every text field of every question, fixed."""
    from qdeck import parallel

    return parallel.map_ordered(_fix_question, questions, label="normalizing questions")
