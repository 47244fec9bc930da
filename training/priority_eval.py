"""Measuring a priority model: metrics, the fixed evaluation sets, the severity-prior baseline.

Metrics over snapshot rows (``training.priority.build_snapshot``'s shape):

- ``roc_auc``, ``pr_auc`` (average precision) of P(sent back);
- ``ece``: expected calibration error, 10 equal-width bins, weighted by bin size;
- ``brier``: mean squared error of the probability;
- ``lift_top20``: share sent back among the top 20% by probability, divided by the share among
  the first 20% by arrival (``submitted_at``) — how much better the learned queue is than
  first-come first-served at putting the submissions to send back in front of reviewers.

Fixed evaluation sets are what every candidate and the model in service are compared on:

- ``sim-v1``: 3,000 simulated decisions (``training.simulator.feature_rows(3000, seed=1_000_001)``),
  the same rows on every machine (its hash is recorded);
- every ``<registry>/evalsets/priority/<name>.jsonl.gz``: a hold-out of real decisions frozen
  by ``prescreen train priority --freeze-holdout NAME``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from models.base import sha256_rows
from screening.learned_priority import features
from screening.priority import p_reject_prior

GATE = {"roc_auc": "max", "brier": "min"}
SIM_SET = ("sim-v1", 3000, 1_000_001)
EVALSETS = Path("evalsets") / "priority"


def matrix(rows: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.zeros((0, len(features(None, None, [])))), np.zeros(0, dtype=np.int64)
    X = np.stack([features(r["stage"], r["kind"], r["findings"], r["duplicates"], tuple(r["history"])) for r in rows])
    return X, np.array([r["label"] for r in rows], dtype=np.int64)


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.mean() * abs(p[mask].mean() - y[mask].mean())
    return float(total)


def lift_top(p: np.ndarray, y: np.ndarray, arrival: np.ndarray, share: float = 0.2) -> float | None:
    k = max(1, int(round(len(y) * share)))
    learned = y[np.argsort(-p, kind="stable")[:k]].mean()
    fifo = y[np.argsort(arrival, kind="stable")[:k]].mean()
    return float(learned / fifo) if fifo > 0 else None


def evaluate_rows(p: np.ndarray, rows: Sequence[dict]) -> dict:
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.array([r["label"] for r in rows], dtype=np.int64)
    p = np.asarray(p, dtype=np.float64)
    out = {"n": int(len(y)), "sent_back": round(float(y.mean()), 4) if len(y) else None}
    if len(y) == 0 or len(np.unique(y)) < 2:
        return {**out, "roc_auc": None, "pr_auc": None, "ece": None, "brier": None, "lift_top20": None}
    arrival = np.array([str(r.get("submitted_at") or "") + f"{r['order']:012d}" for r in rows])
    lift = lift_top(p, y, np.argsort(np.argsort(arrival)))
    return {**out, "roc_auc": round(float(roc_auc_score(y, p)), 4), "pr_auc": round(float(average_precision_score(y, p)), 4),
            "ece": round(ece(p, y), 4), "brier": round(float(np.mean((p - y) ** 2)), 4),
            "lift_top20": round(lift, 3) if lift is not None else None}


def severity_prior_p(rows: Sequence[dict]) -> np.ndarray:
    """The severity prior's P(sent back) for each row (the baseline before any decisions)."""
    return np.array([
        p_reject_prior([SimpleNamespace(code=c, confidence=conf) for c, conf in r["findings"]])[0] for r in rows
    ])


@lru_cache(maxsize=4)
def _simulated(n: int, seed: int) -> tuple[str, tuple]:
    from .simulator import feature_rows

    rows = feature_rows(n, seed)
    return sha256_rows(rows), tuple(rows)


def fixed_sets(registry_root: Path | None) -> dict[str, tuple[str, list[dict]]]:
    """name -> (content hash, rows) of every fixed evaluation set."""
    name, n, seed = SIM_SET
    digest, rows = _simulated(n, seed)
    out = {name: (digest, list(rows))}
    folder = Path(registry_root) / EVALSETS if registry_root is not None else None
    if folder is not None and folder.is_dir():
        from .priority import read_rows

        for path in sorted(folder.glob("*.jsonl.gz")):
            frozen = read_rows(path)
            out[path.name[: -len(".jsonl.gz")]] = (sha256_rows(frozen), frozen)
    return out


def freeze_set(registry_root: Path, name: str, rows: list[dict]) -> Path:
    from .priority import write_rows

    path = Path(registry_root) / EVALSETS / f"{name}.jsonl.gz"
    if path.exists():
        from screening.errors import Conflict

        raise Conflict(f"fixed evaluation set {name} exists; fixed sets are never overwritten", field="--freeze-holdout")
    return write_rows(path, rows)


def evaluate_serving(model_dir: Path, sets: dict[str, tuple[str, list[dict]]]) -> dict:
    """A registered version on the fixed sets; the built-in severity prior (models/weights/priority) too."""
    from screening.learned_priority import load_priority_model

    model = load_priority_model(model_dir)
    predict = severity_prior_p if model is None else (lambda rows: model.predict_proba(matrix(rows)[0]))
    return {name: {"hash": h, **evaluate_rows(predict(rows), rows)} for name, (h, rows) in sets.items()}


def evaluate_fixed(model_dir: Path, registry_root: Path | None = None) -> dict:
    """A model folder measured afresh on today's fixed sets (the registry's promotion gate uses it)."""
    return evaluate_serving(model_dir, fixed_sets(registry_root))
