"""Forked workers return exactly what a serial run does, on the real catalog; counts reach the watcher."""

from __future__ import annotations

import shutil
from dataclasses import replace

from qdeck import pipeline
from qdeck.anki import Renderer, content_hash, render_fields
from qdeck.config import load_recipe
from qdeck.parallel import Pool
from qdeck.settings import Runtime
from tests.helpers import ROOT, chdir

FORKED = Pool(workers=2, min_items=1)  # every map on two forked workers, however small


def test_map_keeps_input_order():
    items = [f"q{i}" for i in range(1001)]
    assert FORKED.map(lambda s: s.upper() * 2, items) == [s.upper() * 2 for s in items]


def test_notes_are_the_same_built_by_two_workers_or_one():
    with chdir(ROOT):
        cat = pipeline.read_catalog(load_recipe(None))
    assert pipeline.build_notes(cat, rt=Runtime(pool=FORKED)) == pipeline.build_notes(cat)


def test_content_hashes_are_the_same_rendered_by_two_workers_or_one():
    with chdir(ROOT):
        notes = pipeline.build(load_recipe(None), check=True).notes
    renderer = Renderer(FORKED)
    assert renderer.content_hashes(notes) == [content_hash(n) for n in notes]
    assert [renderer.fields(n) for n in notes[:50]] == [render_fields(n) for n in notes[:50]]


def test_a_build_writes_the_same_files_on_two_workers_or_one(tmp_path):
    """The real deck built twice from scratch, once with every parallel path forced on."""
    results = {}
    for mode, pool in (("serial", Pool()), ("parallel", FORKED)):
        proj = tmp_path / mode
        shutil.copytree(ROOT / "data", proj / "data")
        (proj / "decks").mkdir()
        shutil.copy(ROOT / "decks" / "python-interview.yaml", proj / "decks")
        with chdir(proj):
            pipeline.build(load_recipe(None), now=1_800_000_000, rt=Runtime(pool=pool))
        results[mode] = {p.relative_to(proj).as_posix(): p.read_bytes()
                         for p in [*(proj / "build").glob("*.*"), proj / "decks" / "python-interview.lock.yaml"]
                         if p.is_file()}
    assert results["parallel"] == results["serial"]
    assert len(results["serial"]) == 8


def test_counts_reach_the_watcher_from_the_parent_only(tmp_path):
    seen = tmp_path / "seen"

    def show(label: str, done: int, total: int) -> None:
        with seen.open("a") as handle:  # a file, so a forked worker's call would show up too
            handle.write(f"{label} {done}/{total}\n")

    watched = FORKED.watching(show)

    def job(item: int) -> int:
        watched.tick("inside a worker", 1, 1)  # a worker has no watcher of its own: this must not show
        return item * 2

    assert watched.map(job, list(range(40)), label="doubling") == [i * 2 for i in range(40)]
    lines = seen.read_text().splitlines()
    assert lines[0] == "doubling 0/40" and lines[-1] == "doubling 40/40"
    assert all(line.startswith("doubling ") for line in lines), lines


def test_a_small_input_or_one_worker_runs_in_this_process():
    import os

    assert Pool(workers=2).map(lambda _: os.getpid(), [1, 2, 3]) == [os.getpid()] * 3
    assert set(replace(FORKED, workers=1).map(lambda _: os.getpid(), list(range(10)))) == {os.getpid()}
    assert os.getpid() not in set(FORKED.map(lambda _: os.getpid(), list(range(10))))
