"""Forked workers return exactly what a serial run does, on the real catalog."""

from __future__ import annotations

import pytest

from qdeck import parallel, pipeline
from qdeck.config import load_recipe
from tests.helpers import ROOT, chdir


def test_map_ordered_keeps_input_order(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("QDECK_WORKERS", "2")
    items = [f"q{i}" for i in range(1001)]
    assert parallel.map_ordered(lambda s: s.upper() * 2, items) == [s.upper() * 2 for s in items]


def test_notes_are_the_same_built_by_two_workers_or_one(monkeypatch):
    with chdir(ROOT):
        cat = pipeline.read_catalog(load_recipe(None))
    monkeypatch.setenv("QDECK_WORKERS", "1")
    serial = pipeline.build_notes(cat)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("QDECK_WORKERS", "2")
    assert pipeline.build_notes(cat) == serial


@pytest.mark.parametrize("value, expected", [("1", 1), ("3", 3)])
def test_the_worker_count_can_be_set(monkeypatch, value, expected):
    monkeypatch.setenv("QDECK_WORKERS", value)
    assert parallel.workers() == expected


def test_content_hashes_are_the_same_rendered_by_two_workers_or_one(monkeypatch):
    from qdeck.anki import render

    with chdir(ROOT):
        notes = pipeline.build(load_recipe(None), check=True).notes
    serial = [render.content_hash(n) for n in notes]
    fields = [render.render_fields(n) for n in notes]
    render.clear_render_cache()
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("QDECK_WORKERS", "2")
    assert render.content_hashes(notes) == serial
    assert [render.render_fields(n) for n in notes] == fields
    render.clear_render_cache()


def test_a_result_made_beside_is_the_result(monkeypatch):
    monkeypatch.setenv("QDECK_WORKERS", "2")
    data = list(range(10))
    assert parallel.Beside(lambda: [x * x for x in data], enabled=True).result() == [x * x for x in data]
    assert parallel.Beside(lambda: "serial", enabled=False).result() == "serial"


def test_a_large_build_writes_the_same_files_with_outputs_made_beside(tmp_path, monkeypatch):
    """The real deck built twice from scratch, once with every parallel path forced on."""
    import shutil

    results = {}
    for mode in ("serial", "parallel"):
        proj = tmp_path / mode
        shutil.copytree(ROOT / "data", proj / "data")
        (proj / "decks").mkdir()
        shutil.copy(ROOT / "decks" / "python-interview.yaml", proj / "decks")
        monkeypatch.setenv("QDECK_WORKERS", "1" if mode == "serial" else "2")
        monkeypatch.setattr(parallel, "MIN_ITEMS", 10**9 if mode == "serial" else 1)
        with chdir(proj):
            pipeline.build(load_recipe(None), now=1_800_000_000)
        results[mode] = {p.relative_to(proj).as_posix(): p.read_bytes()
                         for p in [*(proj / "build").glob("*.*"), proj / "decks" / "python-interview.lock.yaml"]
                         if p.is_file()}
    assert results["parallel"] == results["serial"]
    assert len(results["serial"]) == 8


def test_counts_reach_the_watcher_from_the_parent_only(monkeypatch, tmp_path):
    from qdeck import progress

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("QDECK_WORKERS", "2")
    seen = tmp_path / "seen"

    def show(label: str, done: int, total: int) -> None:
        with seen.open("a") as handle:  # a file, so a forked worker's call would show up too
            handle.write(f"{label} {done}/{total}\n")

    def job(item: int) -> int:
        progress.tick("inside a worker", 1, 1)
        return item * 2

    with progress.reporting(show):
        assert parallel.map_ordered(job, list(range(40)), label="doubling") == [i * 2 for i in range(40)]
    lines = seen.read_text().splitlines()
    assert lines[0] == "doubling 0/40" and lines[-1] == "doubling 40/40"
    assert all(line.startswith("doubling ") for line in lines)
