"""The embedding model, for the tests that need it (skipped without the [embed] extra or the model files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdeck.dedupe import load_encoder
from qdeck.dedupe.minilm import Encoder
from qdeck.settings import MODEL_NAME, Settings
from tests.helpers import ROOT


def _require_extra() -> None:
    for module in ("numpy", "tokenizers", "safetensors"):
        pytest.importorskip(module, reason=f"the [embed] extra is not installed ({module} is missing)")


@pytest.fixture(scope="module")
def model_dir() -> Path:
    _require_extra()
    path = Settings.from_environ(cwd=ROOT).model_dir  # QDECK_MODEL_DIR, else models/ in the checkout
    if not (path / "model.safetensors").is_file():
        pytest.skip(f"no {MODEL_NAME} model at {path}; run `qdeck model fetch` to test the encoder")
    return path


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> Encoder:
    return load_encoder(model_dir)
