"""The learned priority model: features, fit + calibration, persistence, the prioritizer's reasons."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from models.priority import (
    FEATURES,
    EntityHistory,
    LearnedPrioritizer,
    PriorityModel,
    features,
    has_served_priority,
    served_prioritizer,
)
from screening.contract import Decision
from screening.errors import ModelError
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources, ScreeningContext
from training.priority_eval import evaluate_rows, matrix
from training.simulator import feature_rows


@pytest.fixture(scope="module")
def fitted() -> PriorityModel:
    X, y = matrix(feature_rows(1500, seed=21))
    return PriorityModel.fit(X, y)


def test_features_take_the_highest_confidence_and_count_by_severity():
    x = features("product", "enterprise", [("NAME_BRAND", 0.4), ("NAME_BRAND", 0.9), ("SALES_ZERO", 1.0),
                                            ("CHECK_FAILED", 1.0), ("NOT_A_CODE", 1.0)],
                 [0.7, 0.95], history=(3, 2))
    f = dict(zip(FEATURES, x))
    assert f["code:NAME_BRAND"] == 0.9 and f["code:SALES_ZERO"] == 1.0
    assert f["n:high"] == pytest.approx(np.log1p(2)) and f["n:block"] == pytest.approx(np.log1p(1))
    assert f["degraded"] == 1.0 and f["dup:max"] == 0.95
    assert f["hist:any"] == 1.0 and f["hist:rate"] == pytest.approx((2 + 1) / (3 + 3))
    assert f["stage:product"] == 1.0 and f["stage:entity"] == 0.0 and f["kind:enterprise"] == 1.0
    clean = features("entity", None, [])
    assert clean.sum() == 1.0  # only the stage


def test_fit_ranks_and_calibrates_unseen_decisions(fitted):
    held = feature_rows(2000, seed=22)
    m = evaluate_rows(fitted.predict_proba(matrix(held)[0]), held)
    assert m["roc_auc"] > 0.88
    assert m["ece"] < 0.06
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
    X, _ = matrix(feature_rows(200, seed=24))
    np.testing.assert_allclose(back.predict_proba(X), fitted.predict_proba(X))
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    config["features"] = config["features"][:-1]
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError):
        PriorityModel.load(tmp_path / "m")


def _ctx(contract_example, findings, *, submitted_at=None):
    form = dict(contract_example)
    if submitted_at is not None:
        form["submitted_at"] = submitted_at
    ctx = ScreeningContext(parse_submission(form), {}, Resources(), today=datetime.now().date())
    for code, conf in findings:
        ctx.add(code, "product.name", confidence=conf)
    return ctx


def test_prioritizer_gives_the_reasons_that_drove_the_score(fitted, contract_example):
    now = datetime(2026, 11, 20, 11, 0, tzinfo=timezone(timedelta(hours=8)))
    pri = LearnedPrioritizer(fitted, now=now)
    clean = pri.score(_ctx(contract_example, []), [])
    ctx = _ctx(contract_example, [("SALES_ZERO", 0.97), ("NAME_BRAND", 0.9), ("CHECK_SKIPPED", 1.0)])
    bad = pri.score(ctx, ctx.findings)
    assert bad.p_reject > 0.8 > 0.3 > clean.p_reject
    assert bad.score > clean.score
    assert set(bad.reasons[:2]) == {"SALES_ZERO", "NAME_BRAND"}
    assert "CHECK_SKIPPED" not in bad.reasons and clean.reasons == []
    assert bad.model == fitted.version == pri.version
    # a week later the review target is used up: time pressure lifts the score and is named
    late = LearnedPrioritizer(fitted, now=now + timedelta(days=7)).score(ctx, ctx.findings)
    assert late.score > bad.score and late.reasons[-1] == "TIME_PRESSURE"


def test_a_code_reviewers_keep_rejecting_is_no_reason(fitted, contract_example):
    # the simulator's NAME_ADJECTIVE fires on every 智能… name and reviewers mark it false positive
    ctx = _ctx(contract_example, [("NAME_ADJECTIVE", 0.8)])
    p = LearnedPrioritizer(fitted).score(ctx, ctx.findings)
    clean = LearnedPrioritizer(fitted).score(_ctx(contract_example, []), [])
    assert p.p_reject < clean.p_reject + 0.05
    assert "NAME_ADJECTIVE" not in p.reasons
    assert set(p.reasons) <= {"TIME_PRESSURE"}  # and an absent code is never a reason


def test_prioritizer_runs_in_the_pipeline(fitted, contract_example):
    report = Pipeline([], Resources(prioritizer=LearnedPrioritizer(fitted))).screen(parse_submission(contract_example), {})
    assert report.priority.model == fitted.version and report.models["priority"] == fitted.version
    assert 0 <= report.priority.p_reject <= 1


def test_no_alias_keeps_the_severity_prior_until_the_first_promotion(tmp_path, fitted, contract_example):
    from models.registry import Registry

    assert not has_served_priority(tmp_path)
    served = served_prioritizer(tmp_path, check_s=0.0)
    sub = parse_submission(contract_example)
    before = Pipeline([], Resources(prioritizer=served)).screen(sub, {})
    assert before.priority.model == "severity-prior@1"
    registry = Registry(tmp_path)
    info = registry.register("priority", fitted.save(tmp_path / "saved"))
    registry.promote("priority", info.version)
    after = Pipeline([], Resources(prioritizer=served)).screen(sub, {})  # no restart
    assert after.priority.model == fitted.version


def test_entity_history_counts_other_decided_submissions(store, contract_example):
    from screening.pipeline import Pipeline
    from screening.service import ScreeningService

    service = ScreeningService(Pipeline([]), store)
    for i in range(3):
        form = dict(contract_example, submission_id=f"H-{i}")
        service.screen(parse_submission(form), {}, actor="t")
    service.decide("H-0", Decision("returned", ["NAME_BRAND"]), actor="t")
    service.decide("H-1", Decision("approved"), actor="t")
    service.decide("H-1", Decision("rejected", ["SALES_ZERO"]), actor="t")  # supersedes the approval
    history = EntityHistory(store, refresh_s=0)
    uscc = contract_example["entity"]["uscc"]
    assert history.lookup(uscc) == (2, 2)
    assert history.lookup(uscc, exclude="H-0") == (1, 1)
    assert history.lookup("91110000000000000X") == (0, 0)
    warmed = EntityHistory(store, refresh_s=3600).warm()  # read in bulk at start-up, no refresh needed
    assert warmed.lookup(uscc) == (2, 2)
    service.decide("H-2", Decision("approved"), actor="t")
    assert history.lookup(uscc, exclude="H-9") == (3, 2)
