"""The text-feedback filter on the REAL text models: learns a systematic false positive
(NAME_ADJECTIVE on standard 高效… goods names) from reviewers' verdicts, keeps true adjectives,
round-trips through save/load, and is applied by TextChecks once promoted."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from eval.text_feedback import HELD_ADJECTIVES, HELD_HEADS, TRAIN_HEADS, TRUE_ADJECTIVES
from models.base import Manifest
from models.registry import Registry
from models.text_feedback import ServedTextFeedback, TextFeedbackFilter, choose_threshold, rule_backed
from models.text_screener import TextScreener
from screening.checks.text import TextChecks
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources

PRODUCTS = ["电冰箱", "保温杯", "数控机床", "医用口罩", "光伏逆变器", "锂离子电池", "电饭煲", "门锁", "手环", "空调"]
HELD_PRODUCTS = ["洗衣机", "吸尘器", "电动牙刷", "按摩椅", "投影仪"]
FORM = {"submission_id": "2026-P-000777", "stage": "product", "submitted_at": "2026-11-20T10:00:00+08:00",
        "entity": {"uscc": "91440300MA5H3E0T3W", "name": "深圳市雄楚科技有限公司", "kind": "enterprise"},
        "product": {"name": "家用电冰箱", "models": ["BCD-520W"], "trademark": "雄楚",
                    "category": {"code": "3951010100", "name": "家用电冰箱"}, "intro": "双门风冷无霜冰箱。",
                    "patents": [{"number": "CN201710601862.3"}]},
        "documents": []}


@pytest.fixture(scope="module")
def screener():
    # the filter is taught on the raw tagger's findings: the calibration's per-code threshold,
    # which would already drop some of the planted 高效 spans, is left out here
    s = TextScreener.load_default()
    s.calibration = None
    return s


def feedback_rows(screener, names, verdict, start=0):
    """What reviewers' verdicts on the real screener's NAME_ADJECTIVE findings look like in the export."""
    rows = []
    for i, a in enumerate(screener.analyse_names(names)):
        for f in a.findings:
            if f.code == "NAME_ADJECTIVE":
                rows.append({"text": a.name, "code": f.code, "verdict": verdict, "field": f.field, "source": f.source,
                             "submission_id": f"S{start + i}", "revision": 1})
    return rows


@pytest.fixture(scope="module")
def trained(screener):
    fp = feedback_rows(screener, ["高效" + h for h in TRAIN_HEADS], "false_positive")
    ok = feedback_rows(screener, [a + p for a in TRUE_ADJECTIVES for p in PRODUCTS[:4]], "confirmed", 100)
    assert len(fp) == len(TRAIN_HEADS) and len(ok) >= 20  # the real tagger does flag every 高效 name
    rng = np.random.default_rng(0)
    rows = [r for _, r in sorted(zip(rng.random(len(fp) + len(ok)), fp + ok), key=lambda t: t[0])]
    held = feedback_rows(screener, [a + p for a in TRUE_ADJECTIVES for p in PRODUCTS[4:7]], "confirmed", 200)
    held += feedback_rows(screener, ["高效" + h for h in HELD_HEADS[:5]], "false_positive", 300)
    return TextFeedbackFilter.fit(rows, screener.embedder, holdout_rows=held)


def adjective_findings(screener, names):
    return {a.name: [f for f in a.findings if f.code == "NAME_ADJECTIVE"] for a in screener.analyse_names(names)}


def test_the_planted_false_positive_stops_and_true_adjectives_keep_firing(screener, trained):
    assert trained.codes == ["NAME_ADJECTIVE"]
    assert trained.filters["NAME_ADJECTIVE"].threshold >= 0.7
    planted = adjective_findings(screener, ["高效" + h for h in HELD_HEADS[5:]])  # product words never trained on
    assert all(planted.values())
    dropped = sum(not trained.apply(fs, {"name": n})[0] for n, fs in planted.items())
    assert dropped >= 0.8 * len(planted)
    true = adjective_findings(screener, [a + p for a in HELD_ADJECTIVES for p in HELD_PRODUCTS])
    fired = {n: fs for n, fs in true.items() if fs}
    assert len(fired) >= 0.8 * len(true)
    kept = [n for n, fs in fired.items() if trained.apply(fs, {"name": n})[0]]
    assert kept == list(fired)


def test_exact_rule_findings_are_never_dropped(screener, trained):
    (a,) = screener.analyse_names(["精品高效过滤器"])
    found = [f for f in a.findings if f.code == "NAME_ADJECTIVE"]
    # the tagger found 精品 too (the finding's source is the tagger), but 精品 is in the exact lexicon
    assert found and rule_backed("NAME_ADJECTIVE", a.name) and not rule_backed("NAME_ADJECTIVE", "高效过滤器")
    assert trained.apply(found, {"name": a.name})[0] == found


def test_one_sided_or_scarce_codes_get_no_classifier(screener):
    rows = feedback_rows(screener, ["高效" + h for h in TRAIN_HEADS], "false_positive")
    assert TextFeedbackFilter.fit(rows, screener.embedder).codes == []  # reviewers never confirmed one: no basis
    assert choose_threshold(np.array([0.2, 0.95])) >= 0.97 and choose_threshold(np.array([])) == 0.7


def test_save_load_round_trip(tmp_path, screener, trained):
    trained.manifest = Manifest(name="text-feedback", version="t1", kind=TextFeedbackFilter.kind, data_hash="abc",
                                metrics={"holdout": {}})
    trained.save(tmp_path / "m")
    back = TextFeedbackFilter.load(tmp_path / "m").bind(screener.embedder)
    assert back.version == "text-feedback@t1" and back.manifest.data_hash == "abc"
    names = ["高效" + h for h in HELD_HEADS] + [a + p for a in HELD_ADJECTIVES for p in HELD_PRODUCTS]
    np.testing.assert_allclose(back.proba("NAME_ADJECTIVE", names), trained.proba("NAME_ADJECTIVE", names), atol=1e-6)
    assert back.filters["NAME_ADJECTIVE"].threshold == trained.filters["NAME_ADJECTIVE"].threshold
    assert {p.name for p in (tmp_path / "m").iterdir()} >= {"weights.npz", "config.json", "manifest.json"}


def test_text_checks_apply_the_served_filter_from_the_first_promotion(tmp_path, screener, trained):
    trained.manifest = Manifest(name="text-feedback", version="t2", kind=TextFeedbackFilter.kind)
    trained.save(tmp_path / "t2")
    registry = Registry(tmp_path / "registry")
    served = ServedTextFeedback(registry.root, screener.embedder)
    served.served.check_s = 0.0
    pipeline = Pipeline([TextChecks()], Resources(text=screener, text_feedback=served))
    form = copy.deepcopy(FORM)
    form["product"]["name"] = "高效液相色谱仪"
    before = pipeline.screen(parse_submission(form), {})
    assert served.version == "none" and "NAME_ADJECTIVE" in {f.code for f in before.findings}

    registry.register("text-feedback", tmp_path / "t2")
    registry.promote("text-feedback", "t2")  # no restart: the service follows the alias
    after = pipeline.screen(parse_submission(form), {})
    assert "NAME_ADJECTIVE" not in {f.code for f in after.findings}
    assert after.extracted["text_feedback_dropped"][0]["filter"] == "text-feedback@t2"
    form["product"]["name"] = "豪华电冰箱"  # a true adjective still fires with the filter in service
    assert "NAME_ADJECTIVE" in {f.code for f in pipeline.screen(parse_submission(form), {}).findings}
