"""The last release's notes, which clustering starts from so that notes stay as they were."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class LastRelease:
    """The notes of the last release, as groups of new refs (from the identity alignment).

    Clustering starts from them: a question stays in its note unless its own text changed so
    much that the matcher would no longer join it, and two clusters that each hold an
    unchanged question never merge, so editing one question never moves another.
    """

    groups: tuple[tuple[str, ...], ...] = ()
    unchanged: frozenset[str] = frozenset()  # refs whose text is exactly as released
    canonical: Mapping[str, tuple[int, bool]] = field(default_factory=dict)  # ref -> rank: was its note's question
