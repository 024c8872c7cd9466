"""Find the fenced code blocks of a markdown list, and say which fences are stray or never closed."""

from __future__ import annotations

import re

from qdeck.ingest.formats.markdown.lines import FENCE


def find_fences(lines: list[str], source: str, warnings: list[str]) -> dict[int, str]:
    """Each line's part in fenced code (0-based): open, body, close, stray, or inner (``` in ~~~).

    A bare ``` that no later fence closes, or that a numbered heading or a new ```lang interrupts,
    is stray (an extra closing fence); a ```lang block left open is closed before whatever
    interrupts it, so its code stays code.
    """
    roles: dict[int, str] = {}
    start: tuple[int, str, int, str] | None = None  # line, mark char, mark length, info
    i = 0
    while i < len(lines) or start is not None:
        m = FENCE.match(lines[i]) if i < len(lines) else None
        if start is None:
            if m is not None:
                start = (i, m.group("mark")[0], len(m.group("mark")), m.group("info"))
                roles[i] = "open"
            i += 1
            continue
        at, char, length, info = start
        if m is not None and m.group("mark")[0] == char and len(m.group("mark")) >= length and not m.group("info"):
            roles[i] = "close"
            start = None
            i += 1
            continue
        if m is not None and char == "~" and m.group("mark")[0] == "`":
            roles[i] = "inner"  # the answer's code blocks are ``` fences: this line would end one
            i += 1
            continue
        end = i >= len(lines)
        if not end and not (m is not None and m.group("info")) and not re.match(r"^ {0,3}#{2,6}[ \t]+\S", lines[i]):
            roles[i] = "body"
            i += 1
            continue
        start = None
        if info:  # a real block left open: its code stays code; line i is read again outside it
            where = "runs to the end of the file" if end else f"ends before line {i + 1}"
            warnings.append(f"{source}: line {at + 1}: the code fence is never closed, so its code {where}; "
                            "add ``` after the code")
            continue
        roles[at] = "stray"
        for j in range(at + 1, i):
            roles.pop(j, None)
        warnings.append(f"{source}: line {at + 1}: a stray code fence (it opens no code block); delete it")
        i = at + 1
    return roles
