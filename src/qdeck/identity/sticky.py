"""What the last release carries into a build, before dedupe: where its questions went, its notes, its tiers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Iterable, Sequence

from qdeck.dedupe import LastRelease
from qdeck.identity.alignment import Alignment, align, migrate
from qdeck.identity.model import Lock
from qdeck.models import Note, Question


def follow(lock: Lock, questions: Sequence[Question], *, same: Iterable[Sequence[str]] = (),
           fresh: Iterable[str] = (), overrides_path: object = None) -> Alignment:
    """Align the lock's questions with the catalog's, migrating a version 1 lock first."""
    migrated = lock.questions is None and bool(lock.entries)
    old = migrate(lock, questions) if lock.questions is None else lock.questions
    return align(old, questions, same=same, fresh=fresh, migrated=migrated, overrides_path=overrides_path)


def last_release(lock: Lock, alignment: Alignment) -> LastRelease:
    """The last release's notes as groups of new refs, for dedupe to start from."""
    entries = lock.by_guid()
    groups: dict[str, list[str]] = defaultdict(list)
    canonical: dict[str, tuple[int, bool]] = {}
    for ref, pair in alignment.pairs.items():
        groups[pair.old.guid].append(ref)
        entry = entries.get(pair.old.guid)
        if entry is not None and pair.old.text == entry.question:
            # The older note's question first; between equals, the one whose text is unchanged.
            canonical[ref] = (entry.added, pair.how != "exact")
    unchanged = frozenset(ref for ref, pair in alignment.pairs.items() if pair.how == "exact")
    return LastRelease(tuple(tuple(g) for _, g in sorted(groups.items())), unchanged, canonical)


def keep_inferred_tiers(notes: Sequence[Note], lock: Lock, alignment: Alignment, root: str) -> list[Note]:
    """A note whose questions are exactly those it had keeps its inferred tier: inference looks
    at the whole deck, and another note's edit must not move this one."""
    entries = lock.by_guid()
    members: dict[str, set[str]] = defaultdict(set)
    for q in (lock.questions or ()):
        members[q.guid].add(q.ref)
    out = []
    for note in notes:
        pairs = [alignment.pairs.get(ref) for ref in note.refs]
        guids = {p.old.guid for p in pairs if p is not None}
        if note.tier_origin == "inferred" and len(guids) == 1 and all(p is not None and p.how == "exact" for p in pairs):
            guid, = guids
            entry = entries.get(guid)
            old_refs = {p.old.ref for p in pairs if p is not None}
            if entry is not None and entry.content.tier and old_refs == members[guid] and entry.content.tier != note.tier:
                tags = {t for t in note.tags if t != f"{root}::tier::{note.tier}"} | {f"{root}::tier::{entry.content.tier}"}
                note = replace(note, tier=entry.content.tier, tags=tuple(sorted(tags)))
        out.append(note)
    return out


def catalog_of(notes: Sequence[Note]) -> list[Question]:
    """Stand-in questions for callers that have notes only: each ref with its note's text."""
    out = []
    for note in notes:
        texts = [note.question, *note.variants]
        for n, ref in enumerate(note.refs):
            text = texts[n] if len(texts) == len(note.refs) else note.question
            out.append(Question(ref=ref, source=ref.rpartition("#")[0], number="", text=text, line=0))
    return out
