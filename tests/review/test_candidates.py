"""The pairs `qdeck review` offers, with and without the embedding model."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qdeck.cli import cli
from qdeck.settings import MODEL_NAME
from tests.helpers import ROOT, chdir


def test_export_adds_the_embedding_signal_when_the_model_is_installed(proj, monkeypatch):
    for module in ("numpy", "tokenizers", "safetensors"):
        pytest.importorskip(module, reason=f"the [embed] extra is not installed ({module} is missing)")
    model = Path(os.environ.get("QDECK_MODEL_DIR") or ROOT / "models" / MODEL_NAME)
    if not (model / "model.safetensors").is_file():
        pytest.skip(f"no {MODEL_NAME} model at {model}; run `qdeck model fetch`")
    monkeypatch.setenv("QDECK_MODEL_DIR", str(model))
    with chdir(proj):
        result = CliRunner().invoke(cli, ["review", "--export", "pairs.csv"], catch_exceptions=False)
    assert result.exit_code == 0 and "no embedding near misses" not in result.output
    with open(proj / "pairs.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(0.0 <= float(row["embedding"]) <= 1.0 for row in rows)
    # The blended score takes the better of the two signals, never less than the words alone.
    assert all(float(row["embedding"]) >= float(row["score"]) for row in rows)


def test_without_the_model_review_says_so_and_goes_on(proj, monkeypatch, tmp_path):
    monkeypatch.setenv("QDECK_MODEL_DIR", str(tmp_path / "no-model"))
    with chdir(proj):
        result = CliRunner().invoke(cli, ["review", "--export", "pairs.csv"], catch_exceptions=False)
    assert result.exit_code == 0 and "no embedding near misses" in result.output
    assert (proj / "pairs.csv").is_file()

