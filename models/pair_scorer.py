"""The duplicate pair scorer: features of two filings -> probability they are the same product.

A logistic regression over the pair features of ``screening.duplicates.filing.pair_features``
(embedding cosine, name and introduction overlap, model-code relation, same entity, photo hash
distance, a differing generation marker) plus a few products of them, so a linear model can say
"close text AND another model line is NOT a duplicate"; shared patents count only through their
product with the name / model / photo likeness. Weights are LEARNED from labelled pairs
(``train_pair_scorer``: generated pairs now, reviewers' confirmations later) and stored as
plain JSON numbers (no pickle): means, scales, coefficients, intercept, and the decision
threshold chosen on a validation split.

    scorer = PairScorer.load_default()
    p = scorer.probability(features)          # one dict
    P = scorer.probabilities([f1, f2, ...])   # many
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .base import Manifest, Model, sha256_rows
from .errors import ModelError

DEFAULT_DIR = Path(__file__).resolve().parent / "weights" / "pair-scorer"
WEIGHTS = "weights.json"

# The shared-patent signals (patent_shared, patent_jaccard) are NOT linear terms: one patent may
# serve several products ("一项专利可以对应多个产品"), so two filings listing the same patent are
# one product only if they also look alike. They enter only multiplied by ``likeness`` (derived
# below from name, model code and photo), which is 0 for an air conditioner and a refrigerator
# however many patents they share: the score cannot move with the patents alone.
BASE_FEATURES = (
    "cosine", "name_equal", "name_jaccard", "intro_jaccard", "intro_missing",
    "model_same", "model_variant", "model_different", "model_unknown",
    "patent_missing", "same_entity",
    "photo_copy", "photo_distance", "photo_missing", "generation_differs", "likeness",
)
DERIVED = ("likeness",)
# products the linear model needs: text closeness means little once the lines differ
INTERACTIONS = (
    ("cosine", "model_different"), ("cosine", "model_unknown"), ("cosine", "model_same"), ("cosine", "model_variant"),
    ("name_jaccard", "model_different"), ("name_jaccard", "model_unknown"), ("cosine", "cosine"),
    ("photo_copy", "model_different"), ("same_entity", "model_different"),
    ("patent_shared", "likeness"), ("patent_jaccard", "likeness"),
)
# what a pair of filings is measured by (``pair_features``, and a finding's stored ``signals``):
# the base features less the derived ones, plus the inputs only the interactions use
SIGNALS = tuple(n for n in BASE_FEATURES if n not in DERIVED) + tuple(dict.fromkeys(
    x for pair in INTERACTIONS for x in pair if x not in BASE_FEATURES))


def likeness(f: dict[str, float]) -> float:
    """How far the two filings look like one product by name, model code or photo (0..1): the
    gate the shared patents must pass to count. Computed from the pair features, so a finding's
    stored ``signals`` (and reviewers' pairs made from them) need nothing new."""
    return max(float(f.get("name_equal", 0.0)), float(f.get("name_jaccard", 0.0)),
               float(f.get("model_same", 0.0)), float(f.get("model_variant", 0.0)), float(f.get("photo_copy", 0.0)))


@dataclass
class LabelledPair:
    """A pair's features and whether it is one product (1) or two (0).

    ``features`` is the dict ``pair_features`` returns — also what a DUPLICATE_FILING finding
    carries as ``evidence["signals"]``, so a reviewer's confirmed or rejected finding becomes
    a training pair as it is."""

    features: dict[str, float]
    label: int
    kind: str = ""  # how the pair was made (generated type, or "reviewer")
    weight: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)


def feature_names() -> list[str]:
    return list(BASE_FEATURES) + [f"{a}*{b}" for a, b in INTERACTIONS]


def vectorise(rows: list[dict[str, float]]) -> np.ndarray:
    out = np.zeros((len(rows), len(BASE_FEATURES) + len(INTERACTIONS)), dtype=np.float64)
    for i, f in enumerate(rows):
        f = {**f, "likeness": likeness(f)}
        base = [float(f.get(n, 0.0)) for n in BASE_FEATURES]
        out[i, : len(base)] = base
        for j, (a, b) in enumerate(INTERACTIONS):
            out[i, len(base) + j] = float(f.get(a, 0.0)) * float(f.get(b, 0.0))
    return out


class PairScorer(Model):
    kind = "pair-scorer"

    def __init__(self, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float,
                 threshold: float = 0.5, manifest: Manifest | None = None) -> None:
        super().__init__(manifest)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.threshold = float(threshold)

    def probabilities(self, rows: list[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        z = ((vectorise(rows) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def probability(self, features: dict[str, float]) -> float:
        return float(self.probabilities([features])[0])

    def is_duplicate(self, features: dict[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def contributions(self, features: dict[str, float], top: int = 5) -> list[tuple[str, float]]:
        """The terms that moved this pair's score most, as (feature name, log-odds against the
        average pair), largest first: what a reviewer reads as "why the score". A product term is
        named ``a*b`` (e.g. ``patent_shared*likeness``)."""
        z = ((vectorise([features]) - self.mean) / self.scale)[0] * self.coef
        order = np.argsort(-np.abs(z))[:top]
        names = feature_names()
        return [(names[i], round(float(z[i]), 3)) for i in order if abs(z[i]) >= 0.05]

    def weights_by_feature(self) -> dict[str, float]:
        """Coefficients on the standardised features, for reading what the model learned."""
        return {n: round(float(c), 4) for n, c in zip(feature_names(), self.coef)}

    # --- Model contract ---------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {"features": feature_names(), "threshold": self.threshold, "model": "logistic-regression"}

    def _save_weights(self, directory: Path) -> None:
        body = {"features": feature_names(), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold}
        (directory / WEIGHTS).write_text(json.dumps(body, indent=1), encoding="utf-8")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "PairScorer":
        body = json.loads((directory / WEIGHTS).read_text(encoding="utf-8"))
        if body["features"] != feature_names():
            raise ModelError(f"{directory}: weights were trained on other features; retrain the pair scorer")
        return cls(np.array(body["mean"]), np.array(body["scale"]), np.array(body["coef"]), body["intercept"],
                   body["threshold"], manifest=manifest)

    @classmethod
    def load_default(cls) -> "PairScorer":
        return cls.load(DEFAULT_DIR)


def train_pair_scorer(pairs: list[LabelledPair], *, C: float = 1.0, validation_share: float = 0.2, seed: int = 0,
                      version: str = "untrained", min_precision: float = 0.98) -> PairScorer:
    """Fit the logistic regression on labelled pairs and choose its threshold.

    The threshold is chosen on a random validation share as the one with the highest recall
    among those reaching ``min_precision`` (the best F1 if none does); the weights are then
    refitted on all pairs. Plain function: the retraining job calls it with reviewers' pairs."""
    from sklearn.linear_model import LogisticRegression

    if len({p.label for p in pairs}) < 2:
        raise ValueError("training pairs need both labels")
    X = vectorise([p.features for p in pairs])
    y = np.array([int(p.label) for p in pairs])
    w = np.array([float(p.weight) for p in pairs])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    rng = np.random.default_rng(seed)
    is_val = rng.random(len(y)) < validation_share
    if len(set(y[~is_val])) < 2 or len(set(y[is_val])) < 2:
        is_val[:] = False

    def fit(mask):
        lr = LogisticRegression(C=C, max_iter=2000)
        lr.fit(Z[mask], y[mask], sample_weight=w[mask])
        return lr

    threshold = 0.5
    if is_val.any():
        lr = fit(~is_val)
        threshold = choose_threshold(lr.predict_proba(Z[is_val])[:, 1], y[is_val], min_precision=min_precision)
    lr = fit(np.ones(len(y), dtype=bool))
    manifest = Manifest(
        name="pair-scorer", version=version, kind=PairScorer.kind,
        data_hash=sha256_rows({"f": p.features, "y": p.label, "w": p.weight} for p in pairs),
        recipe={"model": "sklearn LogisticRegression", "C": C, "validation_share": validation_share, "seed": seed,
                "min_precision": min_precision, "pairs": len(pairs), "positives": int(y.sum())},
    )
    return PairScorer(mean, scale, lr.coef_[0], float(lr.intercept_[0]), threshold, manifest=manifest)


def choose_threshold(p: np.ndarray, y: np.ndarray, *, min_precision: float = 0.97) -> float:
    """The middle (in log-odds) of the thresholds with the best F1 among those reaching
    ``min_precision`` (the best F1 overall if none does): the middle of the gap between the
    classes, not its edge, so that unseen pairs have room on both sides."""
    grid = 1.0 / (1.0 + np.exp(-np.arange(-7.0, 7.0001, 0.05)))
    rows = []
    for t in grid:
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        prec = tp / max(float(pred.sum()), 1.0)
        rec = tp / max(float((y == 1).sum()), 1.0)
        rows.append((t, prec, 2 * prec * rec / max(prec + rec, 1e-9)))
    pool = [r for r in rows if r[1] >= min_precision] or rows
    best = max(r[2] for r in pool)
    ts = [r[0] for r in pool if r[2] >= best - 1e-9]
    logits = np.log(np.array(ts) / (1 - np.array(ts)))
    return float(1.0 / (1.0 + math.exp(-float(np.median(logits)))))


def pair_metrics(scorer, pairs) -> dict:
    """Precision, recall and F1 at the scorer's threshold; per-kind accuracy and error count."""
    p = scorer.probabilities([x.features for x in pairs])
    y = np.array([x.label for x in pairs])
    pred = p >= scorer.threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    by_kind: dict[str, dict] = {}
    for kind in sorted({x.kind for x in pairs}):
        idx = [i for i, x in enumerate(pairs) if x.kind == kind]
        by_kind[kind] = {"n": len(idx), "label": int(y[idx[0]]), "accuracy": round(float((pred[idx] == (y[idx] == 1)).mean()), 4)}
    errors = [{"kind": x.kind, "label": x.label, "p": round(float(pi), 4), **x.meta}
              for x, pi, pr in zip(pairs, p, pred) if pr != bool(x.label)]
    return {"n": len(pairs), "positives": int(y.sum()), "threshold": round(scorer.threshold, 4),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4), "tp": tp, "fp": fp, "fn": fn,
            "by_kind": by_kind, "errors": errors}


class ServedPairScorer:
    """The pair scorer the registry's ``pair-scorer`` alias names, else the shipped weights.

    Same interface as ``PairScorer`` (``probabilities``, ``probability``, ``is_duplicate``,
    ``threshold``, ``version``); a promotion or rollback is picked up within ``check_s`` seconds
    (``models.registry.ServedModel``: one stat a second, one reference swapped), the first
    promotion included. A caller that reads ``threshold`` and then ``probabilities`` may see a
    swap in between once; both are consistent again from the next call on."""

    def __init__(self, registry_dir, *, check_s: float = 1.0, fallback: PairScorer | None = None) -> None:
        from .registry import Registry, ServedModel

        self._served = ServedModel(Registry(registry_dir), "pair-scorer", PairScorer.load, check_s=check_s)
        self._fallback = fallback

    def current(self) -> PairScorer:
        model = self._served.current()
        if model is not None:
            return model
        if self._fallback is None:
            self._fallback = PairScorer.load_default()
        return self._fallback

    @property
    def version(self) -> str:
        return self.current().version

    @property
    def threshold(self) -> float:
        return self.current().threshold

    def probabilities(self, rows: list[dict[str, float]]) -> np.ndarray:
        return self.current().probabilities(rows)

    def probability(self, features: dict[str, float]) -> float:
        return self.current().probability(features)

    def is_duplicate(self, features: dict[str, float]) -> bool:
        return self.current().is_duplicate(features)

    def contributions(self, features: dict[str, float], top: int = 5) -> list[tuple[str, float]]:
        return self.current().contributions(features, top)


def served_pair_scorer(registry_dir, *, check_s: float = 1.0) -> ServedPairScorer:
    """For ``screening.resources``: the registry's promoted pair scorer, hot-swapped; the
    shipped weights (models/weights/pair-scorer) until one is promoted."""
    return ServedPairScorer(registry_dir, check_s=check_s)
