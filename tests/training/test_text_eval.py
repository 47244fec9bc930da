"""The text fixed sets' arithmetic, and its real-slice measures on a few real items."""

from __future__ import annotations

import pytest

from models.text_screener import TextScreener
from training import text_eval


def test_prf():
    assert text_eval.prf(8, 2, 2) == {"precision": 0.8, "recall": 0.8, "f1": 0.8, "support": 10}
    assert text_eval.prf(0, 0, 0)["f1"] == 1.0
    assert text_eval.prf(0, 3, 0)["precision"] == 0.0


@pytest.fixture(scope="module")
def screener():
    return TextScreener.load_default()


def test_real_slice_measures(screener):
    rows = [{"title": "得力(deli)订书机 办公用品", "entities": [{"text": "得力", "label": "1", "start": 0, "end": 2}]}]
    r = text_eval.jd_brand_recall(screener, rows)
    assert r == {"recall": 1.0, "brands": 1, "titles": 1, "missed": []}  # 得力 is caught
    p = text_eval.patent_title_recall(screener, ["一种含有乳酸菌的碳酸饮料", "一种乳化装置"])
    assert p["recall"] == 1.0
    g = text_eval.goods_flagged(screener, ["家用电冰箱", "海尔电冰箱"])
    assert g["names"] == 2 and g["flagged"] >= 1 and "NAME_BRAND" in g["by_code"]
