"""Review the tier and topics of every note: rows for a spreadsheet or the terminal, and the
accepted ones written to data/overrides.yaml (`tier:` / `topics:`, by the ref the tagger reads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from qdeck.errors import InputError
from qdeck.files import write_atomic
from qdeck.models import Note, Question
from qdeck.review import overrides_file
from qdeck.review.context import Context
from qdeck.review.session import QUIT, describe
from qdeck.review.spreadsheet import csv_text, read_rows

TIER_COLUMNS = ("ref", "question", "sources", "kind", "tier_origin", "tier", "topics", "answer", "verdict")
TIER_VERDICTS = ("ok", "change")
TIER_HELP = """\
  1-4  set the tier (1 beginner, 2 junior, 3 mid, 4 senior) and move on
  a    accept the tier and topics as they are (recorded as reviewed)
  t    type the topics (one or two, comma separated)
  u    undo the last answer
  ?    help
  q    quit; every answer so far is saved"""


@dataclass(frozen=True)
class TierData:
    """Today's tagged notes and what a review of their tags checks against and writes to."""

    notes: Sequence[Note]
    questions: Mapping[str, Question]
    overrides_path: Path
    tiers: Sequence[str]
    topics: Sequence[str]


def tier_data(ctx: Context) -> TierData:
    from qdeck.config.taxonomy import taxonomy_from
    from qdeck.pipeline import build_notes

    if ctx.recipe.taxonomy_data is None:
        raise InputError("data/taxonomy.yaml is missing; reviewing tiers needs it", ctx.recipe.data_dir)
    tax = taxonomy_from(ctx.recipe.taxonomy_data)
    return TierData(build_notes(ctx.catalog, rt=ctx.rt), ctx.questions, ctx.recipe.data_dir / "overrides.yaml",
                    tax.tiers, tax.topics)


def review_ref(note: Note) -> str:
    """The member whose override the tagger reads first (it goes through the refs sorted)."""
    return sorted(note.refs)[0]


def _row(note: Note, by_ref: Mapping[str, Question]) -> dict[str, str]:
    q = by_ref[note.refs[0]]
    return {"ref": review_ref(note), "question": note.question, "sources": "; ".join(note.sources),
            "kind": note.kind, "tier_origin": note.tier_origin, "tier": note.tier, "topics": "; ".join(note.topics),
            "answer": " / ".join(describe("", q)[2:]).replace("   > ", ""), "verdict": ""}


def order(notes: Sequence[Note]) -> list[Note]:
    """Inferred tiers first (they are the uncertain ones), then explicit ones, then overridden."""
    rank = {"inferred": 0, "explicit": 1, "override": 2}
    return sorted((n for n in notes if n.status == "active"),
                  key=lambda n: (rank.get(n.tier_origin, 3), sorted(n.refs)[0]))


def export_tiers(path: Path, data: TierData) -> int:
    rows = [_row(n, data.questions) for n in order(data.notes)]
    write_atomic(path, csv_text(TIER_COLUMNS, rows).encode("utf-8"), what="export")
    return len(rows)


def parse_topics(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def check_tag(ref: str, tier: str, topics: Sequence[str], tiers: Sequence[str], known_topics: Sequence[str],
              where: str, path: Path | None) -> None:
    if tier not in tiers:
        raise InputError(f"{where}: tier {tier!r} is not one of {', '.join(tiers)}", path)
    if not 1 <= len(topics) <= 2 or len(set(topics)) != len(topics):
        raise InputError(f"{where}: give {ref} one or two topics, got {'; '.join(topics) or 'none'}", path)
    unknown = [t for t in topics if t not in known_topics]
    if unknown:
        raise InputError(f"{where}: unknown topic(s) {', '.join(unknown)} (see data/taxonomy.yaml)", path)


def import_tiers(path: Path, data: TierData) -> int:
    """Write each row marked `ok`, or whose tier or topics were changed, to the overrides file.
    Returns the number of notes written."""
    by_ref = {review_ref(n): n for n in data.notes}
    tier_entries: dict[str, str] = {}
    topic_entries: dict[str, list[str]] = {}
    for line, row in read_rows(path, ("ref", "tier", "topics", "verdict")):
        where = f"row {line}"
        verdict = row["verdict"].lower()
        if verdict and verdict not in TIER_VERDICTS:
            raise InputError(f"{where}: verdict {row['verdict']!r} is not one of {', '.join(TIER_VERDICTS)} "
                             "(or empty)", path)
        note = by_ref.get(row["ref"])
        if note is None:
            raise InputError(f"{where}: {row['ref']!r} names no note of today's build; export again", path)
        tier, chosen = row["tier"], parse_topics(row["topics"])
        changed = tier != note.tier or chosen != list(note.topics)
        if not verdict and not changed:
            continue
        check_tag(row["ref"], tier, chosen, data.tiers, data.topics, where, path)
        if row["ref"] in tier_entries:
            raise InputError(f"{where}: {row['ref']} is listed twice", path)
        tier_entries[row["ref"]], topic_entries[row["ref"]] = tier, chosen
    if tier_entries:
        overrides_file.update(data.overrides_path, "tier", tier_entries)
        overrides_file.update(data.overrides_path, "topics", topic_entries)
    return len(tier_entries)


@dataclass
class TierSession:
    """Reviewing tiers one note at a time; each answer is written to the overrides file at once."""

    overrides_path: Path
    queue: Sequence[Note]
    questions: Mapping[str, Question]
    tiers: Sequence[str]
    topics: Sequence[str]
    position: int = 0
    history: list[tuple[int, tuple[object, object]]] = field(default_factory=list)

    @property
    def current(self) -> Note | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    @classmethod
    def start(cls, data: TierData) -> "TierSession":
        """A session over the notes whose tier was inferred, not given by a list or an override."""
        queue = [n for n in order(data.notes) if n.tier_origin == "inferred"]
        return cls(data.overrides_path, queue, data.questions, data.tiers, data.topics)

    def _written(self, ref: str) -> tuple[object, object]:
        from qdeck.config import read_yaml

        raw = (read_yaml(self.overrides_path) or {}) if self.overrides_path.exists() else {}
        return ((raw.get("tier") or {}).get(ref), (raw.get("topics") or {}).get(ref))

    def _write(self, ref: str, tier: object, topics: object) -> None:
        overrides_file.update(self.overrides_path, "tier", {ref: tier})
        overrides_file.update(self.overrides_path, "topics", {ref: topics})

    def answer(self, tier: str | None = None, topics: Sequence[str] | None = None) -> None:
        """Pin the current note's tier and topics (as shown, or as given) and move on."""
        note = self.current
        if note is None:
            raise IndexError("no note left to review")
        ref = review_ref(note)
        tier = tier or note.tier
        chosen = list(topics) if topics is not None else list(note.topics)
        check_tag(ref, tier, chosen, self.tiers, self.topics, ref, None)
        self.history.append((self.position, self._written(ref)))
        self._write(ref, tier, chosen)
        self.position += 1

    def undo(self) -> Note | None:
        if not self.history:
            return None
        position, (tier, topics) = self.history.pop()
        self._write(review_ref(self.queue[position]), tier, topics)
        self.position = position
        return self.queue[position]

    def press(self, key: str) -> str | None:
        """Apply one key (`t`, which needs a line typed, is `set_topics`): what to tell the
        reviewer, or None to stop."""
        if key in QUIT:
            return None
        if key in ("1", "2", "3", "4"):
            self.answer(tier=self.tiers[int(key) - 1])
            return f"-> {self.tiers[int(key) - 1]}"
        if key == "a":
            self.answer()
            return "-> as it is"
        if key == "u":
            return "undone" if self.undo() is not None else "nothing to undo"
        return TIER_HELP if key == "?" else f"unknown key {key!r}; ? for help"

    def set_topics(self, text: str) -> str:
        try:
            self.answer(topics=parse_topics(text))
        except InputError as err:
            return str(err)
        return "-> topics set"

    def summary(self) -> str:
        return f"{len(self.history)} reviewed; saved in {self.overrides_path}"

    def show(self, note: Note) -> str:
        head = (f"note {self.position + 1} of {len(self.queue)} | tier {note.tier} ({note.tier_origin}) | "
                f"topics {', '.join(note.topics)} | {note.kind}")
        lines = [head]
        for ref in note.refs:
            lines += describe(" ", self.questions[ref])
        return "\n".join(lines)
