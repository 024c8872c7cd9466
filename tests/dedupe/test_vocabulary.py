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


def test_the_c_stemmer_stems_every_word_of_the_lists_as_the_pure_python_one():
    # PyStemmer is a dependency only for speed: snowballstemmer hands its stemmer out when it is
    # installed. Both must be one Snowball version, or stems (and so merges) would depend on it.
    import re

    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    from qdeck.dedupe.vocabulary import stem

    words = sorted({w.lower() for path in (ROOT / "data" / "sources").iterdir()
                    for w in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8"))})
    assert len(words) > 4_000
    pure, fast = EnglishStemmer(), Stemmer.Stemmer("english")
    assert fast.stemWords(words) == [pure.stemWord(w) for w in words]
    assert [stem(w) for w in words[:200]] == fast.stemWords(words[:200])
