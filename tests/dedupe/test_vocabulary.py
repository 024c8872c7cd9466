"""data/dedupe.yaml as the matching vocabulary."""

from __future__ import annotations

import pytest

from qdeck.dedupe import Vocabulary
from qdeck.errors import InputError


def test_unquoted_yaml_booleans_in_the_vocabulary_are_an_error(tmp_path):
    path = tmp_path / "dedupe.yaml"
    path.write_text("framing: [a, on, the]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: framing\[1\]: expected a word or phrase, got True; quote it"):
        Vocabulary.load(path)
