"""`prescreen eval documents` on two generated pages: the readers and plain full-page OCR, side by side."""

from __future__ import annotations

import pytest

from training.docgen.fonts import available


@pytest.mark.slow
@pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")
def test_generated_pages_are_scored_with_the_plain_baseline():
    from eval.documents import evaluate_generated
    from ocr.readers import DocumentReaders
    from screening.validators.uscc import CODE_RULES

    result = evaluate_generated(DocumentReaders.load(CODE_RULES), 2, 7, baseline=True, progress=False)
    assert result["n"] == 2
    assert set(result["licences"]) >= {"uscc", "name"} and set(result["statements"]) >= {"unit", "operating_revenue"}
    # the headline figures, small: the credit code exact and never confidently wrong, revenue,
    # net profit and unit exact (docs/ocr.md: 150 / 150 on the untouched seed)
    assert result["licences"]["uscc"]["rate"] == 1.0 and result["licences"]["uscc_confident_wrong"]["rate"] == 0.0
    assert all(result["statements"][f]["rate"] == 1.0 for f in ("operating_revenue", "net_profit", "unit"))
    speed = result["speed"]
    assert speed["reader_median_s"] > 0 and speed["plain_median_s"] > 0 and 0.0 <= speed["plain_uscc_exact"] <= 1.0
