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
