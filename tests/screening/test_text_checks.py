"""TextChecks through the real pipeline with the committed text models."""

from __future__ import annotations

import copy

import pytest

from models.text_screener import TextScreener
from screening.checks.text import TextChecks
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources

SUBMISSION = {
    "submission_id": "2026-P-000123",
    "stage": "product",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "entity": {"uscc": "91440300MA5H3E0T3W", "name": "深圳市雄楚速通国际物流有限公司", "kind": "enterprise"},
    "product": {
        "name": "家用电冰箱",
        "models": ["BCD-520W"],
        "trademark": "雄楚",
        "category": {"code": "3951010100", "name": "家用电冰箱"},
        "industry": {"code": "C3851", "name": "家用制冷电器具制造"},
        "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构，适用于家庭食品的冷藏和冷冻。",
        "patents": [{"number": "CN201710601862.3"}],
    },
    "documents": [],
}


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline([TextChecks()], Resources(text=TextScreener.load_default()))


def screen(pipeline, **product):
    form = copy.deepcopy(SUBMISSION)
    form["product"].update(product)
    return pipeline.screen(parse_submission(form), {})


def test_the_contract_example_is_clean(pipeline):
    report = screen(pipeline)
    assert report.status == "complete"
    assert [f.code for f in report.findings] == []
    assert "text" in report.timings_ms


def test_brand_from_the_trademark_field_with_span_and_suggestion(pipeline):
    report = screen(pipeline, name="雄楚家用电冰箱")
    brand = [f for f in report.findings if f.code == "NAME_BRAND"]
    assert len(brand) == 1
    f = brand[0]
    assert f.field == "product.name" and f.severity == "high"
    assert f.evidence["span"] == [0, 2] and f.evidence["text"] == "雄楚"
    assert f.evidence["suggestion"] == "家用电冰箱"
    assert f.source == "rules"  # the name starts with the filed trademark: an exact rule, not the tagger


def test_model_findings_name_their_version(pipeline):
    report = screen(pipeline, name="一种含有乳酸菌的碳酸饮料")
    codes = {f.code: f for f in report.findings}
    assert "NAME_PATENT_TITLE" in codes and "NAME_VAGUE_WORDING" in codes
    assert codes["NAME_PATENT_TITLE"].evidence["suggestion"] == "碳酸饮料"
    assert any(f.source.startswith(("name-tagger@", "text-heads@")) for f in report.findings)


def test_models_intro_and_category(pipeline):
    report = screen(pipeline, models=["H01M 10/0525"], intro="本发明公开了一种冰箱，包括箱体和门体，所述箱体内设有搁架。",
                    category={"code": "6510000000", "name": "软件设计服务"})
    codes = {f.code for f in report.findings}
    assert {"MODEL_INVALID_CONTENT", "INTRO_OFF_TOPIC", "CATEGORY_MISMATCH"} <= codes
    model = next(f for f in report.findings if f.code == "MODEL_INVALID_CONTENT")
    assert model.field == "product.models[0]"


def test_missing_name_is_said_not_silently_passed(pipeline):
    report = screen(pipeline, name=None)
    assert any(f.code == "CHECK_SKIPPED" and f.field == "product.name" for f in report.findings)


def test_without_text_models_the_report_is_degraded():
    report = Pipeline([TextChecks()], Resources()).screen(parse_submission(copy.deepcopy(SUBMISSION)), {})
    assert report.status == "degraded"
    assert any(f.code == "CHECK_FAILED" for f in report.findings)


def test_entity_stage_is_not_text_screened(pipeline):
    form = copy.deepcopy(SUBMISSION)
    form["stage"] = "entity"
    report = pipeline.screen(parse_submission(form), {})
    assert not report.findings
