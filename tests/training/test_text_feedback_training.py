"""prescreen train text-feedback: the hold-out split, the fixed-set gate, and a whole training run
on reviewers' verdicts over the real text models' findings (registered, gated, promoted or refused)."""

from __future__ import annotations

import zlib

import pytest

from eval.text_feedback import HELD_HEADS, TRAIN_HEADS, TRUE_ADJECTIVES
from models.base import Manifest
from models.registry import PromotionRefused, Registry
from models.text_feedback import TextFeedbackFilter
from training.text_feedback import GATE_TOLERANCE, NAME, FixedSets, compare_fixed, gate, split_rows, train_text_feedback


def fixed(adjective_f1: float, brand_f1: float) -> dict:
    return {"text-generated": {"hash": "h", "macro_f1": 0.9, "f1:NAME_ADJECTIVE": adjective_f1, "f1:NAME_BRAND": brand_f1},
            "text-real": {"hash": "h", "jd_brand_recall": 0.91}}


def test_split_keeps_a_revisions_findings_together_and_holds_out_the_newest():
    rows = [{"submission_id": f"S{i // 2}", "revision": 1, "text": str(i)} for i in range(20)]  # two findings each
    train, held = split_rows(rows, 0.2)
    assert [r["submission_id"] for r in held] == ["S8", "S8", "S9", "S9"] and len(train) == 16


def test_the_gate_refuses_a_candidate_that_lowers_another_codes_f1(tmp_path):
    registry = Registry(tmp_path)
    for version, metrics in (("v1", fixed(0.98, 0.95)), ("v2", fixed(0.99, 0.93)), ("v3", fixed(0.99, 0.945))):
        model = TextFeedbackFilter({}, Manifest(name=NAME, version=version, kind=TextFeedbackFilter.kind,
                                                metrics={"fixed": metrics, "gate": gate(metrics)}))
        registry.register(NAME, model.save(tmp_path / "src" / version))
    assert "macro_f1" not in gate(fixed(1, 1)) and gate(fixed(1, 1))["f1:NAME_BRAND"] == "max"
    registry.promote(NAME, "v1")
    with pytest.raises(PromotionRefused) as refused:  # NAME_ADJECTIVE better, NAME_BRAND 0.02 worse
        registry.promote(NAME, "v2", tolerance=GATE_TOLERANCE)
    assert [c["metric"] for c in refused.value.comparison if c["worse"]] == ["f1:NAME_BRAND"]
    registry.promote(NAME, "v3", tolerance=GATE_TOLERANCE)  # 0.005 lower: within the gate's 0.01
    assert registry.serving(NAME) == "v3"
    worse = [c for c in compare_fixed(fixed(0.99, 0.93), fixed(0.98, 0.95)) if c["worse"]]
    assert [(c["metric"], c["delta"]) for c in worse] == [("f1:NAME_BRAND", -0.02)]


def rows_for(screener, names, code, verdict, start):
    out = []
    for i, a in enumerate(screener.analyse_names(names)):
        out += [{"text": a.name, "code": code, "verdict": verdict, "field": "product.name", "source": f.source,
                 "submission_id": f"S{start + i}", "revision": 1} for f in a.findings if f.code == code]
    return out


@pytest.mark.slow
def test_training_promotes_a_good_filter_and_withholds_one_that_hides_brands(tmp_path, realdata):
    from models.text_screener import TextScreener

    screener = TextScreener.load_default()
    sets = FixedSets.load(realdata, n=200, limit=60)
    registry = Registry(tmp_path / "registry")
    good = rows_for(screener, ["高效" + h for h in TRAIN_HEADS + HELD_HEADS], "NAME_ADJECTIVE", "false_positive", 0)
    good += rows_for(screener, [a + p for a in TRUE_ADJECTIVES for p in ("电冰箱", "空调", "口罩", "机床")],
                     "NAME_ADJECTIVE", "confirmed", 100)
    good.sort(key=lambda r: zlib.crc32(r["text"].encode()))  # verdicts of both kinds in train and hold-out
    summary = train_text_feedback(good, registry, screener, sets, promote=True)
    assert summary["promoted"] and summary["codes"] == ["NAME_ADJECTIVE"] and not summary["worse_than_screener"]
    assert summary["holdout"]["NAME_ADJECTIVE"]["confirmed_dropped"] == 0
    folder = registry.path(NAME, summary["version"])
    assert (folder / "card.md").is_file() and (folder / "fp_rate_by_code.png").is_file()

    # reviewers who mark every brand the tagger finds in real JD titles a false positive (and
    # confirm only 海尔电冰箱-style names): a NAME_BRAND filter would hide true brands on the fixed
    # sets' JD slice, so it is withheld; the NAME_ADJECTIVE filter learned beside it still goes
    titles = [r["title"] for r in sets.vocab.jd_titles["train"][:150]]
    bad = rows_for(screener, titles, "NAME_BRAND", "false_positive", 1000)
    bad += rows_for(screener, [b + p for b in ("海尔", "美的", "格力", "华为", "小米") for p in ("电冰箱", "空调", "手机", "电饭煲")],
                    "NAME_BRAND", "confirmed", 2000)
    bad = bad + good
    bad.sort(key=lambda r: zlib.crc32(r["text"].encode()))
    summary = train_text_feedback(bad, registry, screener, sets, promote=True)
    assert "NAME_BRAND" in summary["withheld"] and summary["codes"] == ["NAME_ADJECTIVE"]
    assert not summary["worse_than_screener"] and summary["promoted"]
    assert registry.serving(NAME) == summary["version"]
    assert TextFeedbackFilter.load(registry.path(NAME, summary["version"])).codes == ["NAME_ADJECTIVE"]
