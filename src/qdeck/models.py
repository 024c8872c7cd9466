"""Frozen records passed between the pipeline stages.

Answer text uses a small markdown subset everywhere in the pipeline, rendered to
escaped HTML only in export: paragraphs separated by a blank line, `- ` bullets,
`1. ` numbered items, fenced ``` code blocks (indentation kept) and `backticks`
for inline code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Question:
    """One question as a source prints it, with its provenance."""

    ref: str  # "<source>#<number>"
    source: str
    number: str  # as printed: "12", or "3.2" for a follow-up
    text: str
    line: int  # 1-based line in the source file where the question starts
    answer: str = ""
    section: str | None = None
    level: str | None = None
    tier: str | None = None  # mapped explicit tier slug, e.g. "2-junior"
    code_task: str | None = None
    follow_up_of: str | None = None  # parent ref for follow-up questions
    tests: str = ""  # deep-dive: what the interviewer is really testing
    red_flag: str = ""  # deep-dive: the red-flag answer
    topics: tuple[str, ...] = ()  # explicit topics from a structured source (CSV/YAML/JSON)


@dataclass(frozen=True)
class Skipped:
    """A non-blank source line that is neither question, answer nor heading."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Parsed:
    """What one parser made of one source file."""

    questions: tuple[Question, ...]
    skipped: tuple[Skipped, ...] = ()
    heading_lines: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()
    consumed: tuple[int, ...] = ()  # lines that are part of a question or answer


@dataclass(frozen=True)
class Answer:
    """One source's answer to a note's question, kept as its own block on the card."""

    source: str  # the source's name; the card labels the block with that source's title
    text: str = ""  # markdown subset
    tests: str = ""  # deep-dive: what the interviewer is really testing
    red_flag: str = ""  # deep-dive: the red-flag answer
    ref: str = ""  # the member question it answers
    title: str = ""  # the label on the card when it is not a source list's title (editorial answers)


@dataclass(frozen=True)
class Note:
    """One distinct question: a cluster of source questions, tagged and ready to export."""

    key: str  # the cluster's first member ref, stable for a given catalog
    question: str
    refs: tuple[str, ...]
    answer: str = ""  # every answer as one markdown text (catalog, tagging); the card uses `answers`
    variants: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    code_tasks: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    source_titles: tuple[str, ...] = ()  # each source's title, in `sources` order
    answers: tuple[Answer, ...] = ()  # the first is shown first; one per answering member, never replaced
    tier: str = ""
    tier_origin: str = ""  # explicit | inferred | override
    topics: tuple[str, ...] = ()
    kind: str = ""
    tags: tuple[str, ...] = ()
    guid: str = ""
    status: str = "active"  # active | retired | merged
    merged_into: str = ""  # survivor GUID when status is "merged"
    mod: int = 0  # unix seconds when what the user sees last changed (set by identity)
    similarity: tuple[tuple[str, float], ...] = field(default=())  # member ref -> score to canonical
