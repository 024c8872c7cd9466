"""Where prose may end in a region, and what may follow it there."""

from __future__ import annotations

from bisect import bisect_right
from typing import Optional

from qdeck.repair.shapes import ABBREVIATION
from qdeck.repair.weights import MAX_PROSE_CHARS, PROSE_PERIOD_BEFORE_CODE


class ProseEnds:
    """Where prose may end in a region and what may follow, worked out once per region.

    Whether prose may end before code, or end a bullet, depends on the end alone (and on
    whether it is the next line break), so every start reads the same table.
    """

    def __init__(self, text: str, forced: set[int]) -> None:
        size = len(text)
        self.forced_after = [size] * (size + 1)  # the first line break after each position
        later = size
        for position in range(size, -1, -1):
            self.forced_after[position] = later
            if position in forced:
                later = position
        self.penalty: list[float] = [0.0] * (size + 1)  # if code follows prose ending here
        self.glued = [False] * (size + 1)               # code may follow without a line break
        self.after = [""] * (size + 1)                  # "glued" / "space": may end a bullet
        self.candidates: list[int] = []                 # ends some prose may stop at, ascending
        for end in range(1, size):
            ends_sentence = text[end - 1] in ".!?"
            period = ends_sentence and not ABBREVIATION.search(text[max(0, end - 4):end])
            self.penalty[end] = PROSE_PERIOD_BEFORE_CODE if period else 0.0
            self.glued[end] = not text[end - 1].isspace() and not text[end].isspace()
            if ends_sentence:
                self.after[end] = "glued" if not text[end].isspace() else \
                    "space" if text[end] == " " and end + 1 < size else ""
            if self.glued[end] or self.after[end]:
                self.candidates.append(end)
        self.size = size

    def steps(self, position: int) -> list[tuple[int, Optional[float], str]]:
        """(end, penalty if code may follow or None, bullet end) of prose from `position`."""
        limit = self.forced_after[position]
        last = min(limit - 1, position + MAX_PROSE_CHARS)  # below the line break: by the table
        candidates = self.candidates
        low, high = bisect_right(candidates, position), bisect_right(candidates, last)
        penalty, glued, after = self.penalty, self.glued, self.after
        steps = [(end, penalty[end] if glued[end] else None, after[end])
                 for end in candidates[low:high]]
        # Prose may always run on to the next line break or the end (penalty even unglued).
        steps.append((limit, None, "") if limit == self.size else
                     (limit, penalty[limit], after[limit]))
        return steps

    def candidates_between(self, position: int, last: int) -> list[int]:
        """The ends prose from `position` may stop at, up to `last`, by the table."""
        candidates = self.candidates
        return candidates[bisect_right(candidates, position):bisect_right(candidates, last)]
