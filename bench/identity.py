"""Identity bench: time spent in identity when a 100k-question deck is rebuilt with 1% edited.

Usage:
    python bench/identity.py [--size 100k] [--edited 0.01] [--out bench/out]

The synthetic project of bench/generate.py is read (ingest is not timed). Notes are made
without dedupe (one per question), because this bench times identity alone: following every question of release 1 into release 2 (alignment),
the groups dedupe would start from, the tier rule, GUID assignment and the lock's text.
Release 2 rewords 1% of the questions in place, and deletes and inserts a few, renumbering
each source, so no ref carries identity. Prints one line per step and the total, wall and CPU
time (the CPU time is the figure to compare on a shared machine).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, parse_size, size_label  # noqa: E402

from qdeck.config import load_recipe  # noqa: E402
from qdeck.identity import Lock, assign_identities, follow, keep_inferred_tiers, last_release, lock_text  # noqa: E402
from qdeck.models import Note, Question  # noqa: E402
from qdeck.pipeline import read_catalog  # noqa: E402


def notes_of(questions: list[Question]) -> list[Note]:
    return [Note(key=q.ref, question=q.text, refs=(q.ref,), sources=(q.source,), tier="2-junior", tier_origin="inferred",
                 tags=("bench::tier::2-junior",)) for q in questions]


def edit(questions: list[Question], share: float, rng: random.Random) -> list[Question]:
    out = list(questions)
    for k in rng.sample(range(len(out)), int(len(out) * share)):
        q = out[k]
        out[k] = replace(q, text=q.text.replace("What is", "What's", 1) if "What is" in q.text else q.text + " Why?")
    for _ in range(int(len(out) * share / 10)):
        del out[rng.randrange(len(out))]
        at = rng.randrange(len(out))
        out.insert(at, replace(out[at], text=f"A brand new question number {rng.random()}?"))
    numbers: dict[str, int] = {}
    renumbered = []
    for q in out:
        numbers[q.source] = numbers.get(q.source, 0) + 1
        renumbered.append(replace(q, ref=f"{q.source}#{numbers[q.source]}", number=str(numbers[q.source])))
    return renumbered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--edited", type=float, default=0.01)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    folder = args.out / f"synthetic-{size_label(n)}"
    if not (folder / "decks" / "synthetic.yaml").exists():
        generate(folder, n)
    recipe = load_recipe(folder / "decks" / "synthetic.yaml")
    questions = list(read_catalog(replace(recipe, data_dir=folder / "data")).questions)
    _, lock1, _ = assign_identities(notes_of(questions), Lock(), namespace="synthetic", now=1_800_000_000,
                                    root="bench", alignment=follow(Lock(), questions))
    edited = edit(questions, args.edited, random.Random(7))
    notes = notes_of(edited)
    times: dict[str, tuple[float, float]] = {}
    gc.disable()  # as `qdeck build` does: its objects live until it ends

    def timed(name, fn, *a, **kw):
        start, cpu = time.perf_counter(), time.process_time()
        value = fn(*a, **kw)
        times[name] = (time.perf_counter() - start, time.process_time() - cpu)
        return value

    alignment = timed("align", follow, lock1, edited)
    timed("last release", last_release, lock1, alignment)
    notes = timed("inferred tiers", keep_inferred_tiers, notes, lock1, alignment, "bench")
    _, lock2, report = timed("assign", assign_identities, notes, lock1, namespace="synthetic", now=1_800_100_000,
                             root="bench", alignment=alignment)
    timed("lock text", lock_text, lock2)
    for name, (wall, cpu) in times.items():
        print(f"{name:>15}: {wall:6.2f} s wall, {cpu:6.2f} s cpu")
    print(f"{'identity':>15}: {sum(w for w, _ in times.values()):6.2f} s wall, "
          f"{sum(c for _, c in times.values()):6.2f} s cpu for {len(edited)} questions, "
          f"{int(len(questions) * args.edited)} edited; {report.summary().splitlines()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
