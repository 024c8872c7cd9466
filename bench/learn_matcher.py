"""Learn the matcher's weights and threshold from data/judgments.yaml; measure it leave-one-source-out.

Usage: python bench/learn_matcher.py [--write] [--precision 0.97] [--l2 1.0] [--without-related]

Needs the embedding extra and model (`pip install -e '.[embed]'`, `qdeck model fetch`).

Every judged pair of today's catalog (judgments resolved to today's refs, as `qdeck build` does)
becomes one row of signals that any pair of questions has, judged or not: the lexical matcher's
score, its parts and its veto, the MiniLM cosines, the blended score of `build --embeddings`, each
side's rank among the other's neighbours, bare titles, length ratio, same source. `same` is a
positive, `related` and `different` are negatives.

For each of the five lists X a logistic model (L2, Newton steps, numpy only) is fitted on the
judgments whose two refs are both outside X, its threshold is the lowest score at which the
training pairs keep precision >= --precision, and the judged pairs that involve X are scored with
that model and threshold; X is never looked at before it is scored. Today's hand-set matcher is
scored on the same pairs at its own threshold (a pair is `same` when its score reaches
`matcher.threshold` and no veto holds), lexical as `qdeck build` runs it and blended as
`qdeck build --embeddings` runs it. The table goes to stdout; --write also puts it into
bench/results.md under today's date (replacing a section written earlier the same day).
--without-related leaves `related` pairs out of training and scoring alike (a diagnostic: how far
`same` stands from `different` alone).

Pair-level only: the build's clustering (linkage, floors, chains) sits on top, and only judged
pairs are scored, which are the pairs the review tool offered (near the threshold, neighbours,
embedding near misses), so the figures are about hard pairs, not about the whole catalog.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# Everything the script takes from qdeck, in one place, so a restructure needs one edit here.
from qdeck.config import load_recipe  # noqa: E402
from qdeck.dedupe import Matcher, Vocabulary, embed_questions, load_encoder, natural_key  # noqa: E402
from qdeck.pipeline import read_catalog  # noqa: E402
from qdeck.review import store  # noqa: E402
from qdeck.settings import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results.md"
PRECISION_TARGET = 0.95  # the target on every held-out list
RECALL_TARGET = 0.80  # ... and recall, both at once
FAR = 64  # rank given to a pair the other side would not reach among its neighbours

SIGNALS = (
    "lexical score", "jaccard full", "jaccard core", "title covered", "vetoed",
    "cosine texts", "cosine cores", "blended score",
    "lexical rank (worse side)", "lexical rank (better side)",
    "embedding rank (worse side)", "embedding rank (better side)",
    "one side a bare title", "both bare titles", "comparison on one side only",
    "length ratio", "same source",
)
LEXICAL_ONLY = tuple(s for s in SIGNALS if not s.startswith(("cosine", "blended", "embedding")))


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    verdict: str  # same | related | different

    @property
    def same(self) -> bool:
        return self.verdict == "same"

    def involves(self, source: str) -> bool:
        return source in (_source(self.a), _source(self.b))


def _source(ref: str) -> str:
    return ref.rpartition("#")[0]


class Signals:
    """The catalog, both matchers and the embedding vectors: every signal of any pair of refs."""

    def __init__(self) -> None:
        recipe = load_recipe(None)
        self.catalog = read_catalog(recipe)
        questions = self.catalog.questions
        assert recipe.dedupe_data is not None
        vocab = recipe.dedupe_data.build(Vocabulary.from_shape)
        self.sources = tuple(spec.name for spec in recipe.sources)
        self.lexical = Matcher.build(questions, vocab)
        self.vectors, self.cores = embed_questions(questions, vocab, load_encoder(Settings.from_environ(cwd=ROOT).model_dir))
        self.blended = Matcher.build(questions, vocab)
        self.blended.vectors, self.blended.core_vectors = self.vectors, self.cores
        self.refs = sorted((q.ref for q in questions), key=natural_key)
        self.index = {ref: i for i, ref in enumerate(self.refs)}
        self.words = {q.ref: len(q.text.split()) for q in questions}
        family = {q.ref: q.follow_up_of or q.ref for q in questions}
        # Each question's neighbourhood: the lexical scores of its candidate partners and the
        # cosines to every other question, its own follow-ups and parent left out (never one note).
        pairs = sorted(self.lexical.candidates(self.refs))
        near: dict[str, list[float]] = {ref: [] for ref in self.refs}
        for (a, b), score in zip(pairs, self.lexical.score_pairs(pairs)):
            if family[a] != family[b]:
                near[a].append(score)
                near[b].append(score)
        self.lexical_near = {ref: np.sort(np.array(s))[::-1] for ref, s in near.items()}
        matrix = np.stack([self.vectors[r] for r in self.refs])
        self.cosines = matrix @ matrix.T
        kin = np.array([[family[a] == family[b] for b in self.refs] for a in self.refs])
        self.cosines_masked = np.where(kin, -np.inf, self.cosines)

    def _lexical_rank(self, ref: str, score: float) -> int:
        return 1 + int(np.sum(self.lexical_near[ref] > score))

    def _embedding_rank(self, ref: str, other: str) -> int:
        row = self.cosines_masked[self.index[ref]]
        return 1 + int(np.sum(row > self.cosines[self.index[ref], self.index[other]]))

    def _jaccard(self, a: frozenset[str], b: frozenset[str]) -> float:
        w = self.lexical.weight
        union = sum(w[x] for x in a | b)
        return sum(w[x] for x in a & b) / union if union else 0.0

    def _covered(self, part: frozenset[str], whole: frozenset[str]) -> float:
        w = self.lexical.weight
        total = sum(w[x] for x in part)
        return sum(w[x] for x in part & whole) / total if total else 0.0

    def row(self, a: str, b: str) -> list[float]:
        """The signals of one pair, the same whichever way round it is asked."""
        m = self.lexical
        fa, fb = m.features[a], m.features[b]
        short, long_ = (fa, fb) if len(fa.full) <= len(fb.full) else (fb, fa)
        score = m.similarity(a, b)
        lex_ranks = sorted((min(self._lexical_rank(a, score), FAR), min(self._lexical_rank(b, score), FAR)))
        emb_ranks = sorted((min(self._embedding_rank(a, b), FAR), min(self._embedding_rank(b, a), FAR)))
        words = sorted((self.words[a], self.words[b]))
        return [
            score,
            self._jaccard(fa.full, fb.full),
            self._jaccard(fa.core, fb.core),
            self._covered(short.core, long_.core | long_.code),
            float(m.vetoed(a, b)),
            float(self.vectors[a] @ self.vectors[b]),
            float(self.cores[a] @ self.cores[b]),
            self.blended.similarity(a, b),
            math.log(lex_ranks[1]), math.log(lex_ranks[0]),
            math.log(emb_ranks[1]), math.log(emb_ranks[0]),
            float(fa.fragment != fb.fragment),
            float(fa.fragment and fb.fragment),
            float(fa.comparison != fb.comparison),
            words[0] / words[1],
            float(_source(a) == _source(b)),
        ]


def judged_pairs(signals: Signals) -> tuple[list[Pair], int]:
    """Every judgment that still applies, on today's refs; and how many no longer apply."""
    judgments = store.load(signals.catalog.recipe.data_dir / store.FILE_NAME)
    pairs, gone = [], 0
    for r in store.resolve(judgments, signals.catalog.questions):
        if r.refs is None:
            gone += 1
            continue
        pairs.append(Pair(*r.refs, r.judgment.verdict))
    return pairs, gone


@dataclass(frozen=True)
class Model:
    """Logistic regression on standardised signals; `weights[-1]` is the intercept."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def score(self, x: np.ndarray) -> np.ndarray:
        z = np.hstack([(x - self.mean) / self.scale, np.ones((len(x), 1))]) @ self.weights
        return 1.0 / (1.0 + np.exp(-z))


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> Model:
    """L2-regularised logistic regression by Newton steps (a few dozen columns: exact and quick)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the intercept is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return Model(mean, scale, w)


def lowest_threshold(scores: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The lowest score at which the pairs scoring at least it keep the wanted precision."""
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(y[order])
    kept = np.arange(1, len(order) + 1)
    ok = (tp / kept >= precision) & (np.r_[scores[order][1:] < scores[order][:-1], True])
    if not ok.any():
        return float("inf")
    return float(scores[order][np.nonzero(ok)[0].max()])


@dataclass(frozen=True)
class Figures:
    """One scorer on one held-out list: its operating point, and how well it ranks at all."""

    pairs: int
    positives: int
    predicted: int
    hits: int
    threshold: float
    auc: float
    ceiling: float  # recall at P >= the target with a threshold picked on the held-out list itself

    @property
    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.positives if self.positives else 1.0

    @property
    def meets(self) -> bool:
        return self.precision >= PRECISION_TARGET and self.recall >= RECALL_TARGET


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """Chance that a `same` pair outscores a pair judged apart (ties count half)."""
    pos, neg = scores[y == 1], scores[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def best_recall(scores: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The most recall any threshold reaches at the wanted precision (an upper bound, not a result)."""
    threshold = lowest_threshold(scores, y, precision)
    return float(((scores >= threshold) & (y == 1)).sum() / max(y.sum(), 1))


def figures(scores: np.ndarray, predicted: np.ndarray, y: np.ndarray, threshold: float) -> Figures:
    return Figures(len(y), int(y.sum()), int(predicted.sum()), int((predicted & (y == 1)).sum()), threshold,
                   auc(scores, y), best_recall(scores, y, PRECISION_TARGET))


@dataclass(frozen=True)
class Fold:
    held_out: str
    scored: dict[str, Figures]  # by scorer, in table order
    weights: np.ndarray  # the full learned model's, standardised; intercept last


def run_folds(signals: Signals, pairs: list[Pair], x: np.ndarray, y: np.ndarray, precision: float,
              l2: float) -> list[Fold]:
    lexical_columns = [SIGNALS.index(s) for s in LEXICAL_ONLY]
    folds = []
    for source in signals.sources:
        test = np.array([p.involves(source) for p in pairs])
        train = ~test
        scored: dict[str, Figures] = {}
        models = []
        for name, columns in (("learned", list(range(len(SIGNALS)))), ("learned, lexical signals", lexical_columns)):
            model = fit(x[train][:, columns], y[train], l2)
            threshold = lowest_threshold(model.score(x[train][:, columns]), y[train], precision)
            held = model.score(x[test][:, columns])
            scored[name] = figures(held, held >= threshold, y[test], threshold)
            models.append(model)
        held_pairs = [p for p in pairs if p.involves(source)]
        for name, matcher in (("matcher", signals.lexical), ("matcher --embeddings", signals.blended)):
            # A vetoed pair is never merged, whatever its score: it ranks last.
            score = np.array([0.0 if matcher.vetoed(p.a, p.b) else matcher.similarity(p.a, p.b) for p in held_pairs])
            scored[name] = figures(score, score >= matcher.threshold, y[test], matcher.threshold)
        folds.append(Fold(source, scored, models[0].weights))
    return folds


def table(folds: list[Fold]) -> list[str]:
    head = ["held-out list", "scorer", "pairs", "same", "called same", "precision", "recall", "threshold",
            "target", "AUC", "ceiling R"]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for fold in folds:
        for name, f in fold.scored.items():
            threshold = "none reached" if math.isinf(f.threshold) else f"{f.threshold:.3f}"
            lines.append("| " + " | ".join([
                fold.held_out, name, str(f.pairs), str(f.positives), str(f.predicted), f"{f.precision:.3f}",
                f"{f.recall:.3f}", threshold, "meets" if f.meets else "misses", f"{f.auc:.3f}", f"{f.ceiling:.3f}",
            ]) + " |")
    return lines


def weight_lines(folds: list[Fold], x: np.ndarray, y: np.ndarray) -> list[str]:
    """Standardised weights (per standard deviation of the signal), mean and range over the folds,
    beside how well each signal alone ranks all judged pairs."""
    w = np.array([f.weights[:-1] for f in folds])
    order = np.argsort(-np.abs(w.mean(axis=0)))
    lines = ["| signal | mean weight | min | max | AUC alone |", "| --- | --- | --- | --- | --- |"]
    for i in order:
        lines.append(f"| {SIGNALS[i]} | {w[:, i].mean():+.2f} | {w[:, i].min():+.2f} | {w[:, i].max():+.2f} "
                     f"| {auc(x[:, i], y):.3f} |")
    return lines


def write_section(text: str, heading: str) -> None:
    """Put the section into bench/results.md, replacing one under the same heading."""
    current = RESULTS.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        current = pattern.sub(lambda _: text, current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current, encoding="utf-8")


def _commit() -> str:
    import subprocess

    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="also write the section into bench/results.md")
    parser.add_argument("--precision", type=float, default=0.97,
                        help="precision the threshold keeps on the training pairs (default 0.97)")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the standardised weights")
    parser.add_argument("--without-related", action="store_true",
                        help="leave `related` pairs out of training and scoring (a diagnostic)")
    args = parser.parse_args(argv)

    signals = Signals()
    pairs, gone = judged_pairs(signals)
    if args.without_related:
        pairs = [p for p in pairs if p.verdict != "related"]
    x = np.array([signals.row(p.a, p.b) for p in pairs])
    y = np.array([1.0 if p.same else 0.0 for p in pairs])
    folds = run_folds(signals, pairs, x, y, args.precision, args.l2)

    variant = ", `related` pairs left out" if args.without_related else ""
    heading = f"## Learned matcher, leave-one-source-out{variant} ({dt.date.today().isoformat()}, branch `loso`)"
    met = [f.held_out for f in folds if f.scored["learned"].meets]
    text = "\n".join([
        heading, "",
        f"Written by `bench/learn_matcher.py --precision {args.precision} --l2 {args.l2}"
        f"{' --without-related' if args.without_related else ''}` (commit {_commit()}). {len(pairs)} judged "
        f"pairs on today's refs ({int(y.sum())} `same`, {int(len(y) - y.sum())} "
        f"{'`different`' if args.without_related else '`related`/`different`'}; {gone} judgments no longer "
        "apply). For each list X, "
        "`learned` is a logistic model over the signals below fitted on the pairs with both refs outside X, "
        f"at the lowest threshold that keeps precision >= {args.precision} on those training pairs, scored "
        "on every judged pair that involves X; `learned, lexical signals` is the same without the "
        "embedding signals; `matcher` is today's hand-set lexical matcher at `matcher.threshold` (a vetoed "
        "pair is never same), `matcher --embeddings` the blended one. `AUC`: chance a `same` pair outscores "
        "one judged apart. `ceiling R`: the best recall any threshold reaches at precision >= 0.95 when "
        "picked on X itself: an upper bound for the scorer, not a result. Target per list: precision "
        ">= 0.95 and recall >= 0.80.", "",
        *table(folds), "",
        f"Target met by the learned model on: {', '.join(met) if met else 'no list'}.", "",
        "Learned weights (full model) per standard deviation of each signal, over the five folds, and how "
        "well each signal alone ranks all judged pairs (below 0.5: a lower value points to `same`):", "",
        *weight_lines(folds, x, y), "",
    ])
    print(text)
    if args.write:
        write_section(text, heading)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
