"""The maintainers' corrections of data/overrides.yaml: forced merges and splits, canonical texts, tiers, topics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from qdeck import config
from qdeck.config.schema import OverridesFile


@dataclass(frozen=True)
class Overrides:
    """Maintainers' corrections from data/overrides.yaml."""

    merge: tuple[tuple[str, ...], ...] = ()
    split: tuple[tuple[str, ...], ...] = ()
    canonical: Mapping[str, str] = field(default_factory=dict)
    tier: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    same: tuple[tuple[str, str], ...] = ()  # (OLD_REF in the lock, NEW_REF): one question (identity)
    new: tuple[str, ...] = ()  # refs that are new questions, whatever the alignment says (identity)

    @classmethod
    def load(cls, path: Path | None, known_refs: Iterable[str]) -> "Overrides":
        if path is None:
            return cls()
        known = set(known_refs)
        return config.load(path, OverridesFile, build=lambda raw: cls.from_shape(raw, known), empty=OverridesFile())

    @classmethod
    def from_shape(cls, raw: OverridesFile, known: set[str]) -> "Overrides":
        """The overrides of a checked file; a ref no source has is an error (config.Invalid) at its entry."""
        named: list[tuple[tuple[str | int, ...], str]] = [
            ((key, i, j), ref) for key in ("merge", "split") for i, group in enumerate(getattr(raw, key))
            for j, ref in enumerate(group)
        ]
        named += [((key, ref), ref) for key in ("canonical", "tier", "topics") for ref in getattr(raw, key)]
        # an OLD_REF of `same:` names the lock's past, so only its NEW_REF must exist now
        named += [(("same", i, 1), pair[1]) for i, pair in enumerate(raw.same)]
        named += [(("new", i), ref) for i, ref in enumerate(raw.new)]
        # A recipe may build from some of the lists: entries about a list it leaves out do not apply.
        sources = {ref.rpartition("#")[0] for ref in known}

        def used(ref: str) -> bool:
            return ref.rpartition("#")[0] in sources

        unknown = [(loc, ref) for loc, ref in named if used(ref) and ref not in known]
        if unknown:
            refs = ", ".join(sorted({ref for _, ref in unknown}))
            raise config.Invalid(unknown[0][0], f"override names unknown ref(s): {refs}; fix or remove them")
        merge, split = ([kept for kept in (tuple(filter(used, g)) for g in groups) if len(kept) > 1]
                        for groups in (raw.merge, raw.split))
        return cls(
            merge=tuple(merge),
            split=tuple(split),
            canonical={ref: text for ref, text in raw.canonical.items() if used(ref)},
            tier={ref: str(value) for ref, value in raw.tier.items() if used(ref)},
            topics={ref: (value,) if isinstance(value, str) else tuple(value) for ref, value in raw.topics.items()
                    if used(ref)},
            same=tuple(pair for pair in raw.same if used(pair[1])),
            new=tuple(ref for ref in raw.new if used(ref)),
        )
