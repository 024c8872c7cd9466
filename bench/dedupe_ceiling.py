"""How far can the matcher's signals go? A learned combination, scored across the labelled sets.

Usage: python bench/dedupe_ceiling.py [--embeddings]

The matcher combines its signals by hand (thresholds, title coverage, vetoes). This script asks
whether a better combination of the same signals would reach the recall target: it fits a
logistic regression on one labelled set's candidate pairs and ranks the other set's pairs by it,
then reports the best recall at which pairwise precision still reaches 0.95 / 0.90 (pairs
labelled `related` are left out, as they count neither way). The matcher's own score is ranked
the same way for comparison. Pairs are the matcher's candidates (plus embedding neighbours with
--embeddings), so a pair never proposed is a miss for both.

Pair-level only: clustering (no chaining, linkage, vetoes between members) sits on top, so the
end-to-end recall of a scorer is at most what this prints.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qdeck.dedupe import Matcher, Vocabulary, core_text, embed_questions, word_shape  # noqa: E402
from qdeck.pipeline import load_recipe, read_catalog  # noqa: E402
from qdeck.config.taxonomy import load_taxonomy  # noqa: E402
from qdeck.tag import choose_topics, topic_scores  # noqa: E402

_BREAK = re.compile(r"[,;:?!()\[\]{}\"]|\.(?:\s|$)|\s[—–-]\s")
LEXICAL = ["jaccard full", "jaccard core", "matcher score", "shorter covered", "longer leads with it",
           "longer narrows it", "comparison mismatch", "same source", "log words shorter",
           "log words longer", "title vs question", "vetoed", "topics agree"]
SEMANTIC = ["cosine texts", "cosine cores"]


def runs(text: str, vocab: Vocabulary) -> list[frozenset[str]]:
    """Runs of content words that no framing word or punctuation breaks ("generator expression")."""
    found: list[frozenset[str]] = []
    for segment in _BREAK.split(text):
        run: set[str] = set()
        for word in word_shape(segment, vocab):
            if word[0] != "#":
                run.add(word)
            elif run:
                found.append(frozenset(run))
                run = set()
        if run:
            found.append(frozenset(run))
    return found


class Pairs:
    def __init__(self, embeddings: bool) -> None:
        recipe = load_recipe(ROOT / "decks/python-interview.yaml")
        cat = read_catalog(recipe)
        self.vocab = Vocabulary.load(recipe.data_dir / "dedupe.yaml")
        self.matcher = Matcher.build(cat.questions, self.vocab)
        refs = sorted(q.ref for q in cat.questions)
        self.candidates = self.matcher.candidates(refs)
        self.vectors: dict[str, np.ndarray] | None = None
        self.cores: dict[str, np.ndarray] | None = None
        if embeddings:
            from qdeck.dedupe import load_encoder
            from qdeck.settings import Settings

            # The matcher scores as `qdeck build --embeddings` does, and proposes embedding neighbours too.
            self.vectors, self.cores = embed_questions(cat.questions, self.vocab, load_encoder(Settings.from_environ().model_dir))
            self.matcher.vectors, self.matcher.core_vectors = self.vectors, self.cores
            self.candidates = self.matcher.candidates(refs)
        texts = {q.ref: q.text for q in cat.questions}
        # The topics the tagger would give each question alone (section map, then its words).
        taxonomy = load_taxonomy(recipe.taxonomy)
        self.topics = {q.ref: frozenset(choose_topics(topic_scores(q, taxonomy), taxonomy)) for q in cat.questions}
        self.core_runs = {ref: runs(core_text(text), self.vocab) for ref, text in texts.items()}

    def features(self, a: str, b: str) -> list[float]:
        m, kinds = self.matcher, self.vocab.kinds
        fa, fb = m.features[a], m.features[b]
        (short, long_, long_ref) = (fa, fb, b) if m.mass(fa.full) <= m.mass(fb.full) else (fb, fa, a)
        topic = short.full
        long_runs = self.core_runs[long_ref]
        lead = long_runs[0] if long_runs else frozenset()
        row = [
            m.jaccard(fa.full, fb.full),
            m.jaccard(fa.core, fb.core),
            m.similarity(a, b),
            m.covered(topic, long_.core | long_.code),
            float(bool(lead & topic) and lead <= topic | kinds),
            float(any(run & topic and run - topic - kinds for run in long_runs if len(run) > 1)),
            float(short.comparison != long_.comparison),
            float(a.rpartition("#")[0] == b.rpartition("#")[0]),
            math.log1p(len(short.full)),
            math.log1p(len(long_.full)),
            float(fa.fragment != fb.fragment),
            float(m.vetoed(a, b)),
            float(bool(self.topics[a] & self.topics[b])),
        ]
        if self.vectors is not None and self.cores is not None:
            row += [float(self.vectors[a] @ self.vectors[b]), float(self.cores[a] @ self.cores[b])]
        return row

    def labelled(self, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features, label (1 = same) and the matcher's score of every candidate pair of a labelled ref."""
        by_ref: dict[str, list[str]] = {}
        for a, b in self.candidates:
            by_ref.setdefault(a, []).append(b)
            by_ref.setdefault(b, []).append(a)
        rows, labels, scores = [], [], []
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            ref, same, related = entry["ref"], set(entry.get("same") or []), set(entry.get("related") or [])
            for other in sorted(by_ref.get(ref, [])):
                if other in related:
                    continue
                rows.append(self.features(ref, other))
                labels.append(1.0 if other in same else 0.0)
                scores.append(self.matcher.similarity(ref, other))
            # A `same` pair never proposed as a candidate is a miss whatever the scorer.
        return np.array(rows), np.array(labels), np.array(scores)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 4000):
    """L2-regularised logistic regression by gradient descent on standardised features."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9

    def design(rows: np.ndarray) -> np.ndarray:
        return np.hstack([(rows - mean) / std, np.ones((len(rows), 1))])

    z, w = design(x), np.zeros(x.shape[1] + 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        w -= (z.T @ (p - y) + l2 * np.r_[w[:-1], 0.0]) / len(y)
    return (lambda rows: design(rows) @ w), w


def best_recall(scores: np.ndarray, y: np.ndarray, same_total: int, precision: float) -> float:
    tp = fp = 0
    best = 0.0
    for i in np.argsort(-scores, kind="stable"):
        tp, fp = tp + int(y[i]), fp + int(not y[i])
        if tp / (tp + fp) >= precision:
            best = max(best, tp / same_total)
    return best


def main(argv: list[str]) -> int:
    embeddings = "--embeddings" in argv
    pairs = Pairs(embeddings)
    names = LEXICAL + (SEMANTIC if embeddings else [])
    paths = sorted((ROOT / "tests/labels").glob("dedup-*.yaml"))
    sets = {p.stem: pairs.labelled(p) for p in paths}
    same_total = {p.stem: sum(len(e.get("same") or []) for e in yaml.safe_load(p.read_text(encoding="utf-8")))
                  for p in paths}
    print(f"signals: {', '.join(names)}")
    for train in sets:
        for test in sets:
            if test == train:
                continue
            x, y, _ = sets[train]
            score, weights = fit(x, y)
            tx, ty, matcher_score = sets[test]
            learned = score(tx)
            print(f"train {train} -> test {test} ({int(ty.sum())}/{same_total[test]} same pairs proposed):")
            for label, ranked in (("learned", learned), ("matcher", matcher_score)):
                cells = "  ".join(f"recall@P>={p:.2f} {best_recall(ranked, ty, same_total[test], p):.3f}"
                                  for p in (0.95, 0.90))
                print(f"  {label:8s} {cells}")
            heaviest = sorted(zip(names, weights[:-1]), key=lambda nw: -abs(nw[1]))[:4]
            print("  heaviest learned weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in heaviest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
