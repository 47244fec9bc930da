"""`prescreen eval text` on a small run: the fixed sets, speed and the printed summary."""

from __future__ import annotations

import pytest

from eval import text as text_eval
from models.text_screener import TextScreener


@pytest.mark.slow
def test_evaluate_small_run(realdata):
    from training.text_vocab import RealVocab

    result = text_eval.evaluate(TextScreener.load_default(), RealVocab.load(realdata), n=200, seed=1)
    held = result["held_out"]
    assert set(held["per_code"]) >= {"NAME_BRAND", "MODEL_INVALID_CONTENT", "INTRO_OFF_TOPIC", "CATEGORY_MISMATCH"}
    assert 0.0 <= held["macro_f1"] <= 1.0
    assert result["speed"]["median_ms"] > 0 and "examples" not in result
    assert "summary" not in result and text_eval.summary(result).startswith("held-out macro-F1")


@pytest.mark.slow
def test_real_slices_meet_their_targets(realdata):
    """The text models' headline figures (README), on the real slices held out from training:
    annotated JD brands caught (the whole eval half, 246 titles), patent titles recognised and
    legitimate goods names left alone (the first 300 of each eval slice)."""
    from training import text_eval as measures
    from training.text_vocab import RealVocab

    screener, vocab = TextScreener.load_default(), RealVocab.load(realdata)
    # 0.759 with the calibrated NAME_BRAND and the dictionary matched only at the start of a name;
    # 0.910 with the dictionary matched at every word start (a JD title's brand is often mid-title,
    # after a shop or series word) and the learned common-word filter. A floor under today's figure,
    # so a regression fails here (the target, eval/text.py's TARGETS, is 0.90).
    assert measures.jd_brand_recall(screener, vocab.jd_titles["eval"])["recall"] >= 0.88
    assert measures.patent_title_recall(screener, vocab.patent_titles["eval"][:300])["recall"] >= 0.98
    assert measures.goods_flagged(screener, [g.name for g in vocab.goods["eval"][:300]])["share"] <= 0.05
