"""What importing a new build over an older package will do, as Anki's default import sees it."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from qdeck.anki.notetype import BACK, FIELD_NAMES, FIELDS, FRONT, MODEL_ID, TEMPLATE_ID, TEMPLATE_NAME, css
from qdeck.anki.read import PackageContents, PackageNotetype, read_apkg
from qdeck.anki.render import render_fields
from qdeck.models import Note

@dataclass(frozen=True)
class NoteChange:
    guid: str
    question: str  # plain text
    diff: tuple[str, ...] = ()  # a short text diff of the fields that changed


@dataclass(frozen=True)
class DiffReport:
    """What importing the new build over an older package will do (default import options)."""

    new: tuple[NoteChange, ...] = ()
    changed: tuple[NoteChange, ...] = ()
    unchanged: tuple[str, ...] = ()
    retired: tuple[NoteChange, ...] = ()
    merged: tuple[NoteChange, ...] = ()
    stale: tuple[NoteChange, ...] = ()  # content differs but mod is not newer: Anki keeps the old one
    dropped: tuple[str, ...] = ()  # in the old package only: importing leaves them as they are
    notetype_changed: bool = False
    notetype_needs_merge: bool = False  # fields/templates differ: users must tick "Merge notetypes"
    notetype_stale: bool = False  # changed, but its mod is not newer: Anki keeps the old styling

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("new", "changed", "unchanged", "retired", "merged", "stale",
                                                     "dropped")}

    def summary(self, *, limit: int = 20) -> str:
        """A printable account: counts first, then a few lines per affected note."""
        c = self.counts
        lines = [
            f"{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['retired']} retired, {c['merged']} merged"
        ]
        if self.notetype_needs_merge:
            lines.append('note type: fields changed; users must tick "Merge notetypes" when importing')
        elif self.notetype_stale:
            lines.append("note type: changed but its mod is not newer; Anki will keep the old styling")
        elif self.notetype_changed:
            lines.append("note type: styling changed; Anki updates it on import")
        else:
            lines.append("note type: unchanged")
        for title, sign, items in (("new", "+", self.new), ("changed", "~", self.changed),
                                   ("retired", "-", self.retired), ("merged", "-", self.merged),
                                   ("stale (will NOT be updated)", "!", self.stale)):
            if not items:
                continue
            lines.append(f"{title}:")
            for item in items[:limit]:
                lines.append(f"  {sign} {_clip(item.question)}")
                lines.extend(f"      {d}" for d in item.diff)
            if len(items) > limit:
                lines.append(f"  … and {len(items) - limit} more")
        if self.dropped:
            lines.append(f"dropped: {len(self.dropped)} notes of the old package are not in the new one "
                         "(their GUIDs left the lock?)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|li|pre|div)>", re.IGNORECASE)


def _plain(value: str) -> str:
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", value))).strip()


def _clip(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _field_diff(old: Mapping[str, str], new: Mapping[str, str], old_tags: Sequence[str],
                new_tags: Sequence[str], max_lines: int = 6) -> tuple[str, ...]:
    out: list[str] = []
    for name in FIELD_NAMES:
        a, b = _plain(old.get(name, "")), _plain(new.get(name, ""))
        if a == b:
            continue
        body = [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
                if not line.startswith(("---", "+++", "@@"))]
        out.append(f"{name}:")
        out.extend(f"  {_clip(line, 80)}" for line in body)
    added, removed = sorted(set(new_tags) - set(old_tags)), sorted(set(old_tags) - set(new_tags))
    if added or removed:
        out.append("tags: " + " ".join([*(f"+{t}" for t in added), *(f"-{t}" for t in removed)]))
    if len(out) > max_lines:
        out = out[: max_lines - 1] + [f"… ({len(out) - max_lines + 1} more lines)"]
    return tuple(out)


def diff_packages(old_package: str | Path | PackageContents, new_notes: Sequence[Note], *,
                  notetype_mod: int | None = None) -> DiffReport:
    """Compare a new build's notes with an older package (a path, or what `read_apkg` read from one),
    as Anki's default import would see them."""
    old = old_package if isinstance(old_package, PackageContents) else read_apkg(old_package)
    old_by_guid = {n.guid: n for n in old.notes}
    buckets: dict[str, list] = {k: [] for k in ("new", "changed", "unchanged", "retired", "merged", "stale")}
    new_guids = set()
    for note in new_notes:
        new_guids.add(note.guid)
        fields = render_fields(note)
        question = _plain(fields["Question"])
        before = old_by_guid.get(note.guid)
        if before is None:
            buckets["new"].append(NoteChange(note.guid, question))
            continue
        differs = dict(before.fields) != fields or set(before.tags) != set(note.tags)
        change = NoteChange(note.guid, question, _field_diff(before.fields, fields, before.tags, note.tags))
        if note.mod <= before.mod:
            buckets["stale" if differs else "unchanged"].append(change if differs else note.guid)
        elif note.status != "active" and not before.retired:
            buckets[note.status].append(change)
        else:
            buckets["changed"].append(change)
    dropped = tuple(n.guid for n in old.notes if n.guid not in new_guids)

    old_nt = next((nt for nt in old.notetypes if nt.id == MODEL_ID), None)
    changed = needs_merge = stale = False
    if old_nt is not None:
        new_fields = tuple((f.name, f.id) for f in FIELDS)
        new_templates = ((TEMPLATE_NAME, TEMPLATE_ID, FRONT, BACK),)
        changed = old_nt.fields != new_fields or old_nt.templates != new_templates or old_nt.css != css()
        needs_merge = not _same_schema(old_nt, new_fields)
        mod = notetype_mod if notetype_mod is not None else max((n.mod for n in new_notes), default=0)
        stale = changed and not needs_merge and mod <= old_nt.mod
    return DiffReport(
        new=tuple(buckets["new"]), changed=tuple(buckets["changed"]), unchanged=tuple(buckets["unchanged"]),
        retired=tuple(buckets["retired"]), merged=tuple(buckets["merged"]), stale=tuple(buckets["stale"]),
        dropped=dropped, notetype_changed=changed, notetype_needs_merge=needs_merge, notetype_stale=stale,
    )


def _same_schema(old: PackageNotetype, new_fields: Sequence[tuple[str, int]]) -> bool:
    """Anki's rule: same field and template counts, each matched by id (or by name without ids)."""
    def match(a: tuple, b: tuple) -> bool:
        return a[1] == b[1] if a[1] is not None and b[1] is not None else a[0] == b[0]

    if len(old.fields) != len(new_fields) or len(old.templates) != 1:
        return False
    return all(match(a, b) for a, b in zip(old.fields, new_fields)) and match(old.templates[0],
                                                                              (TEMPLATE_NAME, TEMPLATE_ID))
