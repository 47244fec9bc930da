"""The priority model: a calibrated chance that a submission is sent back, from a feature row.

    model = PriorityModel.fit(X, y, feature_names=names)   # y: 1 = sent back
    p = model.predict_proba(X)

A logistic regression over standardised features, calibrated on out-of-fold predictions
(isotonic when there are enough decisions, Platt scaling otherwise). Everything is stored as
JSON and npz — coefficients, scaler, calibration curve, the feature names — never pickle, so
a model file cannot run code when it is loaded.

The model knows nothing of findings or stages: the feature row, the reasons and the
prioritizer that puts the model in the screening pipeline are ``screening.learned_priority``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .base import Manifest, Model
from .errors import ModelError

WEIGHTS_FILE = "weights.npz"


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


class PriorityModel(Model):
    kind = "priority"

    def __init__(self, coef: np.ndarray, intercept: float, mean: np.ndarray, scale: np.ndarray,
                 calibration: dict[str, Any], feature_names: Sequence[str] | None = None,
                 manifest: Manifest | None = None) -> None:
        super().__init__(manifest or Manifest(name="priority", version="untrained", kind=self.kind))
        self.feature_names = list(feature_names) if feature_names is not None else [f"f{i}" for i in range(len(coef))]
        if len(self.feature_names) != len(coef):
            raise ModelError("the model's feature names do not match its weights")
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.calibration = calibration  # {"method": "isotonic", "x": [...], "y": [...]} or {"method": "platt", "a", "b"}

    # ------------------------------------------------------------------ training
    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, *, feature_names: Sequence[str] | None = None, C: float = 1.0,
            calibration: str = "auto", folds: int = 5, seed: int = 0) -> "PriorityModel":
        """Logistic regression + calibration on out-of-fold logits. ``y``: 1 = sent back.
        ``feature_names`` name the columns of ``X`` (stored with the weights and checked by
        whoever serves the model against the features it computes)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        if len(np.unique(y)) < 2:
            raise ModelError("the training data holds only one kind of decision")
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale < 1e-9] = 1.0
        Z = (X - mean) / scale

        def lr():
            return LogisticRegression(C=C, max_iter=2000)

        folds = max(2, min(folds, int(np.bincount(y).min())))
        oof = np.zeros(len(y))
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(Z, y):
            m = lr().fit(Z[train], y[train])
            oof[test] = m.decision_function(Z[test])
        full = lr().fit(Z, y)
        method = calibration if calibration != "auto" else ("isotonic" if len(y) >= 1000 else "platt")
        if method == "isotonic":
            from sklearn.isotonic import IsotonicRegression

            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(oof, y)
            cal = {"method": "isotonic", "x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}
        elif method == "platt":
            platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof.reshape(-1, 1), y)
            cal = {"method": "platt", "a": float(platt.coef_[0, 0]), "b": float(platt.intercept_[0])}
        else:
            raise ModelError(f"unknown calibration {method!r}")
        return cls(full.coef_[0], float(full.intercept_[0]), mean, scale, cal, feature_names)

    # ------------------------------------------------------------------ prediction
    def logits(self, X: np.ndarray) -> np.ndarray:
        return ((np.atleast_2d(X) - self.mean) / self.scale) @ self.coef + self.intercept

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        cal = self.calibration
        if cal["method"] == "isotonic":
            # centre the step function's flats between thresholds: piecewise-linear, as sklearn does
            return np.clip(np.interp(logits, cal["x"], cal["y"]), 0.0, 1.0)
        return _sigmoid(cal["a"] * logits + cal["b"])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(sent back) for each row."""
        return self.calibrate(self.logits(X))

    # ------------------------------------------------------------------ persistence
    def config(self) -> dict[str, Any]:
        return {"features": self.feature_names, "calibration": self.calibration, "intercept": self.intercept}

    def _save_weights(self, directory: Path) -> None:
        np.savez(directory / WEIGHTS_FILE, coef=self.coef, mean=self.mean, scale=self.scale)

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "PriorityModel":
        try:
            with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as w:
                coef, mean, scale = w["coef"], w["mean"], w["scale"]
        except FileNotFoundError:
            raise ModelError(f"no {WEIGHTS_FILE} in {directory}") from None
        return cls(coef, config["intercept"], mean, scale, config["calibration"], config["features"], manifest)

    def with_features(self, names: Sequence[str]) -> "PriorityModel":
        """The same model over a longer feature list: every feature it was trained on keeps its
        weight, a feature it never saw weighs nothing (mean 0, scale 1). Refused when the model
        has a feature ``names`` lacks: its weight would be lost."""
        lost = [n for n in self.feature_names if n not in set(names)]
        if lost:
            raise ModelError(f"the model's features {lost[:3]} are not among the features computed now")
        at = {n: i for i, n in enumerate(self.feature_names)}
        pick = lambda values, default: np.array([values[at[n]] if n in at else default for n in names])  # noqa: E731
        return PriorityModel(pick(self.coef, 0.0), self.intercept, pick(self.mean, 0.0), pick(self.scale, 1.0),
                             self.calibration, names, self.manifest)

    def top_weights(self, n: int = 15) -> list[tuple[str, float]]:
        """The features with the largest standardised weights (for the model card)."""
        order = np.argsort(-np.abs(self.coef))[:n]
        return [(self.feature_names[i], round(float(self.coef[i]), 4)) for i in order]
