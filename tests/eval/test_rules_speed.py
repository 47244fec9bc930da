"""The rule-throughput benchmark runs and screens what it says (the speed itself is measured, not tested)."""

from __future__ import annotations

from eval.rules_speed import _VARIANTS, benchmark_rules


def test_benchmark_screens_every_variant():
    result = benchmark_rules(n=len(_VARIANTS) * 2, workers=1, uploads="small")
    assert result["submissions"] == 16 and result["rules_per_second"] > 0
    f = result["findings"]
    # each defect variant appears twice in the batch and is found each time
    for code in ("ENTITY_USCC_INVALID", "ENTITY_INELIGIBLE", "ENTITY_FIGURES_INCONSISTENT", "MODEL_VAGUE",
                 "MODEL_MULTI_UNJUSTIFIED", "INTRO_TOO_LONG", "SALES_ZERO", "PATENT_NUMBER_INVALID",
                 "PATENT_LITIGATED_NO_CASE"):
        assert f[code] == 2, code
    assert "FILE_CORRUPT" not in f and "FILE_TYPE_INVALID" not in f
