"""Small text fixes shared by the parsers (headings) and the normalize stage (every text)."""

from __future__ import annotations

import re
from typing import Callable

Fix = Callable[[str], str]

# cp1254 maps these bytes to characters; a UTF-8 lead byte followed by continuation bytes,
# all read as cp1254, is mojibake that ftfy could not undo because the decoder dropped bytes.
_CP1254_HIGH = "".join(
    ch for ch in (bytes([b]).decode("cp1254", errors="ignore") for b in range(0x80, 0x100)) if ch
)
_LEAD = "".join(bytes([b]).decode("cp1254", errors="ignore") for b in range(0xC2, 0xF5))
_REMNANT = re.compile(f"[{re.escape(_LEAD)}][{re.escape(_CP1254_HIGH)}]+")
_CODE_SPAN = re.compile(r"`[^`]*`")
_BOLD = re.compile(r"(?<![\w*\\])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![\w*])")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u20E3\u200D\U000E0000-\U000E007F]"
)


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
