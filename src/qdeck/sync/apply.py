"""Apply a built package to an open collection: import it, put the user's tags back, retire, refresh filtered decks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from qdeck.anki import FIELD_NAMES, render_fields
from qdeck.config import Recipe
from qdeck.models import Note
from qdeck.sync.errors import CollectionError
from qdeck.sync.filtered import filtered_decks
from qdeck.sync.library import import_package
from qdeck.sync.report import SyncReport


@dataclass
class _Existing:
    nid: int
    mod: int
    tags: list[str]
    fields: list[str]


def _is_ours(tag: str, root: str) -> bool:
    tag, root = tag.casefold(), root.casefold()
    return tag == root or tag.startswith(root + "::")


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _existing(col: Any, guids: Sequence[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for part in _chunks(list(guids)):
        marks = ",".join("?" * len(part))
        for nid, guid, mod, tags, flds in col.db.all(
                f"SELECT id, guid, mod, tags, flds FROM notes WHERE guid IN ({marks})", *part):
            found[guid] = _Existing(nid, mod, tags.split(), flds.split("\x1f"))
    return found


def _present(col: Any, guids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(list(guids)):
        found.update(col.db.list(f"SELECT guid FROM notes WHERE guid IN ({','.join('?' * len(part))})", *part))
    return found


def _guids_of(col: Any, log_notes: Iterable[Any]) -> list[str]:
    nids = [n.id.nid for n in log_notes]
    guids: list[str] = []
    for part in _chunks(nids):
        guids += col.db.list(f"SELECT guid FROM notes WHERE id IN ({','.join('?' * len(part))})", *part)
    return guids


def _differs(before: _Existing, note: Note, root: str) -> bool:
    """Whether the user's copy differs from what this build would write (fields, or tags in our namespace)."""
    fields = render_fields(note)
    ours = {t.casefold() for t in before.tags if _is_ours(t, root)}
    return before.fields != [fields[n] for n in FIELD_NAMES] or ours != {t.casefold() for t in note.tags}


def _restore_user_tags(col: Any, updated: Sequence[str], before: Mapping[str, _Existing],
                       by_guid: Mapping[str, Note], root: str) -> tuple[int, tuple[str, ...]]:
    """Put the user's own tags back on the notes the import updated (it replaces every tag)."""
    changed, kept = [], set()
    for guid in updated:
        own = [t for t in before[guid].tags if not _is_ours(t, root)] if guid in before else []
        if not own:
            continue
        note = col.get_note(before[guid].nid)
        present = {t.casefold() for t in note.tags}
        note.tags = [*note.tags, *(t for t in own if t.casefold() not in present)]
        changed.append(note)
        kept.update(own)
    if changed:
        col.update_notes(changed)
        # Back to the build's mod, as the import left it: a later build then still counts as newer
        # than this note, and a re-import of this build stays a no-op.
        col.db.executemany("UPDATE notes SET mod = ? WHERE id = ?",
                           [(by_guid[n.guid].mod, n.id) for n in changed])
    return len(changed), tuple(sorted(kept, key=str.casefold))


def _cards_of(col: Any, guids: Sequence[str], queue_sql: str) -> list[int]:
    cids: list[int] = []
    for part in _chunks(list(guids)):
        marks = ",".join("?" * len(part))
        cids += col.db.list(f"SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid IN ({marks}) "
                            f"AND {queue_sql}", *part)
    return cids


def _retire(col: Any, notes: Sequence[Note], state: dict[str, Any], suspend: bool) -> tuple[int, int, int]:
    """Count our retired notes; suspend their cards if asked; unsuspend what we suspended once it is back."""
    present = _present(col, [n.guid for n in notes])
    inactive = [n.guid for n in notes if n.status != "active" and n.guid in present]
    active = {n.guid for n in notes if n.status == "active"}
    ours = set(state.get("suspended", ()))
    suspended = unsuspended = 0
    if suspend:
        cids = _cards_of(col, inactive, "c.queue != -1")
        if cids:
            suspended = col.sched.suspend_cards(cids).count
            ours.update(inactive)
    revived = sorted(ours & active)
    if revived:
        # Only cards this tool suspended: a card the user suspended themselves stays suspended.
        cids = _cards_of(col, revived, "c.queue = -1")
        if cids:
            col.sched.unsuspend_cards(cids)
            unsuspended = len(cids)
        ours -= set(revived)
    state["suspended"] = sorted(ours & present)
    return len(inactive), suspended, unsuspended


def _state_key(recipe: Recipe) -> str:
    return f"qdeck:{recipe.slug}"


def apply(col: Any, package: Path, recipe: Recipe, notes: Sequence[Note], *, kinds: Sequence[str],
          suspend_retired: bool) -> SyncReport:
    """Everything a sync changes, inside one open collection; returns the counts."""
    by_guid = {n.guid: n for n in notes}
    root = recipe.tag_root
    state: dict[str, Any] = dict(col.get_config(_state_key(recipe), None) or {})
    before = _existing(col, list(by_guid))
    schema_mod = col.db.scalar("SELECT scm FROM col")

    log = import_package(col, package)
    if log.conflicting:
        raise CollectionError(f"{len(log.conflicting)} notes use an older layout of the qdeck note type (its "
                              "fields changed); import the .apkg once in Anki with “Merge notetypes” ticked, then "
                              "sync again")
    updated = _guids_of(col, log.updated)
    duplicates = _guids_of(col, log.duplicate)
    kept = [g for g in duplicates if g in before and _differs(before[g], by_guid[g], root)]
    tags_notes, tags = _restore_user_tags(col, updated, before, by_guid, root)
    retired, suspended, unsuspended = _retire(col, notes, state, suspend_retired)
    filtered = filtered_decks(col, recipe, notes, kinds, state)
    if state != (col.get_config(_state_key(recipe), None) or {}):
        col.set_config(_state_key(recipe), state)
    return SyncReport(
        collection=Path(), added=len(log.new), updated=len(updated), unchanged=len(duplicates) - len(kept),
        kept=len(kept), retired=retired, newly_retired=_newly_retired(updated, before, by_guid, root),
        suspended=suspended, unsuspended=unsuspended, tags_kept_notes=tags_notes, tags_kept=tags,
        filtered=filtered, full_sync=col.db.scalar("SELECT scm FROM col") != schema_mod,
    )


def _newly_retired(updated: Sequence[str], before: Mapping[str, _Existing], by_guid: Mapping[str, Note],
                   root: str) -> int:
    tag = f"{root}::status::retired".casefold()
    return sum(by_guid[g].status != "active" and tag not in {t.casefold() for t in before[g].tags}
               for g in updated if g in before)
