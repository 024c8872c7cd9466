"""The numpy MiniLM encoder against sentence-transformers' own embeddings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from qdeck.dedupe.minilm import Encoder, gelu

REFERENCE = Path(__file__).resolve().parents[1] / "cases" / "embed" / "reference.json"


def test_matches_sentence_transformers(encoder: Encoder) -> None:
    import numpy as np

    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    expected = np.array(ref["embeddings"], dtype=np.float64)
    got = encoder.encode(ref["sentences"])
    assert got.dtype == np.float32 and got.shape == (len(ref["sentences"]), 384)
    got = got.astype(np.float64)
    for sentence, row, want in zip(ref["sentences"], got, expected):
        cosine = float(row @ want / (np.linalg.norm(row) * np.linalg.norm(want)))
        assert np.abs(row - want).max() < 1e-4, sentence
        assert cosine > 0.9999, sentence
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_batching_does_not_change_rows(encoder: Encoder) -> None:
    import numpy as np

    sentences = json.loads(REFERENCE.read_text(encoding="utf-8"))["sentences"]
    whole = encoder.encode(sentences)
    assert np.abs(encoder.encode(sentences, batch_size=3) - whole).max() < 1e-5
    assert np.abs(encoder.encode(sentences[::-1], batch_size=1)[::-1] - whole).max() < 1e-5
    assert encoder.encode([]).shape == (0, 384)


def test_gelu_matches_exact_erf() -> None:
    np = pytest.importorskip("numpy", reason="the [embed] extra is not installed (numpy is missing)")
    xs = np.linspace(-12.0, 12.0, 24_001)
    want = np.array([0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0))) for x in xs])
    got = gelu(xs.astype(np.float32).reshape(1, -1)).astype(np.float64).ravel()
    assert np.abs(got - want).max() < 1e-5 * np.maximum(1.0, np.abs(want)).max()
