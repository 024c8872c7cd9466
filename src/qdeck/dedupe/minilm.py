"""all-MiniLM-L6-v2 as sentence-transformers runs it (BERT, mean pooling, L2 normalisation), in plain numpy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:  # the [embed] extra is optional: importing this module must work without it
    import numpy as np
    from tokenizers import Tokenizer

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
_BERT_BLOCK = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "out": "attention.output.dense", "ln1": "attention.output.LayerNorm",
    "ff1": "intermediate.dense", "ff2": "output.dense", "ln2": "output.LayerNorm",
}  # fmt: skip


class _Layer:
    """One transformer block's weights, laid out (in, out), Q, K and V fused into one matmul."""

    def __init__(self, w: Mapping[str, np.ndarray], prefix: str, head_dim: int) -> None:
        import numpy as np

        def get(part: str, kind: str) -> np.ndarray:
            return w[f"{prefix}.{_BERT_BLOCK[part]}.{kind}"]

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
        self.layers = [_Layer(weights, f"encoder.layer.{i}", head_dim)
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

        # BERT's absolute positions are embedded with the tokens.
        embedded = self.word[ids] + self.token_type[types] + self.position[:length]
        x = layer_norm(embedded.reshape(batch * length, self.dim), *self.emb_ln, self.eps)
        # Padding keys get the lowest float score, so softmax gives them zero weight.
        bias = None
        if mask.min() == 0.0:
            bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = self._layer(layer, x, bias, batch, length)

        x = x.reshape(batch, length, self.dim)
        pooled = np.einsum("bld,bl->bd", x, mask) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

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
