"""The matcher and clustering on made-up questions: vetoes, titles, spellings, no chaining, bounded candidates."""

from __future__ import annotations

import pytest

from qdeck.dedupe import Matcher, content_words, word_shape
from qdeck.dedupe.vetoes import one_word_apart
from tests.dedupe.helpers import VOCAB, groups, q


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
    # No contrast group knows "flattens" and "normalises": the shared wording says the one word is the question.
    flatten = q("a#1", "Write a function that flattens nested dictionaries in a single pass.")
    normalise = q("b#1", "Write a function that normalises nested dictionaries in a single pass.")
    assert Matcher.build([flatten, normalise], VOCAB).vetoed("a#1", "b#1")
    # A synonym, a kind word or a reworded question is no such swap.
    dicts, dictionaries = q("a#1", "How do you merge two dicts?"), q("b#1", "How do you merge two dictionaries?")
    assert not Matcher.build([dicts, dictionaries], VOCAB).vetoed("a#1", "b#1")
    assert groups(dicts, dictionaries) == [["a#1", "b#1"]]
    statement, function = (word_shape(f"What does the `print` {kind} do?", VOCAB) for kind in ("statement", "function"))
    assert not one_word_apart(statement, function, VOCAB.kinds)
    assert one_word_apart(statement, function, frozenset())
    assert not one_word_apart(word_shape("What is a list?", VOCAB), word_shape("Explain tuples.", VOCAB), frozenset())


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


def test_no_greedy_chaining():
    # b is close to a and to c, but a and c are different questions: c must not ride in on b.
    a = q("a#1", "What is a decorator?")
    b = q("b#1", "What is a decorator with arguments?")
    c = q("c#1", "How do you pass arguments to a function?")
    result = groups(a, b, c)
    assert not any({"a#1", "c#1"} <= set(g) for g in result)


def test_candidates_stay_sub_quadratic():
    words = [f"topic{i}" for i in range(3000)]
    questions = [q(f"s#{i}", f"What is {words[i]} and how does {words[(i * 7) % 3000]} relate?") for i in range(3000)]
    matcher = Matcher.build(questions, VOCAB)
    pairs = matcher.candidates([x.ref for x in questions])
    assert len(pairs) < 3000 * 20  # all pairs would be 4.5 million


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



@pytest.mark.parametrize("others", [0, 1500], ids=["alone", "in a large corpus"])
def test_a_narrower_question_stays_apart_at_any_corpus_size(others):
    """"Profiling X" is no "What is X?", and "Logging around X" no "Retry logic around X", however
    common a large corpus makes the aspect words and however rare the term is."""
    filler = [q(f"f#{i}", f"{aspect} around `mod{i}.func{i}()`") for i, aspect in
              zip(range(others), ["Profiling", "Logging", "Retry logic", "Mocking", "Benchmarking"] * others)]
    what, profiling = q("a#1", "What is `heapq.merge()`?"), q("b#1", "Profiling `heapq.merge()`")
    logging, retry = q("c#1", "Logging around `heapq.merge()`."), q("d#1", "Retry logic around `heapq.merge()`.")
    again = q("e#1", "Explain `heapq.merge()`.")
    found = groups(what, profiling, logging, retry, again, *filler)
    assert ["a#1", "e#1"] in found and ["b#1"] in found and ["c#1"] in found and ["d#1"] in found


def test_rewordings_meet_among_hundreds_of_questions_on_their_term():
    """Every question about `heapq.merge()` shares its rare words; two written with the same
    content words are still compared, wherever they sit among the others."""
    aspects = [f"Explain aspect{i} of `heapq.merge()`." for i in range(300)]
    questions = [q(f"s#{i}", text) for i, text in enumerate(aspects)]
    questions += [q("t#1", "What is `heapq.merge()`?"), q("u#1", "Walk me through `heapq.merge()`.")]
    pairs = Matcher.build(questions, VOCAB).candidates([x.ref for x in questions])
    assert ("t#1", "u#1") in pairs
    assert ["t#1", "u#1"] in groups(*questions)
