"""The story of a build for the person who ran it: where each source's questions went, what changed and why.

Each question kept its note, joined a note that existed, or started a new one; the story also
lists which notes changed and why, and which identity matches were a close call. It is told from
the lock before the build and the notes after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from qdeck.models import Note, Question
from qdeck.outputs.tables import clip, table

if TYPE_CHECKING:
    from qdeck.identity import IdentityReport, Lock, LockEntry


@dataclass(frozen=True)
class DeckCounts:
    """How many notes a learner studies, and how the questions came together in them."""

    notes: int
    questions: int  # follow-ups included: each is a member of a note
    follow_ups: int
    merged_questions: int
    merged_notes: int
    answered: int

    def line(self) -> str:
        follow_ups = f" ({self.follow_ups} of them follow-ups)" if self.follow_ups else ""
        return (f"notes: {self.notes} from {self.questions} questions{follow_ups}; "
                f"{self.merged_questions} questions merged into {_count(self.merged_notes, 'note')}; "
                f"{_count(self.answered, 'note')} with an answer")


def _count(n: int, thing: str) -> str:
    """
    >>> _count(1, "note"), _count(2, "note")
    ('1 note', '2 notes')
    """
    return f"{n} {thing}{'' if n == 1 else 's'}"


def deck_counts(notes: Sequence[Note], questions: Sequence[Question]) -> DeckCounts:
    """The counts of the active notes (retired ones are shipped, not studied)."""
    follow_up = {q.ref for q in questions if q.follow_up_of}
    active = [n for n in notes if n.status == "active"]
    merged = [n for n in active if len(n.refs) > 1]
    return DeckCounts(
        notes=len(active),
        questions=sum(len(n.refs) for n in active),
        follow_ups=sum(1 for n in active for r in n.refs if r in follow_up),
        merged_questions=sum(len(n.refs) for n in merged),
        merged_notes=len(merged),
        answered=sum(1 for n in active if n.answer.strip()),
    )


@dataclass(frozen=True)
class SourceStory:
    """Where one source's questions went in this build."""

    name: str
    questions: int  # follow-ups included: each is a member of a note
    as_before: int  # in the note that held them at the last release
    joined: int  # joined a note that existed before this build
    new: int  # in a note this build adds


@dataclass(frozen=True)
class Joined:
    """A question that joined a note the last release already had."""

    ref: str
    text: str
    note: str  # the note's question at the last release
    was: str = ""  # the question of the note this ref was in at the last release, if another


@dataclass(frozen=True)
class Changed:
    """A note whose cards change, and why."""

    question: str
    why: tuple[str, ...]  # from CHANGE_REASONS


CHANGE_REASONS = ("text", "answer", "follow-ups", "code task", "tier", "tags", "sources", "back in a source",
                  "card layout")


@dataclass(frozen=True)
class BuildStory:
    """What one build did to the deck, in the terms a maintainer asks about."""

    deck: DeckCounts
    retired: int  # notes still shipped but no longer in any source (retired or merged away)
    counts: Mapping[str, int]  # the identity stage's: new, changed, unchanged, retired, merged
    sources: tuple[SourceStory, ...] = ()
    joined: tuple[Joined, ...] = ()
    new: tuple[str, ...] = ()  # the questions of new notes
    changed: tuple[Changed, ...] = ()
    gone: tuple[tuple[str, str], ...] = ()  # (retired | merged, question) of notes this build took out
    uncertain: tuple[tuple[str, str, float], ...] = ()  # (old text, new text, similarity)
    revived: int = 0
    notetype: str = ""  # "" | "styling" | "fields"
    first: bool = False  # no release before this one: every note is new, nothing to list

    def headline(self) -> str:
        return self.deck.line()

    def text(self, limit: int = 20) -> str:
        """The story after the headline: changes, per source, then what happened to which notes."""
        c, studied = self.counts, self.deck.notes
        shipped = (f"; the full package holds {studied + self.retired}: these {studied} and {self.retired} retired"
                   if self.retired else "")
        lines = [f"changes: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
                 f"{c['retired']} retired, {c['merged']} merged{shipped}"]
        if self.sources:
            rows = [[s.name, s.questions, s.as_before, s.joined, s.new] for s in self.sources]
            lines.append(table(["source", "questions", "as before", "joined a note", "in a new note"], rows))
        if not self.first:
            lines += _listed("joined existing notes", [
                f'{j.ref} "{clip(j.text, 50)}" joined "{clip(j.note, 50)}"'
                + (f' (it was in "{clip(j.was, 40)}")' if j.was else "") for j in self.joined], limit)
            lines += _listed("new notes", [f"+ {clip(q)}" for q in self.new], limit)
            if self.changed:
                by_why = {why: sum(1 for ch in self.changed if why in ch.why) for why in CHANGE_REASONS}
                reasons = ", ".join(f"{why} {count}" for why, count in by_why.items() if count)
                lines += _listed(f"changed notes ({reasons})",
                                 [f"~ {', '.join(ch.why)}: {clip(ch.question, 70)}" for ch in self.changed], limit)
            lines += _listed("taken out", [f"- {how}: {clip(q, 76)}" for how, q in self.gone], limit)
        close_calls = [f"kept as the same note: {clip(old, 60)} → {clip(new, 60)} (similarity {score:.2f})"
                       for old, new, score in self.uncertain]
        lines += close_calls[:limit]
        if len(close_calls) > limit:
            lines.append(f"… and {len(close_calls) - limit} more notes kept across a close match")
        if self.revived:
            lines.append(f"revived: {self.revived} retired notes are back in a source")
        if self.notetype == "fields":
            lines.append('note type fields changed: tell users to tick "Merge notetypes" when importing this '
                         'build, or Anki will make a "+" copy of the note type and skip the changed notes')
        elif self.notetype == "styling":
            lines.append("note type styling changed: Anki updates it on import (no action needed)")
        return "\n".join(lines)


def _listed(title: str, items: Sequence[str], limit: int) -> list[str]:
    if not items:
        return []
    more = [f"  … and {len(items) - limit} more (`qdeck diff` lists every note)"] if len(items) > limit else []
    return [f"{title}:", *(f"  {item}" for item in items[:limit]), *more]


def tell(questions: Sequence[Question], source_names: Sequence[str], notes: Sequence[Note], lock: Lock,
         report: IdentityReport) -> BuildStory:
    """The story of a build from the lock it started from, the notes it made and the identity report."""
    before = {e.guid: e for e in lock.entries}
    home = {ref: e for e in lock.entries if e.status == "active" for ref in e.refs}
    active = [n for n in notes if n.status == "active"]
    by_ref = {q.ref: q for q in questions}
    per_source: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in source_names}
    joined: list[Joined] = []
    for note in active:
        entry = before.get(note.guid)
        known = set() if entry is None else {entry.question, *entry.content.variants}
        for ref in note.refs:
            q = by_ref.get(ref)
            if q is None:
                continue
            row = per_source.setdefault(q.source, [0, 0, 0, 0])
            row[0] += 1
            if entry is None:
                row[3] += 1
            elif ref in entry.refs or q.text in known:
                row[1] += 1
            else:
                row[2] += 1
                was = home.get(ref)
                joined.append(Joined(ref, q.text, entry.question, was.question if was and was is not entry else ""))
    position = {q.ref: i for i, q in enumerate(questions)}
    joined.sort(key=lambda j: position[j.ref])
    by_guid = {n.guid: n for n in notes}
    revived = set(report.revived)
    changed = tuple(Changed(by_guid[g].question, _why(before[g], by_guid[g], g in revived))
                    for g in report.changed if g in by_guid and g in before)
    gone = tuple((how, before[g].question) for how in ("retired", "merged") for g in getattr(report, how)
                 if g in before)
    return BuildStory(
        deck=deck_counts(active, questions),
        retired=len(notes) - len(active),
        counts=dict(report.counts),
        sources=tuple(SourceStory(name, *row) for name, row in per_source.items()),
        joined=tuple(joined),
        new=tuple(by_guid[g].question for g in report.new if g in by_guid),
        changed=changed,
        gone=gone,
        uncertain=tuple(getattr(report, "uncertain", ())),
        revived=len(revived),
        notetype="fields" if report.notetype_schema_changed else "styling" if report.notetype_changed else "",
        first=not before,
    )


def _why(entry: LockEntry, note: Note, revived: bool) -> tuple[str, ...]:
    """Why a note's cards changed since the lock entry was released: what differs, in CHANGE_REASONS terms."""
    old = entry.content
    plain = ("::tier::", "::status::", "::source::")  # counted as tier, status and sources
    differs = {
        "text": (entry.question, tuple(old.variants)) != (note.question, note.variants),
        "answer": old.answer != note.answer,
        "follow-ups": tuple(old.follow_ups) != note.follow_ups,
        "code task": tuple(old.code_tasks) != note.code_tasks,
        "tier": old.tier != note.tier,
        "tags": (tuple(old.topics), old.kind, {t for t in old.tags if not any(p in t for p in plain)})
        != (note.topics, note.kind, {t for t in note.tags if not any(p in t for p in plain)}),
        "sources": tuple(old.sources) != note.sources,
        "back in a source": revived,
    }
    why = tuple(name for name, yes in differs.items() if yes)
    return why or ("card layout",)
