"""Duplicate detection on the real catalog: tricky pairs, invariants, overrides and measured quality."""

from __future__ import annotations

import random
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.config import load_recipe
from qdeck.dedupe import Matcher, Overrides, Vocabulary, cluster, content_words, dedupe
from qdeck.errors import InputError
from qdeck.models import Question
from qdeck.pipeline import build_notes, read_catalog
from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from eval_dedupe import note_membership, score  # noqa: E402

VOCAB = Vocabulary.load(ROOT / "data" / "dedupe.yaml")


@pytest.fixture(scope="module")
def cat():
    return read_catalog(load_recipe(ROOT / "decks" / "python-interview.yaml"))


@pytest.fixture(scope="module")
def notes(cat):
    return build_notes(cat, tag=False)


@pytest.fixture(scope="module")
def note_of(notes):
    return note_membership(notes)


def q(ref: str, text: str) -> Question:
    source, _, number = ref.partition("#")
    return Question(ref=ref, source=source, number=number, text=text, line=1)


def groups(*questions: Question, overrides: Overrides = Overrides()) -> list[list[str]]:
    return cluster(questions, Matcher.build(questions, VOCAB), overrides)


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


def test_contrast_veto_on_made_up_pairs():
    assert groups(q("a#1", "Sort a list in ascending order"), q("b#1", "Sort a list in descending order")) == [
        ["a#1"], ["b#1"]
    ]
    assert groups(q("a#1", "What is the GIL?"), q("b#1", "When is the GIL released?")) == [["a#1"], ["b#1"]]
    assert groups(q("a#1", "What is the Global Interpreter Lock?"), q("b#1", "Explain the GIL.")) == [
        ["a#1", "b#1"]
    ]


def test_one_name_applied_to_other_values_is_another_question():
    """Code expressions that share their names but not their values (`bool("")`, `bool(None)`)
    are different questions; an expression written inside a longer one is the same."""
    assert groups(q("a#1", 'What does `bool("")` evaluate to?'), q("b#1", "What does `bool(None)` evaluate to?"),
                  q("c#1", 'What does `bool("Hello")` evaluate to?')) == [["a#1"], ["b#1"], ["c#1"]]
    assert groups(q("a#1", 'What is `if __name__ == "__main__":` for?'),
                  q("b#1", 'What is `__name__ == "__main__"` used for?')) == [["a#1", "b#1"]]
    assert groups(q("a#1", "Explain `str()` and `repr()`."), q("b#1", "Explain `str` and `repr`.")) == [["a#1", "b#1"]]


def test_questions_written_alike_but_for_one_word_are_different():
    from qdeck.dedupe import _one_word_apart, word_shape

    # No contrast group knows "flattens" and "normalises": the shared wording says the one word is the question.
    flatten = q("a#1", "Write a function that flattens nested dictionaries in a single pass.")
    normalise = q("b#1", "Write a function that normalises nested dictionaries in a single pass.")
    assert Matcher.build([flatten, normalise], VOCAB).vetoed("a#1", "b#1")
    # A synonym, a kind word or a reworded question is no such swap.
    dicts, dictionaries = q("a#1", "How do you merge two dicts?"), q("b#1", "How do you merge two dictionaries?")
    assert not Matcher.build([dicts, dictionaries], VOCAB).vetoed("a#1", "b#1")
    assert groups(dicts, dictionaries) == [["a#1", "b#1"]]
    statement, function = (word_shape(f"What does the `print` {kind} do?", VOCAB) for kind in ("statement", "function"))
    assert not _one_word_apart(statement, function, VOCAB.kinds)
    assert _one_word_apart(statement, function, frozenset())
    assert not _one_word_apart(word_shape("What is a list?", VOCAB), word_shape("Explain tuples.", VOCAB), frozenset())


def test_a_short_question_finds_its_long_form():
    # The long question's rarest words are all in its add-on; its core clause still finds it.
    short = q("a#1", "What is inheritance?")
    long = q("b#1", "How does inheritance work? Write a base class `Animal` and subclass `Dog` overriding a method.")
    assert groups(short, long) == [["a#1", "b#1"]]


def test_a_comparison_title_needs_a_comparison():
    title = q("a#1", "async vs sync")
    other = q("b#1", "How would you write a decorator that works on both sync and async functions?")
    assert groups(title, other) == [["a#1"], ["b#1"]]
    # Shared words do not make a comparison title the same question as one side of it, even
    # where the other side's word is common ("function") and the shared one rare ("OOP") ...
    common = [q(f"c#{i}", f"How does a function handle {w}?") for i, w in enumerate(["recursion", "closures", "state"])]
    assert ["b#1"] in groups(q("a#1", "Functional vs OOP approach"), q("b#1", "What is OOP?"), *common)
    # ... while a question asking what each of the two is does compare them.
    assert groups(q("a#1", "Class vs object"), q("b#1", "What is a class and what is an object (instance)?")) == [
        ["a#1", "b#1"]
    ]


def test_a_one_word_title_does_not_head_a_narrower_task():
    title = q("a#1", "Caching")
    task = q("b#1", "Design a caching decorator. It should store the results of a function call.")
    assert groups(title, task) == [["a#1"], ["b#1"]]


def test_vocabulary_folds_plurals_and_reads_parentheses_as_restatements():
    assert content_words("What are `namedtuples`?", VOCAB) == content_words("What is a named tuple?", VOCAB)
    assert groups(q("a#1", "What is a class and what is an object (instance)?"), q("b#1", "Class vs object")) == [
        ["a#1", "b#1"]
    ]


def test_unquoted_yaml_booleans_in_the_vocabulary_are_an_error(tmp_path):
    path = tmp_path / "dedupe.yaml"
    path.write_text("framing: [a, on, the]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: framing\[1\]: expected a word or phrase, got True; quote it"):
        Vocabulary.load(path)


def test_no_greedy_chaining():
    # b is close to a and to c, but a and c are different questions: c must not ride in on b.
    a = q("a#1", "What is a decorator?")
    b = q("b#1", "What is a decorator with arguments?")
    c = q("c#1", "How do you pass arguments to a function?")
    result = groups(a, b, c)
    assert not any({"a#1", "c#1"} <= set(g) for g in result)


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
    of = note_membership(notes)
    assert "levels-415#140" in of["answered-200#5"]  # forced merge
    assert "levels-415#401" not in of["tiered-200#3"]  # forced split
    note = next(n for n in notes if "tiered-200#3" in n.refs)
    assert note.question == "How do `==` and `is` differ?"


def test_override_naming_an_unknown_ref_is_an_error(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text("merge:\n  - [tiered-200#3, tiered-200#999]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown ref\(s\): tiered-200#999"):
        Overrides.load(path, ["tiered-200#3"])


def test_overrides_for_a_list_the_recipe_leaves_out_do_not_apply(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text("merge:\n  - [tiered-200#3, other#9, tiered-200#4]\ntier: {other#9: 1-beginner}\n",
                    encoding="utf-8")
    overrides = Overrides.load(path, ["tiered-200#3", "tiered-200#4"])
    assert overrides.merge == (("tiered-200#3", "tiered-200#4"),) and overrides.tier == {}


def test_candidates_stay_sub_quadratic():
    words = [f"topic{i}" for i in range(3000)]
    questions = [q(f"s#{i}", f"What is {words[i]} and how does {words[(i * 7) % 3000]} relate?") for i in range(3000)]
    matcher = Matcher.build(questions, VOCAB)
    pairs = matcher.candidates([x.ref for x in questions])
    assert len(pairs) < 3000 * 20  # all pairs would be 4.5 million


LABELS = sorted((ROOT / "tests" / "labels").glob("dedup-*.yaml"))


@pytest.mark.parametrize("path", LABELS, ids=[p.stem for p in LABELS])
def test_precision_on_labelled_sets(note_of, path):
    s = score(yaml.safe_load(path.read_text(encoding="utf-8")), note_of)
    assert s.precision >= 0.97, f"precision {s.precision:.3f}"


@pytest.mark.xfail(strict=True, reason="with the hand-reviewed judgments recall is 0.907 (dev) and 0.865 "
                   "(held-out), target 0.95: the misses are pairs no reviewed candidate list offered")
@pytest.mark.parametrize("path", LABELS, ids=[p.stem for p in LABELS])
def test_recall_on_labelled_sets(note_of, path):
    s = score(yaml.safe_load(path.read_text(encoding="utf-8")), note_of)
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


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("PEP8", "What is PEP 8?"),
        ("PEP-8 style guide", "What is the PEP 8 style guide?"),
        ("The `__main__` block", "What does `if __name__ == '__main__':` do?"),
        ("Decorators", "What are decorators?"),
        ("Dunder methods", "What are magic methods?"),
    ],
)
def test_spellings_of_one_question_match(a, b):
    others = [q(f"c#{i}", t) for i, t in enumerate(["What is a list?", "How do you sort a dict?", "What is PEP 20?"])]
    assert ["a#1", "b#1"] in groups(q("a#1", a), q("b#1", b), *others)
