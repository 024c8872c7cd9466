"""Plain-text layout shared by the summaries and the build story: aligned columns, clipped lines."""

from __future__ import annotations

from typing import Iterable, Sequence


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns; numbers right-aligned.

    >>> print(table(["name", "n"], [["a", 1], ["bb", 22]]))
    name   n
    a      1
    bb    22
    """
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(r[i].isdigit() for r in cells[1:]) and len(cells) > 1 for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def clip(text: str, width: int = 90) -> str:
    """One line of at most `width` characters.

    >>> clip("What   is a\\nlist?")
    'What is a list?'
    >>> clip("abcdef", 4)
    'abc…'
    """
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
