"""The block YAML subset: the fast reader agrees with PyYAML wherever it answers, and the files qdeck
writes take it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdeck.config.blockyaml import NotInSubset, read_block_yaml, scalar_text
from qdeck.identity import Lock, LockedContent, LockedQuestion, LockEntry, NotetypeState, load_lock, lock_text
from qdeck.review import store
from qdeck.review.overrides_file import flow
from tests.helpers import ROOT

LOCK = ROOT / "decks" / "python-interview.lock.yaml"
JUDGMENTS = ROOT / "data" / "judgments.yaml"

_TRICKY = st.sampled_from([
    "", " ", "\n", "a\n", "a\n\n", "\na", " a", "a ", "a: b", "a:", "a #b", "#a", "- a", "? a", "yes", "No", "null",
    "~", "1", "01", "1.5", "0x1f", "1e3", ".inf", "2024-01-01", "'q'", '"q"', "it's", "`x`", "a\tb", "a \nb",
    "a\n b", "  code\nx", "é\u2028x", "\x85", "\ufeff", "x\x7f", "[1, 2]", "{a}", "*a", "&a", "!a", "|a", ">a",
    "%a", "@a", "(a)", "a\n\nb\n", "...", "---", "-", "-1", ".5", "... a", "a, b", "s#1", "<<",
])
_TEXT = st.one_of(_TRICKY, st.text(max_size=30),
                  st.lists(st.one_of(_TRICKY, st.text(max_size=10)), max_size=4).map("".join))


def _lock(question: str, refs: list[str], answer: str, variants: list[str]) -> Lock:
    entry = LockEntry(guid="ns:abc", question=question or "q", refs=tuple(refs), hash="00ff", mod=5, added=3,
                      content=LockedContent(key=question, answer=answer, variants=tuple(variants)))
    questions = tuple(LockedQuestion(f"s#{n}", ref or "q", "ns:abc") for n, ref in enumerate(refs, 1))
    return Lock((entry,), "ns", NotetypeState("f", "s", 7), questions=questions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=_TEXT, refs=st.lists(_TEXT, max_size=3), answer=_TEXT, variants=st.lists(_TEXT, max_size=3))
def test_whatever_the_reader_reads_of_a_written_lock_is_what_pyyaml_reads(question, refs, answer, variants):
    text = lock_text(_lock(question, refs, answer, variants))
    data = read_block_yaml(text)
    if data is not None:
        assert data == yaml.safe_load(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from(list("ab: -#'|[],\n\t1é")), max_size=40))
def test_text_the_reader_reads_and_writes_back_reads_the_same_in_pyyaml(text):
    """Hand-edited text: the reader may misread what it does not know, so callers write back to check."""
    data = read_block_yaml(text)
    if not isinstance(data, dict) or not all(isinstance(v, str) and _writable(v) for v in data.values()):
        return
    if "".join(f"{key}: {scalar_text(value, 0)}\n" for key, value in data.items()) == text:
        assert data == yaml.safe_load(text)


def _writable(value: str) -> bool:
    try:
        scalar_text(value, 0)
    except NotInSubset:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(value=_TEXT.filter(lambda s: "\n" not in s))
def test_one_line_strings_are_written_as_pyyaml_writes_them(value):
    """Where PyYAML's own text reads back as the string: with a NEL it does not ('a\x85b' reads as 'a b')."""
    written = flow(value)
    assert "\n" not in written and yaml.safe_load(written) == value
    pyyaml = yaml.safe_dump(value, allow_unicode=True, width=1 << 16)
    pyyaml = pyyaml.removesuffix("\n...\n") if pyyaml.endswith("\n...\n") else pyyaml.removesuffix("\n")
    if yaml.safe_load(pyyaml) == value:
        assert written == pyyaml


@pytest.mark.parametrize("value", [
    "\xa0x\U0001F600", "x\U0001F600\u3000", "a\x85b", "a\nb\x85c", "a\nb\x7fc", "a\n\x9f", "a\nb\u2028c",
    " " + "word " * 14_000 + "\xa0", "x" * 70_000,
])
def test_a_judged_text_reads_back_as_it_was(value: str, tmp_path: Path):
    """Unicode spaces at either end, C1 controls, NEL, and text long enough that PyYAML folds it."""
    judgments = (store.Judgment(("a#1", "b#2"), (value, "B?"), "same", value),)
    path = tmp_path / "judgments.yaml"
    store.save(path, judgments)
    assert store.load(path) == judgments


def test_the_committed_lock_and_judgments_take_the_fast_reader():
    for path in (LOCK, JUDGMENTS):
        text = path.read_text(encoding="utf-8")
        assert read_block_yaml(text) == yaml.load(text, Loader=yaml.CSafeLoader), path
    assert lock_text(load_lock(LOCK)) == LOCK.read_text(encoding="utf-8")  # so load_lock's fast path holds
    assert store.dump(store.load(JUDGMENTS)) == JUDGMENTS.read_text(encoding="utf-8")


def test_a_hand_edited_lock_reads_as_pyyaml_reads_it(tmp_path: Path):
    """A comment, a reordered key or a double-quoted string leaves the fast path; the lock is the same."""
    lock = _lock("What is `x`?", ["a", "b"], "- one\n- two", ["v: w"])
    text = lock_text(lock)
    for edited in (text.replace("\nnotes:\n", "\n# a maintainer's comment\nnotes:\n"),
                   text.replace("  hash: 00ff\n", "  hash: \"00ff\"\n"),
                   text.replace("  mod: 5\n  added: 3\n", "  added: 3\n  mod: 5\n")):
        assert edited != text
        path = tmp_path / "edited.lock.yaml"
        path.write_text(edited, encoding="utf-8")
        assert load_lock(path) == lock


def test_a_hand_edited_judgments_file_reads_as_pyyaml_reads_it(tmp_path: Path):
    judgments = (store.Judgment(("a#1", "b#2"), ("What is X?", "X: why?"), "same", "it's one"),)
    text = store.dump(judgments)
    path = tmp_path / "judgments.yaml"
    for edited in (text, text.replace("verdict: same", "verdict: 'same'  # checked"),
                   text.replace("- refs: [a#1, b#2]", "- refs:\n  - a#1\n  - b#2")):
        path.write_text(edited, encoding="utf-8")
        assert store.load(path) == judgments


def test_text_nested_too_deeply_is_left_to_pyyaml(tmp_path: Path):
    from qdeck.errors import LockError

    text = "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v: 1\n"
    assert read_block_yaml(text) is None
    path = tmp_path / "deep.lock.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LockError):
        load_lock(path)
