"""Counts from inside long stages (`repairing answers 120/200`) for whoever is watching the build.

The library reports through `tick`; it costs nothing unless a caller opened `reporting(show)`.
A context variable, not an argument, carries the reporter, so the parsers and per-item loops deep
inside a stage need no extra parameter; it is scoped to the `with` block that set it.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

Show = Callable[[str, int, int], None]  # (what is being done, items done, items in all)

_show: ContextVar[Show | None] = ContextVar("qdeck_progress", default=None)


@contextmanager
def reporting(show: Show | None) -> Iterator[None]:
    """Send every `tick` made inside this block to `show` (None: to nobody)."""
    token = _show.set(show)
    try:
        yield
    finally:
        _show.reset(token)


def tick(label: str, done: int, total: int) -> None:
    """`done` of `total` items of `label` are finished (a no-op when nobody is watching)."""
    show = _show.get()
    if show is not None:
        show(label, done, total)


def active() -> bool:
    """Whether anyone is watching (lets a loop skip building labels for nobody)."""
    return _show.get() is not None
