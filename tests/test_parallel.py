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
    from qdeck import render

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
