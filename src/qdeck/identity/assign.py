"""Assignment: each note's GUID and mod, from the questions the alignment followed."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process

from qdeck.errors import LockError
from qdeck.identity.alignment import MOVE_MATCH, Alignment, _content, _key, _norm
from qdeck.identity.sticky import catalog_of, follow
from qdeck.identity.model import Lock, LockedContent, LockedQuestion, LockEntry, NotetypeState, natural
from qdeck.models import Note
from qdeck.anki import Renderer, notetype_fingerprint, schema_fingerprint

_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class IdentityReport:
    """What one build did to the identities; every exported note is in exactly one list."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()  # retired by this build
    merged: tuple[str, ...] = ()  # merged into another note by this build
    revived: tuple[str, ...] = ()  # retired or merged before, back in a source now (also in `changed`)
    matched_by: Mapping[str, str] = field(default_factory=dict)  # guid -> how its questions were followed
    # (old text, new text, similarity): pairings kept as the same question though they look little alike
    uncertain: tuple[tuple[str, str, float], ...] = ()
    migrated: bool = False  # the lock was version 1 and is now written as version 2
    release: int = 0  # the mod given to every note changed by this build
    notetype_changed: bool = False
    notetype_schema_changed: bool = False  # users must tick "Merge notetypes" on their next import

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("new", "changed", "unchanged", "retired", "merged")}

    def summary(self) -> str:
        """A few lines for the build output."""
        c = self.counts
        lines = [
            f"notes: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['retired']} retired, {c['merged']} merged"
        ]
        for old, new, similarity in self.uncertain:
            lines.append(f"kept as the same note: {old} → {new} (similarity {similarity:.2f})")
        if self.uncertain:
            lines.append("  (pin or break such a pairing in data/overrides.yaml: `same:` / `new:`)")
        if self.migrated:
            lines.append("lock: migrated to version 2 (it now remembers every source's questions)")
        if self.revived:
            lines.append(f"revived: {len(self.revived)} retired notes are back in a source")
        if self.notetype_schema_changed:
            lines.append(
                'note type fields changed: tell users to tick "Merge notetypes" when importing this '
                'build, or Anki will make a "+" copy of the note type and skip the changed notes'
            )
        elif self.notetype_changed:
            lines.append("note type styling changed: Anki updates it on import (no action needed)")
        return "\n".join(lines)


def _mint(namespace: str, note: Note, taken: set[str]) -> str:
    seed = f"{namespace}\x00{note.refs[0] if note.refs else note.key}\x00{_norm(note.question)}"
    salt = 0
    while True:
        digest = hashlib.sha256(f"{seed}\x00{salt}".encode("utf-8")).digest()
        number = int.from_bytes(digest[:8], "big")
        suffix = ""
        for _ in range(10):
            number, rest = divmod(number, 62)
            suffix += _BASE62[rest]
        guid = f"{namespace}:{suffix}"
        if guid not in taken:
            return guid
        salt += 1


# ---------------------------------------------------------------------- tags and notes


def _status_prefix(root: str) -> str:
    return f"{root}::status::"


def _final_tags(tags: Iterable[str], root: str, status: str) -> tuple[str, ...]:
    kept = {t for t in tags if not t.startswith(_status_prefix(root))}
    if status != "active":
        kept.add(f"{root}::status::retired")
    return tuple(sorted(kept))


def _content_of(note: Note, root: str) -> LockedContent:
    return LockedContent(
        key=note.key, answer=note.answer, variants=tuple(note.variants), follow_ups=tuple(note.follow_ups),
        code_tasks=tuple(note.code_tasks), sources=tuple(note.sources), tier=note.tier, topics=tuple(note.topics),
        kind=note.kind, tags=_final_tags(note.tags, root, "active"),
    )


def _note_of(entry: LockEntry, status: str, merged_into: str, root: str) -> Note:
    c = entry.content
    return Note(
        key=c.key or (entry.refs[0] if entry.refs else entry.guid), question=entry.question, refs=entry.refs,
        answer=c.answer, variants=c.variants, follow_ups=c.follow_ups, code_tasks=c.code_tasks, sources=c.sources,
        tier=c.tier, topics=c.topics, kind=c.kind, tags=_final_tags(c.tags, root, status), guid=entry.guid,
        status=status, merged_into=merged_into,
    )


def _sorted_refs(refs: tuple[str, ...]) -> tuple[str, ...]:
    return refs if len(refs) < 2 else tuple(sorted(set(refs), key=natural))


def _in_released_order(note: Note, entry: LockEntry | None) -> Note:
    if entry is None:
        return note
    c = entry.content

    def ordered(items: tuple[str, ...], before: tuple[str, ...]) -> tuple[str, ...]:
        if len(items) < 2 or items == before:
            return items
        rank = {item: n for n, item in enumerate(before)}
        return tuple(sorted(items, key=lambda item: rank.get(item, len(rank))))  # stable: new ones keep theirs

    lists = {name: ordered(getattr(note, name), getattr(c, name))
             for name in ("variants", "follow_ups", "code_tasks", "sources")}
    if all(lists[name] is getattr(note, name) for name in lists):
        return note
    return replace(note, **lists)


def _resolve_chain(guid: str, merged: Mapping[str, str]) -> str:
    seen = {guid}
    while guid in merged and merged[guid] not in seen:
        guid = merged[guid]
        seen.add(guid)
    return guid




# ---------------------------------------------------------------------- the stage


def _heirs(notes: Sequence[Note], alignment: Alignment, entries: Mapping[str, LockEntry]) -> dict[int, list[str]]:
    """For each note, the released GUIDs it continues. A GUID goes to the note holding most of its
    unchanged questions (then most of its questions, the closest texts, its old question); a question merged into another
    brings its GUID along when no note holds any of that GUID's questions."""
    # Unchanged questions weigh most: the note that keeps them never loses its GUID to one an
    # edited question left for.
    votes: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    canonical: dict[str, set[int]] = defaultdict(set)
    for ni, note in enumerate(notes):
        for ref in note.refs:
            pair = alignment.pairs.get(ref)
            if pair is None or pair.old.guid not in entries:
                continue
            votes[pair.old.guid][ni].append(pair.similarity)
            if pair.old.text == entries[pair.old.guid].question:
                canonical[pair.old.guid].add(ni)
    heirs: dict[int, list[str]] = defaultdict(list)
    for guid, by_note in votes.items():
        ni = max(by_note, key=lambda n: (by_note[n].count(1.0), len(by_note[n]), sum(by_note[n]), n in canonical[guid],
                                         -n))
        heirs[ni].append(guid)
    note_of = {ref: ni for ni, note in enumerate(notes) for ref in note.refs}
    for ref, gone in alignment.absorbed.items():
        for q in gone:
            if q.guid not in votes and q.guid in entries and ref in note_of and q.guid not in heirs[note_of[ref]]:
                heirs[note_of[ref]].append(q.guid)
                votes[q.guid]  # claimed
    return heirs


def _revive(notes: Sequence[Note], todo: Sequence[int], spare: Sequence[LockEntry]) -> dict[int, LockEntry]:
    """Notes that continue no released question, matched to spare lock entries by text: a
    retired question back in a source, or one moved and reworded beyond the alignment."""
    if not todo or not spare:
        return {}
    exact: dict[str, list[int]] = defaultdict(list)
    for k, e in enumerate(spare):
        for text in (e.question, *e.content.variants):
            exact[_key(text)].append(k)
    flat = [(k, _content(t)) for k, e in enumerate(spare) for t in (e.question, *e.content.variants)]
    choices = [t for _, t in flat]
    scored: list[tuple[float, int, str, int]] = []
    for ni in todo:
        texts = [notes[ni].question, *notes[ni].variants]
        hits = {k for t in texts for k in exact.get(_key(t), ())}
        for k in hits:
            scored.append((-2.0, spare[k].added, spare[k].guid, ni, k))
        if hits:
            continue
        for text in texts:
            for _, score, n in process.extract(_content(text), choices, scorer=fuzz.ratio, processor=None,
                                               score_cutoff=MOVE_MATCH * 100, limit=None):
                k = flat[n][0]
                scored.append((-score / 100, spare[k].added, spare[k].guid, ni, k))
    found: dict[int, LockEntry] = {}
    used: set[int] = set()
    for *_, ni, k in sorted(scored):
        if ni not in found and k not in used:
            found[ni] = spare[k]
            used.add(k)
    return found


def assign_identities(
    notes: list[Note],
    lock: Lock,
    *,
    namespace: str,
    now: int,
    root: str | None = None,
    alignment: Alignment | None = None,
    finish: Callable[[Note, tuple[str, ...]], Note] | None = None,
    renderer: Renderer | None = None,
) -> tuple[list[Note], Lock, IdentityReport]:
    """Give each note its GUID, mod and status from the lock; return them, the new lock, a report.

    `alignment` says which released question each new question continues (`follow`); without
    it, the notes' own refs and texts stand in for the catalog. A note continues the GUID of
    the released questions it holds; of two released notes now one, the older GUID survives
    and the other is merged into it. The returned notes are the input notes in order (active),
    followed by every locked note no source has any more (retired, or merged into a survivor),
    sorted by GUID: those are still exported so users' copies get tagged
    `<root>::status::retired`. `now` is the build time; any changed note gets a mod strictly
    greater than every earlier release.
    """
    if not _NAMESPACE.match(namespace):
        raise ValueError(f"namespace {namespace!r} must be letters, digits, '.', '_' or '-'")
    if lock.namespace and lock.namespace != namespace:
        raise LockError(
            f"the lock belongs to namespace {lock.namespace!r}, not {namespace!r}; "
            "use the recipe it was made for (changing the namespace would duplicate every note)",
            lock.path,
        )
    for note in notes:
        if not note.question.strip():
            raise ValueError(f"note {note.key!r} has an empty question")
    if alignment is None:
        alignment = follow(lock, catalog_of(notes))
    root = root or namespace  # the tag root; a recipe's differs from its namespace only when set to
    release = max(int(now), lock.released + 1)
    entries = list(lock.entries)
    by_guid = lock.by_guid()

    merged_into: dict[str, str] = {}
    assigned: dict[int, str] = {}
    matched_by: dict[str, str] = {}
    for ni, guids in _heirs(notes, alignment, by_guid).items():
        # The older note survives; between equals, the one that keeps more unchanged questions,
        # then the one whose question the note shows.
        pairs = [alignment.pairs[r] for r in notes[ni].refs if r in alignment.pairs]
        shown = {p.old.guid for p in pairs if p.text == notes[ni].question}
        unchanged = Counter(p.old.guid for p in pairs if p.how == "exact")
        survivor = min(guids, key=lambda g: (by_guid[g].added, -unchanged[g], g not in shown, g))
        assigned[ni] = survivor
        for guid in guids:
            if guid != survivor:
                merged_into[guid] = survivor
        hows = {alignment.pairs[r].how for r in notes[ni].refs if r in alignment.pairs}
        matched_by[survivor] = "exact" if hows == {"exact"} else "+".join(sorted(hows - {"exact"})) or "merged"
    claimed = set(assigned.values()) | set(merged_into)
    todo = [ni for ni in range(len(notes)) if ni not in assigned]
    for ni, entry in _revive(notes, todo, [e for e in entries if e.guid not in claimed]).items():
        assigned[ni] = entry.guid
        matched_by[entry.guid] = "text"

    taken = {e.guid for e in entries}
    guids: list[str] = []
    for ni, note in enumerate(notes):
        guid = assigned.get(ni)
        if guid is None:
            guid = _mint(namespace, note, taken)
            taken.add(guid)
        guids.append(guid)

    out_notes: list[Note] = []
    new_entries: dict[str, LockEntry] = {}
    buckets: dict[str, list[str]] = {k: [] for k in ("new", "changed", "unchanged", "retired", "merged", "revived")}
    previous = {e.guid: e for e in entries}

    # A note's lists keep the order they were released in (new items after): renumbering a
    # source reorders its members, which is no change a learner should see.
    notes = [_in_released_order(note, previous.get(guid)) for note, guid in zip(notes, guids)]
    if finish is not None:
        # What is keyed by GUID (editorial answers) joins before the hash, with the GUIDs each
        # note has absorbed, so what was written for a merged note follows it.
        # A merged note back in a source (revived) keeps its answer for itself.
        active = set(guids)
        chains = {e.guid: e.merged_into for e in entries if e.status == "merged" and e.guid not in active}
        chains.update(merged_into)
        absorbed: dict[str, list[str]] = {}
        for guid in sorted(chains):
            absorbed.setdefault(_resolve_chain(guid, chains), []).append(guid)
        notes = [finish(replace(note, guid=guid), tuple(absorbed.get(guid, ()))) for note, guid in zip(notes, guids)]
    finals = [replace(note, guid=guid, status="active", merged_into="", mod=0,
                      tags=_final_tags(note.tags, root, "active")) for note, guid in zip(notes, guids)]
    renderer = renderer or Renderer()
    digests = renderer.content_hashes(finals)
    for note, guid, final, digest in zip(notes, guids, finals, digests):
        prev = previous.get(guid)
        if prev is not None and prev.hash == digest:
            mod, bucket = prev.mod, "unchanged"
        else:
            mod, bucket = release, ("new" if prev is None else "changed")
        if prev is not None and prev.status != "active":
            buckets["revived"].append(guid)
        buckets[bucket].append(guid)
        out_notes.append(replace(final, mod=mod))
        new_entries[guid] = LockEntry(
            guid=guid, question=note.question, refs=_sorted_refs(note.refs), hash=digest,
            mod=mod, added=prev.added if prev is not None else release, content=_content_of(note, root),
        )

    # Locked notes no source has any more: still exported, so users' copies learn their fate.
    all_merges = {e.guid: e.merged_into for e in entries if e.status == "merged" and e.guid not in new_entries}
    all_merges.update(merged_into)
    leftovers: list[Note] = []
    for entry in entries:
        if entry.guid in new_entries:
            continue
        if entry.guid in merged_into or entry.status == "merged":
            status, target = "merged", _resolve_chain(entry.guid, all_merges)
        else:
            status, target = "retired", ""
        note = _note_of(entry, status, target, root)
        digest = renderer.content_hash(note)
        mod = entry.mod if digest == entry.hash else release
        if entry.status == "active":
            bucket = status  # retired or merged by this build
        else:
            bucket = "unchanged" if digest == entry.hash else "changed"
        buckets[bucket].append(entry.guid)
        leftovers.append(replace(note, mod=mod))
        new_entries[entry.guid] = replace(entry, status=status, merged_into=target, hash=digest, mod=mod)
    out_notes.extend(sorted(leftovers, key=lambda n: n.guid))

    fingerprint, schema = notetype_fingerprint(), schema_fingerprint()
    old_nt = lock.notetype
    if old_nt is not None and old_nt.fingerprint == fingerprint and old_nt.schema == schema:
        notetype = old_nt
    else:
        notetype = NotetypeState(fingerprint, schema, release)
    guid_of = {ref: guid for note, guid in zip(notes, guids) for ref in note.refs}
    questions = tuple(LockedQuestion(ref, text, guid_of[ref]) for ref, text in alignment.new if ref in guid_of)
    new_lock = Lock(tuple(sorted(new_entries.values(), key=lambda e: e.guid)), namespace, notetype, lock.path,
                    questions)

    # The lock is precious: these hold by construction, and must keep holding.
    all_guids = [n.guid for n in out_notes]
    assert len(all_guids) == len(set(all_guids)), "duplicate GUIDs in one build"
    assert {e.guid for e in lock.entries} <= set(new_entries), "an entry was dropped from the lock"

    report = IdentityReport(
        **{k: tuple(v) for k, v in buckets.items()},
        matched_by=matched_by,
        uncertain=alignment.uncertain,
        migrated=alignment.migrated,
        release=release,
        notetype_changed=old_nt is not None and old_nt.fingerprint != fingerprint,
        notetype_schema_changed=old_nt is not None and old_nt.schema != schema,
    )
    return out_notes, new_lock, report

