"""The learned priority in the pipeline: the feature row, the reasons, the entity's history, the
served prioritizer (severity prior until the first promotion) and its feature-list check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from models.priority import PriorityModel
from screening.contract import Decision
from screening.errors import ModelError
from screening.learned_priority import (
    FEATURES,
    EntityHistory,
    LearnedPrioritizer,
    features,
    has_served_priority,
    load_priority_model,
    served_prioritizer,
)
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources, ScreeningContext
from training.priority_eval import matrix
from training.simulator import feature_rows


@pytest.fixture(scope="module")
def fitted() -> PriorityModel:
    X, y = matrix(feature_rows(1500, seed=21))
    return PriorityModel.fit(X, y, feature_names=FEATURES)


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
    from functools import partial

    from models.registry import Registry
    from training.priority_eval import evaluate_fixed

    assert not has_served_priority(tmp_path)
    served = served_prioritizer(tmp_path, check_s=0.0)
    sub = parse_submission(contract_example)
    before = Pipeline([], Resources(prioritizer=served)).screen(sub, {})
    assert before.priority.model == "severity-prior@1"
    registry = Registry(tmp_path)
    assert registry.in_service("priority") == "severity-prior-1"  # the shipped first version
    info = registry.register("priority", fitted.save(tmp_path / "saved"))
    # gated against the severity prior, both measured afresh on the fixed sets
    registry.promote("priority", info.version, evaluate=partial(evaluate_fixed, registry_root=tmp_path))
    after = Pipeline([], Resources(prioritizer=served)).screen(sub, {})  # no restart
    assert after.priority.model == fitted.version and after.models["priority"] == fitted.version
    registry.rollback("priority")  # back to the shipped severity prior, also without a restart
    again = Pipeline([], Resources(prioritizer=served)).screen(sub, {})
    assert again.priority.model == "severity-prior@1" == again.models["priority"]


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


def test_a_model_trained_on_another_feature_list_is_refused(tmp_path):
    X, y = matrix(feature_rows(300, seed=25))
    PriorityModel.fit(X[:, :-1], y).save(tmp_path / "other")  # unnamed columns, one fewer
    with pytest.raises(ModelError, match="another feature list"):
        load_priority_model(tmp_path / "other")
    PriorityModel.fit(X, y, feature_names=FEATURES).save(tmp_path / "same")
    assert load_priority_model(tmp_path / "same").feature_names == list(FEATURES)


def test_a_model_trained_before_a_code_was_added_serves_on_without_it(tmp_path):
    """A version that adds a finding code must not stop a promoted model from loading: the new
    code weighs nothing in it, everything it knew scores as before."""
    X, y = matrix(feature_rows(300, seed=26))
    added = FEATURES.index("code:DOCUMENT_KIND_WRONG")  # stands in for a code added after training
    older = [n for i, n in enumerate(FEATURES) if i != added]
    old = PriorityModel.fit(np.delete(X, added, axis=1), y, feature_names=older)
    old.save(tmp_path / "older")
    served = load_priority_model(tmp_path / "older")
    assert served.feature_names == list(FEATURES) and served.coef[added] == 0.0
    assert served.version == old.version
    rows = X[:20].copy()
    rows[:, added] = 0.9  # the new code present: no effect of its own
    np.testing.assert_allclose(served.predict_proba(rows), old.predict_proba(np.delete(rows, added, axis=1)))
    # a feature this version no longer computes (a code removed) is refused, not dropped silently
    gone = PriorityModel.fit(np.hstack([X, X[:, :1]]), y, feature_names=[*FEATURES, "code:GONE"])
    gone.save(tmp_path / "gone")
    with pytest.raises(ModelError, match="another feature list"):
        load_priority_model(tmp_path / "gone")
