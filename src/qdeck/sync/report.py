"""What a sync did (or would do) to one collection, as data and as a printable account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FilteredDeckResult:
    """One filtered deck after the sync: what was done to it and how many cards it holds."""

    name: str
    action: str  # created | rebuilt | search updated | rebuilt (your search kept) | skipped: <why>
    cards: int = 0


@dataclass(frozen=True)
class SyncReport:
    """What a sync did (or, for a dry run, would do) to one collection."""

    collection: Path
    dry_run: bool = False
    schema: int = 0
    build: str = ""  # the identity summary of the build that was applied
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited in Anki after this build: left as they are, like Anki's "update if newer" import
    retired: int = 0  # our notes in the collection tagged `<root>::status::retired` (retired or merged)
    newly_retired: int = 0
    suspended: int = 0  # cards of retired notes suspended by this sync
    unsuspended: int = 0  # cards this tool once suspended whose note is back in a source
    tags_kept_notes: int = 0  # updated notes whose own tags were put back
    tags_kept: tuple[str, ...] = ()
    filtered: tuple[FilteredDeckResult, ...] = ()
    backup: Path | None = None
    full_sync: bool = False  # the change needs a one-way full sync with AnkiWeb

    @property
    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("added", "updated", "unchanged", "kept", "retired", "newly_retired",
                                              "suspended", "unsuspended", "tags_kept_notes")}

    def summary(self) -> str:
        """A printable account, one fact a line."""
        would = "would be " if self.dry_run else ""
        lines = [f"dry run: nothing was written; {self.collection} would change like this:" if self.dry_run
                 else f"synced {self.collection} (schema {self.schema})"]
        if self.build:
            lines.append(f"build: {self.build.splitlines()[0]}")
        lines.append(f"notes: {self.added} {would}added, {self.updated} {would}updated, {self.unchanged} unchanged, "
                     f"{self.kept} kept as you edited them (newer than this build)")
        retired = f"retired: {self.retired} in the collection ({self.newly_retired} newly)"
        if self.suspended or self.unsuspended:
            retired += f"; {self.suspended} cards {would}suspended, {self.unsuspended} back in a source unsuspended"
        lines.append(retired)
        if self.tags_kept_notes:
            shown = ", ".join(self.tags_kept[:8]) + (", …" if len(self.tags_kept) > 8 else "")
            lines.append(f"tags: your own tags {would}kept on {self.tags_kept_notes} updated notes ({shown})")
        else:
            lines.append("tags: no updated note carried tags of your own")
        for deck in self.filtered:
            count = "" if deck.action.startswith("skipped") else f" ({deck.cards} cards)"
            lines.append(f"filtered deck: {deck.name}: {deck.action}{count}")
        if self.full_sync:
            lines.append("note: Anki will ask for a one-way full sync with AnkiWeb (the note type's fields changed)")
        if self.backup is not None:
            lines.append(f"backup: {self.backup}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
