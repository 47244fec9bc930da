"""The priority model: fit + calibration, persistence (no pickle, feature names kept)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.errors import ModelError
from models.priority import PriorityModel
from screening.learned_priority import FEATURES
from training.priority_eval import evaluate_rows, matrix
from training.simulator import feature_rows


@pytest.fixture(scope="module")
def fitted() -> PriorityModel:
    X, y = matrix(feature_rows(1500, seed=21))
    return PriorityModel.fit(X, y, feature_names=FEATURES)


def test_fit_ranks_and_calibrates_unseen_decisions(fitted):
    """The headline evaluation, small: held-out simulated decisions whose finding confidences do
    not separate the classes (training/simulator.py), so the margin over the severity prior is
    what the model learned."""
    from training.priority_eval import severity_prior_p

    held = feature_rows(2000, seed=22)
    m = evaluate_rows(fitted.predict_proba(matrix(held)[0]), held)
    prior = evaluate_rows(severity_prior_p(held), held)
    assert m["roc_auc"] > 0.90
    assert m["roc_auc"] > prior["roc_auc"] + 0.01
    assert m["ece"] < 0.05 and prior["ece"] > 0.08
    assert m["lift_top20"] > 2.0


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibrated_probabilities_are_monotone_in_the_logit(method):
    X, y = matrix(feature_rows(600, seed=23))
    model = PriorityModel.fit(X, y, calibration=method)
    logits = np.linspace(-8, 8, 101)
    p = model.calibrate(logits)
    assert model.calibration["method"] == method
    assert ((0 <= p) & (p <= 1)).all() and (np.diff(p) >= -1e-12).all()


def test_one_kind_of_decision_cannot_train():
    X, _ = matrix(feature_rows(50, seed=1))
    with pytest.raises(ModelError):
        PriorityModel.fit(X, np.zeros(len(X), dtype=int))


def test_save_and_load_give_the_same_predictions_without_pickle(fitted, tmp_path):
    fitted.save(tmp_path / "m")
    names = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert names == ["config.json", "manifest.json", "weights.npz"]
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as w:
        assert set(w.files) == {"coef", "mean", "scale"}
    back = PriorityModel.load(tmp_path / "m")
    assert back.feature_names == list(FEATURES)
    X, _ = matrix(feature_rows(200, seed=24))
    np.testing.assert_allclose(back.predict_proba(X), fitted.predict_proba(X))
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    config["features"] = config["features"][:-1]
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError):
        PriorityModel.load(tmp_path / "m")
