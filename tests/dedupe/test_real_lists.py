"""Duplicate detection on the real catalog: tricky pairs, invariants, overrides and measured quality."""

from __future__ import annotations

import random
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.config import load_recipe
from qdeck.dedupe import Matcher, Overrides, cluster, dedupe
from qdeck.pipeline import build_notes, read_catalog
from tests.dedupe.helpers import VOCAB
from tests.dedupe.labels import LABELS, membership, score
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def cat():
    return read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml"))


@pytest.fixture(scope="module")
def notes(cat):
    return build_notes(cat, tag=False)


@pytest.fixture(scope="module")
def note_of(notes):
    return membership(notes)


@pytest.mark.parametrize(
    "together",
    [
        ("tiered-200#3", "answered-200#13", "levels-415#401"),  # == vs is, three wordings
        ("senior-180#59", "levels-415#412", "answered-200#10"),  # "Duck typing" title and questions
        ("levels-415#436", "levels-415#606"),  # the same question twice in one list
        ("senior-180#20", "levels-415#402", "tiered-200#51"),  # shallow vs deep copy
        ("deep-dive-71#22", "senior-180#118", "answered-200#121"),  # a written deep-dive title joins its list
    ],
)
def test_paraphrases_share_a_note(note_of, together):
    assert all(note_of[ref] == note_of[together[0]] for ref in together), [sorted(note_of[r]) for r in together]


@pytest.mark.parametrize(
    "apart",
    [
        ("levels-415#25", "levels-415#26"),  # `10 / 3` vs `10 // 3`
        ("levels-415#48", "levels-415#49"),  # starts with vs ends with
        ("levels-415#46", "levels-415#47"),  # uppercase vs lowercase
        ("levels-415#23", "levels-415#24"),  # `/` vs `//`
        ("levels-415#29", "levels-415#401"),  # `=` vs `==` against `is` vs `==`
        ("deep-dive-71#1", "deep-dive-71#1.1"),  # an answer and its own follow-up
        ("levels-415#43", "levels-415#44"),  # `s[:4]` vs `s[4:]`
        ("levels-415#63", "levels-415#64"),  # `bool("")` vs `bool([])`
        ("levels-415#256", "levels-415#257"),  # a file opened for reading vs for writing
        ("answered-200#128", "answered-200#105"),  # async context managers vs the context manager protocol
        ("levels-415#216", "levels-415#616"),  # a tuple as a dictionary key vs what a `namedtuple` is
        ("answered-200#42", "levels-415#139"),  # positional-only / keyword-only vs positional / keyword
    ],
)
def test_look_alikes_stay_apart(note_of, apart):
    a, b = apart
    assert b not in note_of[a]


def test_every_member_phrasing_and_answer_is_kept(notes, cat):
    by_ref = {x.ref: x for x in cat.questions}
    for note in notes:
        texts = {note.question, *note.variants}
        for ref in note.refs:
            assert by_ref[ref].text in texts or ref in note.key
            if by_ref[ref].answer and not by_ref[ref].follow_up_of:
                assert by_ref[ref].answer in note.answer, ref


def test_canonical_question_is_a_full_sentence(notes):
    shared = next(n for n in notes if "senior-180#59" in n.refs)
    assert shared.question.endswith("?") and shared.question[0].isupper()
    assert "Duck typing" in shared.variants


def test_deep_dive_follow_ups_ride_on_their_answer(notes):
    note = next(n for n in notes if "deep-dive-71#1" in n.refs)
    assert len(note.follow_ups) == 3 and "fragmentation" in note.follow_ups[0]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_input_order_does_not_change_the_clusters(cat, seed):
    sample = [x for x in cat.questions if x.source in ("senior-180", "answered-200")][:220]
    shuffled = list(sample)
    random.Random(seed).shuffle(shuffled)
    assert sorted(n.refs for n in dedupe(shuffled, VOCAB)) == sorted(n.refs for n in dedupe(sample, VOCAB))


def test_deduplicating_twice_changes_nothing(cat):
    once = dedupe(cat.questions, VOCAB)
    assert dedupe(cat.questions, VOCAB) == once
    # A note's members, clustered again on their own (same corpus statistics), stay one note.
    matcher = Matcher.build(cat.questions, VOCAB)
    for note in [n for n in once if len(n.refs) > 2]:
        members = [x for x in cat.questions if x.ref in note.refs]
        assert cluster(members, matcher) == [list(note.refs)]


def test_overrides_force_merge_split_and_canonical(cat):
    refs = [x.ref for x in cat.questions]
    path = ROOT / "tests" / "cases" / "overrides-sample.yaml"
    overrides = Overrides.load(path, refs)
    notes = dedupe(cat.questions, VOCAB, overrides)
    of = membership(notes)
    assert "levels-415#140" in of["answered-200#5"]  # forced merge
    assert "levels-415#401" not in of["tiered-200#3"]  # forced split
    note = next(n for n in notes if "tiered-200#3" in n.refs)
    assert note.question == "How do `==` and `is` differ?"


@pytest.mark.parametrize("path", LABELS, ids=[p.stem for p in LABELS])
def test_precision_on_labelled_sets(note_of, path):
    s = score(path, note_of)
    assert s.precision >= 0.97, f"precision {s.precision:.3f}"


@pytest.mark.xfail(strict=True, reason="recall is 0.800 (dev) and 0.878 (held-out), target 0.95: of the 24 "
                   "missed pairs, 18 are pairs the reviewers judged `related` (a broad question and a narrower "
                   "one) where the annotators said same, and 6 were never offered for review")
@pytest.mark.parametrize("path", LABELS, ids=[p.stem for p in LABELS])
def test_recall_on_labelled_sets(note_of, path):
    s = score(path, note_of)
    assert s.recall >= 0.95, f"recall {s.recall:.3f}"


def test_clusters_do_not_depend_on_the_hash_seed():
    import subprocess

    script = (
        "import hashlib; from qdeck.config import load_recipe; from qdeck.pipeline import build_notes, read_catalog\n"
        "from dataclasses import replace\n"
        "r = load_recipe('decks/python-interview.yaml')\n"
        "r = replace(r, sources=tuple(s for s in r.sources if s.name != 'answered-200'))\n"
        "notes = build_notes(read_catalog(r))\n"
        "print(hashlib.sha256(repr([(n.refs, n.question, n.tier, n.topics, n.kind) for n in notes]).encode()).hexdigest())"
    )
    digests = {
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**__import__("os").environ, "PYTHONHASHSEED": seed},
                       capture_output=True, text=True, check=True).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


@pytest.mark.parametrize(
    "together",
    [
        ("senior-180#162", "levels-415#16"),  # "PEP8" / "What is PEP 8?"
        ("levels-415#157", "answered-200#18", "levels-415#433"),  # the `__main__` block / `if __name__ == ...`
        ("answered-200#120", "levels-415#449"),  # `weakref` / "a weak reference"
    ],
)
def test_one_thing_spelled_two_ways_shares_a_note(note_of, together):
    assert all(note_of[ref] == note_of[together[0]] for ref in together), [sorted(note_of[r]) for r in together]