"""Dedupe: cluster questions that ask the same thing into one note each.

- `vocabulary`: data/dedupe.yaml as the matching vocabulary;
- `words`, `features`: what a question's text says, as the matcher compares it;
- `vetoes`: the rules that keep look-alikes apart;
- `candidates`, `matcher`: which pairs are scored, and how alike they are;
- `cluster`: questions into notes, best pairs first, never by chaining;
- `notes`: one note per cluster; `stage`: the stage itself;
- `overrides`, `last_release`: the maintainers' corrections and the last release's notes;
- `embed`, `minilm`, `model_files`: the optional sentence-embedding signal (the `[embed]` extra).
"""

from qdeck.dedupe.cluster import cluster, natural_key
from qdeck.dedupe.embed import embed_questions
from qdeck.dedupe.features import Features, features
from qdeck.dedupe.last_release import LastRelease
from qdeck.dedupe.matcher import Matcher
from qdeck.dedupe.model_files import EXTRA_HINT, MODEL_NAME, fetch_model, load_encoder
from qdeck.dedupe.notes import make_note
from qdeck.dedupe.overrides import Overrides
from qdeck.dedupe.stage import dedupe
from qdeck.dedupe.vocabulary import Vocabulary
from qdeck.dedupe.words import content_words, core_text, word_shape

__all__ = [
    "EXTRA_HINT", "Features", "LastRelease", "MODEL_NAME", "Matcher", "Overrides", "Vocabulary",
    "cluster", "content_words", "core_text", "dedupe", "embed_questions", "features",
    "fetch_model", "load_encoder", "make_note", "natural_key", "word_shape",
]
