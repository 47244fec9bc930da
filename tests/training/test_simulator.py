"""The reviewer simulator: defects planted in the form as the rules describe them, noisy reviewers."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.parsing import parse_submission
from training.simulator import (
    SYSTEMATIC_FP,
    World,
    detect,
    feature_rows,
    patent_check,
    review,
    uscc_check,
)


@pytest.fixture(scope="module")
def cases():
    return World(seed=41).cases(1500)


def test_same_seed_same_world():
    a, b = World(seed=3).cases(50), World(seed=3).cases(50)
    assert [c.form for c in a] == [c.form for c in b] and [c.defects for c in a] == [c.defects for c in b]
    assert [c.form for c in World(seed=4).cases(50)] != [c.form for c in a]


def test_check_characters_follow_the_standards():
    # GB 32100-2015 and the CNIPA check digit, on codes published in DOMAIN.md / CONTRACT.md
    assert uscc_check("91440300MA5H3E0T3") == "W"
    assert patent_check("200410009081") == "8"
    assert patent_check("201710601862") == "3"


def test_every_form_parses_and_clean_forms_are_clean(cases):
    for case in cases:
        parse_submission(case.form)
        uscc = case.form["entity"]["uscc"]
        assert (uscc_check(uscc[:17]) != uscc[17]) == ("ENTITY_USCC_INVALID" in case.defects)
        product = case.form.get("product")
        if product is None:
            assert case.form["stage"] == "entity"
            continue
        for p in product["patents"]:
            digits = p["number"][2:14]
            assert (patent_check(digits) != p["number"][-1]) == ("PATENT_NUMBER_INVALID" in case.defects)
        assert (product["patents"] == []) == ("PATENT_MISSING" in case.defects)
        assert (product["figures_wan"]["sales"] == 0) == ("SALES_ZERO" in case.defects)


def test_planted_defects_show_in_the_form(cases):
    by_code = {}
    for case in cases:
        for code in case.defects:
            by_code.setdefault(code, []).append(case.form)
    for form in by_code["NAME_BRAND"]:
        assert form["product"]["name"].startswith(form["product"]["trademark"])
    assert all(f["product"]["name"].endswith(("方法", "工艺", "技术", "方案")) for f in by_code["NAME_METHOD"])
    assert all(("一种" in f["product"]["name"]) or f["product"]["name"].endswith(("等产品", "系列"))
               for f in by_code["NAME_VAGUE_WORDING"])
    assert all(f["entity"]["figures_wan"]["operating_revenue"] > 1e6 for f in by_code["STATEMENT_UNIT_ERROR"])
    assert all(f["entity"]["uscc"].startswith("92") or any(w in f["entity"]["name"] for w in ("分公司", "分厂", "办事处"))
               for f in by_code["ENTITY_INELIGIBLE"])
    assert len(by_code) >= 14  # the catalogue is exercised


def test_detectors_miss_some_defects_and_raise_false_alarms(cases):
    missed = alarms = systematic = 0
    for case in cases:
        found = {code for code, _, _ in detect(case)[0]}
        missed += len(set(case.defects) - found)
        alarms += len(found - set(case.defects) - {SYSTEMATIC_FP[0]})
        product = case.form.get("product")
        if product and SYSTEMATIC_FP[1] in product["name"]:
            systematic += 1
            assert SYSTEMATIC_FP[0] in found
    assert missed > 0 and alarms > 0 and systematic > 50


def test_reviewers_decide_by_the_rules_with_noise(cases):
    outcomes = Counter()
    for case in cases:
        found, _ = detect(case)
        findings = [{"code": c, "field": f, "confidence": conf} for c, f, conf in found]
        d = review(case, findings)
        truth = bool(case.defects)
        outcomes[(truth, d.decision != "approved")] += 1
        if d.decision != "approved":
            assert d.reason_codes
        if d.decision == "rejected":  # rejected only for a blocking defect that was caught
            from screening.codes import severity_of

            assert any(severity_of(c).value == "block" for c in d.reason_codes)
        for fb in d.feedback:
            assert (fb.verdict == "confirmed") == (findings[fb.finding]["code"] in case.defects)
    assert outcomes[(True, False)] > 0, "reviewers miss some defects"
    assert outcomes[(False, True)] > 0, "reviewers send back some clean submissions"
    sent_back = (outcomes[(True, True)] + outcomes[(False, True)]) / len(cases)
    assert 0.25 < sent_back < 0.5


def test_feature_rows_carry_the_entity_history():
    rows = feature_rows(600, seed=42)
    assert {r["label"] for r in rows} == {0, 1}
    assert any(r["history"][0] > 0 for r in rows)
    assert all(r["history"][1] <= r["history"][0] for r in rows)


FORM_RULE_CODES = {"ENTITY_USCC_INVALID", "ENTITY_INELIGIBLE", "ENTITY_FIGURES_INCONSISTENT", "PATENT_MISSING",
                   "PATENT_NUMBER_INVALID", "SALES_ZERO", "MODEL_VAGUE"}


def test_the_projects_rule_checks_agree_with_the_planted_form_defects():
    rules = pytest.importorskip("screening.checks.rules")
    from screening.pipeline import Pipeline, Resources

    pipeline = Pipeline(rules.rule_checks(), Resources())
    missed, extra = [], []
    for case in World(seed=43).cases(300):
        codes = {f.code for f in pipeline.screen(case.submission, {}).findings}
        planted = set(case.defects) & FORM_RULE_CODES
        missed += [(case.submission_id, c) for c in planted - codes]
        extra += [(case.submission_id, c) for c in (codes & FORM_RULE_CODES) - planted]
    assert missed == [] and extra == []


def test_a_findings_confidence_does_not_tell_true_from_false(cases):
    """Confidences are drawn from one distribution for true hits and false alarms, so a ranking
    by confidence alone is no better than chance: what the priority model scores comes from
    learning, not from ranges the simulator drew apart."""
    from sklearn.metrics import roc_auc_score

    truth, confidence, dup_truth, dup_score = [], [], [], []
    for case in cases:
        found, dups = detect(case)
        for code, _, conf in found:
            truth.append(int(code in case.defects))
            confidence.append(conf)
        for d in dups:
            dup_truth.append(int(d.submission_id == case.duplicate_of))
            dup_score.append(d.score)
    assert 0 < sum(truth) < len(truth)
    assert 0.42 < roc_auc_score(truth, confidence) < 0.58
    if 0 < sum(dup_truth) < len(dup_truth):
        assert 0.3 < roc_auc_score(dup_truth, dup_score) < 0.7
