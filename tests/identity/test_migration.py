"""A version 1 lock (notes only) is migrated, not regenerated: every GUID keeps its question."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from qdeck.config import load_recipe
from qdeck.identity import assign_identities, follow, load_lock
from qdeck.pipeline import read_catalog

ROOT = Path(__file__).resolve().parents[2]
LOCK = "decks/python-interview.lock.yaml"


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml")).questions


def _last_v1_lock(tmp_path: Path):
    """The newest committed lock of version 1, from git history (None outside a git checkout)."""
    try:
        commits = subprocess.run(["git", "log", "--format=%H", "--", LOCK], cwd=ROOT, capture_output=True,
                                 check=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    for commit in commits:
        text = subprocess.run(["git", "show", f"{commit}:{LOCK}"], cwd=ROOT, capture_output=True).stdout
        if b"\nversion: 1\n" in text:
            path = tmp_path / "v1.lock.yaml"
            path.write_bytes(text)
            return load_lock(path)
    return None


def test_the_committed_lock_was_migrated_keeping_every_guid_on_its_question(tmp_path):
    old = _last_v1_lock(tmp_path)
    if old is None:
        pytest.skip("no version 1 lock in this checkout's history")
    new = load_lock(ROOT / LOCK)
    before, after = old.by_guid(), new.by_guid()
    assert set(before) <= set(after), "no entry dropped"
    for guid, entry in before.items():
        if after[guid].mod == entry.mod:  # untouched by any release since: exactly as it was
            assert (after[guid].question, after[guid].refs, after[guid].status) == \
                   (entry.question, entry.refs, entry.status), guid


def test_migrating_the_lock_again_changes_nothing(catalog):
    """Read as version 1 (its questions forgotten), the committed lock migrates to itself."""
    lock = load_lock(ROOT / LOCK)
    as_v1 = replace(lock, questions=None)
    alignment = follow(as_v1, catalog)
    assert alignment.migrated and not alignment.gone and not alignment.uncertain
    assert {ref: p.old.guid for ref, p in alignment.pairs.items()} == {q.ref: q.guid for q in lock.questions}
    assert all(p.how == "exact" for p in alignment.pairs.values())
    owner = {ref: e.guid for e in lock.entries if e.status == "active" for ref in e.refs}
    assert {q.ref: q.guid for q in lock.questions} == owner
    assert all(q.text == {c.ref: c.text for c in catalog}[q.ref] for q in lock.questions)


def test_a_version_1_lock_keeps_every_guid_through_assignment(catalog):
    """The notes as the lock has them, assigned against the version 1 reading: every GUID stays put."""
    from qdeck.models import Note

    lock = load_lock(ROOT / LOCK)
    active = [e for e in lock.entries if e.status == "active"]
    notes = [Note(key=e.content.key, question=e.question, refs=e.refs, variants=e.content.variants, tags=e.content.tags)
             for e in active]
    out, _, _ = assign_identities(notes, replace(lock, questions=None), namespace=lock.namespace, now=2_000_000_000,
                                  alignment=follow(replace(lock, questions=None), catalog))
    assert [n.guid for n in out[:len(active)]] == [e.guid for e in active]
