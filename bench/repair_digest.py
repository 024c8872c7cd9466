"""Digest and CPU time of the scrape repair over the five lists, run as a cold build runs it.

Usage: .venv/bin/python bench/repair_digest.py [--recipe decks/python-interview.yaml] [--src DIR]

`--src` runs another tree's qdeck (e.g. `git archive main src | tar -x -C /tmp/main`, then
`--src /tmp/main/src`), so an old and a new repair can be timed back to back.

In one process, with no cache and one worker: parse every source of the recipe through
`qdeck.ingest.parse_source` (for answered-200 that is `repair_question` on each question line
and `repair_answer` on each answer, as the `qa` parser calls them), then run `repair_question`
over the prose of every question and answer line the way card rendering marks code (text
outside backtick spans).  Prints one sha256 over every output and the process CPU time of each
part.  A change to the repair that must not change its output must leave the digest alone.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv[:-1] else str(ROOT / "src")
sys.path.insert(0, _SRC)  # before qdeck is imported, so --src wins over the installed tree

_CODE_SPAN = re.compile(r"`([^`\n]+)`")  # as card rendering splits a line before marking it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default=str(ROOT / "decks" / "python-interview.yaml"))
    parser.add_argument("--src", default=_SRC, help="the src/ folder whose qdeck to run")
    args = parser.parse_args()

    from qdeck.config import load_recipe
    from qdeck.ingest import parse_source
    from qdeck.repair import repair_question

    digest = hashlib.sha256()
    recipe = load_recipe(args.recipe)
    timings = []
    questions = []
    for spec in recipe.sources:
        start = time.process_time()
        result = parse_source(spec)
        timings.append((f"parse {spec.name}", time.process_time() - start))
        for q in result.parsed.questions:
            questions.append(q)
            digest.update(f"{q.ref}\0{q.text}\0{q.answer}\0".encode())
    start = time.process_time()
    marked = 0
    for q in questions:
        for line in [*q.text.splitlines(), *q.answer.splitlines()]:
            for index, piece in enumerate(_CODE_SPAN.split(line)):
                if index % 2 == 0 and piece.strip():
                    digest.update(repair_question(piece).encode() + b"\0")
                    marked += 1
    timings.append((f"mark {marked} prose pieces", time.process_time() - start))
    for label, seconds in timings:
        print(f"{label:32} {seconds:7.2f} s cpu")
    print(f"{'total':32} {sum(s for _, s in timings):7.2f} s cpu")
    print(f"digest {digest.hexdigest()}  ({len(questions)} questions)")


if __name__ == "__main__":
    main()
