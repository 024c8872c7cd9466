"""The Anki tag strings of a tagged note, all under the recipe's tag root."""

from __future__ import annotations

from collections.abc import Iterable

from qdeck.errors import InputError
from qdeck.models import Note


def check_root(root: str) -> None:
    if not root or any(c.isspace() for c in root) or root.startswith(":") or root.endswith(":"):
        raise InputError(f"tag root {root!r} must be a non-empty word without spaces or outer colons")


def note_tags(note: Note, root: str, *, tier: str | None, kind: str, topics: Iterable[str],
              sources: Iterable[str]) -> tuple[str, ...]:
    """The note's tags, sorted: tier, kind, topics, sources, and status and answer where they apply."""
    tags = {f"{root}::tier::{tier}", f"{root}::kind::{kind}"}
    tags |= {f"{root}::topic::{t}" for t in topics}
    tags |= {f"{root}::source::{s}" for s in sources}
    if note.status == "retired":
        tags.add(f"{root}::status::retired")
    if not note.answers and not note.answer.strip():
        tags.add(f"{root}::answer::none")  # the card says so too; a learner filters on this
    return tuple(sorted(tags))
