"""data/dedupe.yaml as the matching vocabulary."""

from __future__ import annotations

import pytest

from qdeck.dedupe import Vocabulary, content_words
from qdeck.dedupe.words import expand_abbreviations
from qdeck.errors import InputError
from tests.helpers import ROOT


def test_unquoted_yaml_booleans_in_the_vocabulary_are_an_error(tmp_path):
    path = tmp_path / "dedupe.yaml"
    path.write_text("framing: [a, on, the]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: framing\[1\]: expected a word or phrase, got True; quote it"):
        Vocabulary.load(path)


def test_a_phrase_read_as_framing_is_not_spelt_out_for_the_embedding():
    """"Walk me through" reads as "explain", a framing word: the embedding's text keeps "Explain"
    as written, while a real abbreviation is spelt out."""
    vocab = Vocabulary.load(ROOT / "data" / "dedupe.yaml")
    assert content_words("Walk me through the GIL.", vocab) == content_words("Explain the GIL.", vocab)
    assert expand_abbreviations("Explain the GIL.", vocab) == "Explain the GIL (global interpreter lock)."
