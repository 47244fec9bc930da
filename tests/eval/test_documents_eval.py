"""`prescreen eval documents` on two generated pages: the readers and plain full-page OCR, side by side."""

from __future__ import annotations

import pytest

from training.docgen.fonts import available


@pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")
def test_generated_pages_are_scored_with_the_plain_baseline():
    from eval.documents import evaluate_generated
    from ocr.readers import DocumentReaders
    from screening.validators.uscc import CODE_RULES

    result = evaluate_generated(DocumentReaders.load(CODE_RULES), 2, 7, baseline=True, progress=False)
    assert result["n"] == 2
    assert set(result["licences"]) >= {"uscc", "name"} and set(result["statements"]) >= {"unit", "operating_revenue"}
    assert 0.0 <= result["licences"]["uscc"]["rate"] <= 1.0
    speed = result["speed"]
    assert speed["reader_median_s"] > 0 and speed["plain_median_s"] > 0 and 0.0 <= speed["plain_uscc_exact"] <= 1.0
