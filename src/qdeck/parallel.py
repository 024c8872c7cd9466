"""Spread a pure per-item function over the machine's cores when the input is large, and report counts.

A `Pool` is a run's worker count and its watcher (who sees `repairing answers 120/200`); stages that
loop over many items take one and call `pool.map`. Workers are forked, so they inherit the function
and everything it reads (a matcher, a taxonomy) without pickling; only the items and the results
cross process boundaries. Results come back in input order, so a parallel run returns exactly what
a serial one does. Small inputs, one worker and platforms without a safe fork run serially.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Show = Callable[[str, int, int], None]  # (what is being done, items done, items in all)

MIN_ITEMS = 20_000  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class Pool:
    """How many processes a large map may use, and who watches the counts (None: nobody)."""

    workers: int = 1
    show: Show | None = None
    min_items: int = MIN_ITEMS  # tests lower it to force the forked path on small inputs
    # Only the process that made the pool may draw: a forked worker inherits the watcher, not the terminal.
    owner: int = field(default_factory=os.getpid, repr=False, compare=False)

    @property
    def watched(self) -> bool:
        """Whether anyone is watching (lets a loop skip building labels for nobody)."""
        return self.show is not None

    def watching(self, show: Show | None) -> Pool:
        return replace(self, show=show)

    def tick(self, label: str, done: int, total: int) -> None:
        """`done` of `total` items of `label` are finished (a no-op when nobody is watching)."""
        if self.show is not None and os.getpid() == self.owner:
            self.show(label, done, total)

    def map(self, fn: Callable[[T], R], items: Sequence[T], *, min_items: int | None = None,
            label: str = "") -> list[R]:
        """`[fn(x) for x in items]`, computed by forked workers when `items` is large.

        `min_items` lowers the bar for work that is slow per item. A `label` ("repairing answers")
        reports the count done so far to whoever watches.
        """
        bar = self.min_items if min_items is None else min(min_items, self.min_items)
        watched = bool(label) and self.watched
        if watched:
            self.tick(label, 0, len(items))  # named before the first item, which may be slow
        if len(items) < bar or self.workers < 2 or not sys.platform.startswith("linux"):
            if not watched:
                return [fn(x) for x in items]
            results = []
            for done, item in enumerate(items, 1):
                results.append(fn(item))
                self.tick(label, done, len(items))
            return results
        # A few chunks per worker evens out their speeds; more when someone watches the count move.
        size = -(-len(items) // (self.workers * (16 if watched else 4)))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        results = []
        # With the fork context the initializer and its arguments reach each worker by fork, unpickled.
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_become_worker, initargs=(fn,)) as pool:
            for chunk in pool.map(_run_chunk, chunks):
                results.extend(chunk)
                if watched:
                    self.tick(label, len(results), len(items))
        return results


SERIAL = Pool()  # one process, nobody watching: the library's default


# The job of a forked worker process. Only the pool's initializer sets it, and only inside the
# worker: the parent process never changes it.
_job: list[Callable[[Any], Any]] = []


def _become_worker(fn: Callable[[Any], Any]) -> None:
    _job.append(fn)


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    job = _job[-1]
    return [job(x) for x in chunk]
