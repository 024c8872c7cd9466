"""A review session: the pairs left to judge, one at a time, every answer saved at once, with undo.

The terminal loop lives in the CLI; this module holds the state and the text it shows.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from qdeck.models import Question
from qdeck.review import store
from qdeck.review.candidates import Candidate

KEYS = {"s": "same", "r": "related", "d": "different"}
QUIT = ("q", "", "\x03", "\x04")  # q, end of input, Ctrl-C, Ctrl-D
HELP = """\
  s  same       the two ask the same question: one note
  r  related    neighbours, not the same question: two notes
  d  different  two notes
  n  note       add a note to the last answer
  u  undo       take back the last answer and show its pair again
  ?  help       this text
  q  quit       stop here; every answer so far is saved"""
ANSWER_LINES = 2
WIDTH = 100


@dataclass
class Session:
    """Judging `queue` in order; `path` holds the judgments and is rewritten after every answer."""

    path: Path
    judgments: tuple[store.Judgment, ...]
    queue: Sequence[Candidate]
    questions: Mapping[str, Question]
    position: int = 0
    history: list[tuple[int, store.Judgment | None]] = field(default_factory=list)

    @property
    def current(self) -> Candidate | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    def judge(self, verdict: str, note: str = "") -> store.Judgment:
        """Record a verdict on the current pair, save, and move to the next pair."""
        pair = self.current
        if pair is None:
            raise IndexError("no pair left to judge")
        new = store.Judgment((pair.a, pair.b), (self.questions[pair.a].text, self.questions[pair.b].text),
                             verdict, note)
        previous = next((j for j in self.judgments if j.key == new.key), None)
        self._save(store.put(self.judgments, new))
        self.history.append((self.position, previous))
        self.position += 1
        return new

    def annotate(self, note: str) -> store.Judgment | None:
        """Attach a note to the last answer of this session (None when there is none)."""
        if not self.history:
            return None
        pair = self.queue[self.history[-1][0]]
        last = next(j for j in self.judgments if j.key == pair.key)
        updated = store.Judgment(last.refs, last.questions, last.verdict, note.strip())
        self._save(store.put(self.judgments, updated))
        return updated

    def undo(self) -> Candidate | None:
        """Take back the last answer (the earlier judgment of that pair, if any, comes back)."""
        if not self.history:
            return None
        position, previous = self.history.pop()
        pair = self.queue[position]
        kept = tuple(j for j in self.judgments if j.key != pair.key)
        self._save(kept + ((previous,) if previous is not None else ()))
        self.position = position
        return pair

    def press(self, key: str) -> str | None:
        """Apply one key (`n`, which needs a line typed, is `annotate`): what to tell the reviewer,
        or None to stop."""
        if key in QUIT:
            return None
        if key in KEYS:
            return f"-> {self.judge(KEYS[key]).verdict}"
        if key == "u":
            return "undone" if self.undo() is not None else "nothing to undo"
        return HELP if key == "?" else f"unknown key {key!r}; ? for help"

    def note(self, text: str) -> str:
        return "noted" if self.annotate(text) is not None else "nothing judged yet in this session"

    def summary(self) -> str:
        return (f"{len(self.history)} judged; {max(len(self.queue) - self.position, 0)} pairs left; "
                f"saved in {self.path}")

    def _save(self, judgments: tuple[store.Judgment, ...]) -> None:
        store.save(self.path, judgments)
        self.judgments = judgments

    def progress(self) -> str:
        return f"pair {min(self.position + 1, len(self.queue))} of {len(self.queue)}, {len(self.history)} judged now"

    def show(self, pair: Candidate) -> str:
        """The pair as the reviewer sees it: score, why it is offered, then each question."""
        state = "on one note today" if pair.merged else "two notes today"
        extra = f", embedding {pair.embedding:.2f}" if pair.embedding is not None else ""
        veto = ", a rule keeps them apart" if pair.vetoed else ""
        lines = [f"{self.progress()} | score {pair.score:.2f}{extra} ({pair.reason}){veto} | {state}"]
        for label, ref in (("A", pair.a), ("B", pair.b)):
            lines += [""] + describe(label, self.questions[ref])
        return "\n".join(lines)


def origin(q: Question) -> str:
    """Where a question comes from: its ref, section and level."""
    return " | ".join(part for part in (q.ref, q.section, q.level) if part)


def first_lines(text: str, count: int = ANSWER_LINES, width: int = WIDTH) -> list[str]:
    """The first lines of an answer, each cut to `width`.

    >>> first_lines("- one\\n\\n- two\\n- three", 2)
    ['- one', '- two']
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [textwrap.shorten(line, width, placeholder=" …") for line in lines[:count]]


def describe(label: str, q: Question) -> list[str]:
    answer = first_lines(q.answer) or ["(no answer in the source)"]
    return [f"{label}  {origin(q)}", f"   {q.text}", *(f"   > {line}" for line in answer)]


def start(path: Path, judgments: Sequence[store.Judgment], candidates: Sequence[Candidate],
          questions: Sequence[Question]) -> Session:
    """A session over the candidates no judgment covers yet (judgments resolved to today's refs)."""
    judged = {r.refs and frozenset(r.refs) for r in store.resolve(judgments, questions)}
    queue = [c for c in candidates if c.key not in judged]
    return Session(path, tuple(judgments), queue, {q.ref: q for q in questions})
