"""Repair one answer: units, segmentation and rendering, with a fallback that never loses text."""

from __future__ import annotations


from qdeck.repair.render import render_bullet
from qdeck.repair.segment import bullets_from_steps, segment
from qdeck.repair.units import Unit, make_unit, raw_units
from qdeck.repair.weights import MAX_REGION_CHARS

def _repair_unit(unit: Unit) -> list[str]:
    if not unit.region:
        return [unit.lead] if unit.lead else []
    if len(unit.region) > MAX_REGION_CHARS:  # keep the cost bounded on odd input
        return [" ".join(f"{unit.lead} {unit.region}".split())]
    bullets = bullets_from_steps(unit.region, segment(unit))
    if unit.lead:
        if bullets:
            bullets[0].insert(0, ("prose", unit.lead))
        else:
            bullets = [[("prose", unit.lead)]]
    return [render_bullet(bullet) for bullet in bullets]


def _fallback(lines: list[str]) -> list[str]:
    """Bullets without any code detection, used only if the repair itself fails."""
    out = []
    for line in lines:
        text = " ".join(str(line).split())
        if text.startswith("- "):
            text = text[2:]
        if text:
            out.append(text)
    return out


def repair_answer(lines: list[str]) -> list[str]:
    """Rebuild the bullets of one answer, wrapping recovered inline code in backticks.

    `lines` are the raw lines after a question line; the result holds one
    string per bullet, without the "- " marker.  Every non-space character of
    the input (other than consumed "- " markers) survives, in order.

    >>> repair_answer(["- Mixing tabs and spaces raises", "TabError. - PEP 8 recommends four."])
    ['Mixing tabs and spaces raises `TabError`.', 'PEP 8 recommends four.']
    """
    try:
        bullets: list[str] = []
        for code_first, text in raw_units(list(lines)):
            bullets.extend(_repair_unit(make_unit(code_first, text)))
        return [bullet for bullet in bullets if bullet]
    except Exception:  # a bug here must not cost the user the answer text
        try:
            return _fallback(list(lines))
        except Exception:  # not even a list of lines
            return []


