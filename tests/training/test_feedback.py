"""Feedback for the text and duplicate models, built from recorded decisions."""

from __future__ import annotations

import pytest

from screening.contract import Decision, FindingFeedback
from screening.parsing import parse_submission
from screening.pipeline import Pipeline
from screening.service import ScreeningService
from training.feedback import (
    duplicate_pairs,
    false_positive_stats,
    field_text,
    load_decided,
    systematic_false_positives,
    text_feedback_rows,
)
from training.simulator import SYSTEMATIC_FP, World, run_loop, simulated_pipeline


@pytest.fixture
def decided(store):
    world = World(seed=51)
    cases = world.cases(250)
    run_loop(world, cases, ScreeningService(simulated_pipeline(world), store))
    return load_decided(store)


def test_a_planted_systematic_false_positive_is_found_and_duplicates_become_pairs(decided):
    code, marker = SYSTEMATIC_FP  # NAME_ADJECTIVE fires on every 智能… name; reviewers reject the finding
    rows = text_feedback_rows(decided)
    planted = [r for r in rows if r["code"] == code]
    assert planted and all(marker in r["text"] and r["verdict"] == "false_positive" for r in planted)
    assert all(set(r) >= {"text", "code", "verdict"} for r in rows)
    flagged = systematic_false_positives(rows)
    assert flagged[0]["code"] == code and flagged[0]["pattern"] == marker
    assert flagged[0]["fp_rate"] == 1.0 and flagged[0]["support"] == len(planted)
    # true naming defects reviewers confirm are not flagged
    assert not any(f["code"] in ("NAME_BRAND", "NAME_METHOD", "NAME_VAGUE_WORDING") for f in flagged)
    stats = false_positive_stats(decided)
    assert stats[code]["fp_rate"] == 1.0
    assert stats["SALES_ZERO"]["false_positive"] == 0
    assert stats["ENTITY_USCC_INVALID"]["false_positive"] == 0

    # the same decisions, as labelled pairs for the duplicate scorer
    pairs = duplicate_pairs(decided)
    assert {p["label"] for p in pairs} == {0, 1}
    for p in pairs:
        assert p["a"] != p["b"] and p["code"] == "DUPLICATE_FILING"
        assert p["labelled_by"] in ("feedback", "reason_code", "approved")
        if p["label"] == 1:  # a confirmed duplicate names the same product as the earlier filing
            assert p["a_product_name"] == p["b_product_name"] and p["b"].startswith("SIM-51-")


def test_a_later_decision_supersedes_the_feedback(store, contract_example):
    service = ScreeningService(Pipeline([]), store)
    service.screen(parse_submission(contract_example), {}, actor="t")
    sid = contract_example["submission_id"]
    # the pipeline has no checks: give the report findings to rate by recording one with findings
    from screening.contract import Finding, Priority, Report

    report = Report(sid, "complete", Priority(50, 0.5, []), [
        Finding("NAME_BRAND", "high", "product.name", "m", confidence=0.9),
        Finding("DUPLICATE_FILING", "high", "product.name", "m", evidence={"submission_id": "2025-P-1"}),
    ])
    store.record_screening(parse_submission(dict(contract_example, product={**contract_example["product"],
                                                                            "name": "海尔电冰箱"})), {}, report, actor="t")
    store.record_decision(sid, Decision("returned", ["NAME_BRAND"], [FindingFeedback("confirmed", finding=0)]), actor="t")
    store.record_decision(sid, Decision("approved", [], [FindingFeedback("false_positive", code="NAME_BRAND"),
                                                          FindingFeedback("false_positive", finding=1)]), actor="t")
    decided = load_decided(store)
    assert len(decided) == 1 and decided[0].revision == 2
    rows = text_feedback_rows(decided)
    assert rows == [{"text": "海尔电冰箱", "code": "NAME_BRAND", "verdict": "false_positive", "field": "product.name",
                     "source": "rules", "confidence": 0.9, "submission_id": sid, "revision": 2}]
    pairs = duplicate_pairs(decided)
    assert [(p["b"], p["label"], p["labelled_by"]) for p in pairs] == [("2025-P-1", 0, "feedback")]


def test_field_text_reads_nested_fields(contract_example):
    assert field_text(contract_example, "product.name") == "家用电冰箱"
    assert field_text(contract_example, "product.models") == "BCD-520W"
    assert field_text(contract_example, "product.patents[0].number") == "CN201710601862.3"
    assert field_text(contract_example, "product.patents[5].number") is None
    assert field_text(contract_example, None) is None


def test_patterns_need_support_and_a_contrast():
    rows = [{"text": f"智能产品{i}", "code": "NAME_ADJECTIVE", "verdict": "false_positive"} for i in range(5)]
    assert systematic_false_positives(rows) == []  # too few
    rows = [{"text": f"新型产品{i % 10}", "code": "NAME_ADJECTIVE", "verdict": "false_positive"} for i in range(30)]
    flagged = systematic_false_positives(rows)
    assert flagged and all(f["fp_rate"] == 1.0 for f in flagged)


def test_feedback_command_writes_the_exports(tmp_path, monkeypatch, capsys):
    import json

    from api.cli import main as cli
    from screening.settings import get_settings
    from screening.storage import open_store

    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        store = open_store(get_settings().sqlalchemy_url, get_settings().files_dir)
        world = World(seed=52)
        run_loop(world, world.cases(150), ScreeningService(simulated_pipeline(world), store))
        store.engine.dispose()
        assert cli(["eval", "feedback", "--out", str(tmp_path / "out")]) == 0
    finally:
        get_settings.cache_clear()
    result = json.loads(capsys.readouterr().out)
    assert result["decided"] == 150
    assert result["systematic_false_positives"][0]["pattern"] == SYSTEMATIC_FP[1]
    lines = (tmp_path / "out" / "text_feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == result["text_feedback_rows"] > 0
    assert {"text", "code", "verdict"} <= set(json.loads(lines[0]))
    pairs = (tmp_path / "out" / "duplicate_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(pairs) == sum(result["duplicate_pairs"].values())
