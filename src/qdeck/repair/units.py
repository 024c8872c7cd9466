"""Split an answer's raw lines into units: one bullet plus the code-first bullets glued on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MIDLINE_BULLET = re.compile(r"(?<=[.!?])[ \t]?- (?=\S)")
_SENTENCE_END = (".", "!", "?")


@dataclass
class Unit:
    """Text up to the next visible "- " marker: one bullet plus code-first ones glued on."""

    code_first: bool
    lead: str = ""                     # prose before the first code element
    region: str = ""                   # text from the first code element on
    forced: set[int] = field(default_factory=set)  # where the line breaks put code


def raw_units(lines: list[str]) -> list[tuple[bool, str]]:
    """(starts with code, text with "\\n" where the scrape broke the line)."""
    units: list[tuple[bool, str]] = []
    open_sentence = False
    for line in lines:
        text = str(line).strip()
        if not text:
            continue
        pieces = [piece.strip() for piece in _MIDLINE_BULLET.split(text)]
        first = pieces[0]
        if first.startswith("- ") or first == "-":
            units.append((False, first[1:].strip()))
        elif units and open_sentence:
            # A line break inside an unfinished sentence is the break the
            # scraper put before the bullet's first code element.
            code_first, before = units.pop()
            units.append((code_first, before + "\n" + first))
        else:
            units.append((True, first))
        units.extend((False, piece) for piece in pieces[1:] if piece)
        open_sentence = not text.endswith(_SENTENCE_END)
    return units


def make_unit(code_first: bool, text: str) -> Unit:
    parts = text.split("\n")
    unit = Unit(code_first)
    if not code_first:
        unit.lead = " ".join(parts[0].split())
        parts = parts[1:]
    for part in parts:
        part = " ".join(part.split())
        if not part:
            continue
        if unit.region:
            unit.region += " "
        unit.forced.add(len(unit.region))
        unit.region += part
    return unit


