"""Spread a pure per-item function over the machine's cores when the input is large.

Workers are forked, so they inherit the function and everything it reads (a matcher, a
taxonomy) without pickling; only the items and the results cross process boundaries. Results
come back in input order, so a parallel run returns exactly what a serial one does. Small
inputs, one core, platforms without a safe fork, and QDECK_WORKERS=1 run serially.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

from qdeck import progress

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 20_000  # below this, starting workers costs more than it saves
_job: Callable[[Any], Any] | None = None


def workers() -> int:
    """How many processes a large map uses: QDECK_WORKERS, else the cores this process may use."""
    setting = os.environ.get("QDECK_WORKERS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def map_ordered(fn: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None,
                label: str = "") -> list[R]:
    """`[fn(x) for x in items]`, computed by forked workers when `items` is large.

    `min_items` lowers the bar for work that is slow per item (MIN_ITEMS otherwise). A `label`
    ("repairing answers") reports the count done so far to whoever watches (`qdeck.progress`).
    """
    count = workers()
    bar = MIN_ITEMS if min_items is None else min(min_items, MIN_ITEMS)
    watched = bool(label) and progress.active()
    if watched:
        progress.tick(label, 0, len(items))  # named before the first item, which may be slow
    if len(items) < bar or count < 2 or not sys.platform.startswith("linux"):
        if not watched:
            return [fn(x) for x in items]
        results = []
        for done, item in enumerate(items, 1):
            results.append(fn(item))
            progress.tick(label, done, len(items))
        return results
    # A few chunks per worker evens out their speeds; more when someone watches the count move.
    size = -(-len(items) // (count * (16 if watched else 4)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results = []
    with _forking(fn), ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
        for chunk in pool.map(_run_chunk, chunks):
            results.extend(chunk)
            if watched:
                progress.tick(label, len(results), len(items))
    return results


@contextmanager
def _forking(fn: Callable[..., Any]) -> Iterator[None]:
    """Workers forked inside this block find `fn` as their job (a fork pool forks on its first submit)."""
    global _job
    previous, _job = _job, fn
    try:
        yield
    finally:
        _job = previous


def _the_job() -> Callable[..., Any]:
    assert _job is not None, "forked without a job"
    return _job


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    job = _the_job()
    with progress.reporting(None):  # a forked worker inherits the watcher; only the parent may draw
        return [job(x) for x in chunk]


class Beside:
    """A result computed in a forked process while this one goes on; `result()` waits for it."""

    def __init__(self, fn: Callable[[], R], enabled: bool) -> None:
        self._fn = fn
        self._pool: ProcessPoolExecutor | None = None
        if enabled and workers() >= 2 and sys.platform.startswith("linux"):
            with _forking(fn):
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
                self._future = self._pool.submit(_call_job)

    def result(self) -> Any:
        if self._pool is None:
            return self._fn()
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()


def _call_job() -> Any:
    with progress.reporting(None):
        return _the_job()()
