"""FILED_FIELD_CHANGED, UPDATE_FIGURES_STALE, UPDATE_PROOF_STALE: an annual update against the
product's filed record in a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import io

import pytest
from PIL import Image

from screening.checks.files import FileCheck
from screening.checks.filed_record import RULE_FIGURES, RULE_LOCKED, RULE_PROOF, FiledRecordChecks
from screening.contract import Decision
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources, UploadedFile
from screening.service import ScreeningService
from screening.storage.filed import FiledRecords
from tests.examples import CONTRACT_EXAMPLE

FILED_ID = "2026-P-000123"


def _jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (shade, 200, 90)).save(buf, "JPEG")
    return buf.getvalue()


PROOF_2025 = _jpeg(10)
PROOF_2026 = _jpeg(240)


@pytest.fixture
def service(store):
    checks = [FileCheck(), FiledRecordChecks()]
    return ScreeningService(Pipeline(checks, Resources(filed_records=FiledRecords(store))), store)


def _filing() -> dict:
    form = copy.deepcopy(CONTRACT_EXAMPLE)
    form.update(submitted_at="2026-03-10T10:00:00+08:00", documents=[{"kind": "economic_proof", "file": "proof.jpg"}])
    return form


def _update(**changes) -> dict:
    form = copy.deepcopy(CONTRACT_EXAMPLE)
    form.update(submission_id="2027-U-000001", stage="annual_update", submitted_at="2027-02-15T10:00:00+08:00",
                documents=[{"kind": "economic_proof", "file": "proof2026.jpg"}])
    form["entity"]["figures_year"] = 2026
    form["product"]["figures_wan"] = {"sales": 2650.0, "export": 0.0, "profit": 355.0, "ip_investment": 52.0,
                                      "total_cost": 2100.0}
    for key, value in changes.items():
        if key.startswith("product_"):
            form["product"][key[len("product_"):]] = value
        else:
            form[key] = value
    return form


def _screen(service, form, files):
    report, _ = service.screen(parse_submission(form), {n: UploadedFile(n, d) for n, d in files.items()}, actor="t")
    return report


@pytest.fixture
def filed(service, store):
    _screen(service, _filing(), {"proof.jpg": PROOF_2025})
    store.record_decision(FILED_ID, Decision(decision="approved"), actor="reviewer")


def found(report, code):
    return [f for f in report["findings"] if f["code"] == code]


def test_a_proper_update_is_clean_and_names_its_filed_record(service, filed):
    report = _screen(service, _update(), {"proof2026.jpg": PROOF_2026})
    assert [f["code"] for f in report["findings"]] == []
    assert report["extracted"]["filed_record"] == {"submission_id": FILED_ID, "revision": 1, "stage": "product",
                                                   "decision": "approved", "matched_by": "entity_and_product"}


def test_a_renamed_product_is_a_changed_locked_field(service, filed):
    report = _screen(service, _update(product_name="家用冰箱"), {"proof2026.jpg": PROOF_2026})
    (f,) = found(report, "FILED_FIELD_CHANGED")
    assert f["severity"] == "high" and f["field"] == "product.name"
    assert "“家用电冰箱” → “家用冰箱”" in f["message"] and FILED_ID in f["message"]
    assert f["evidence"]["rule"] == RULE_LOCKED
    assert (f["evidence"]["old"], f["evidence"]["new"]) == ("家用电冰箱", "家用冰箱")


def test_an_added_model_line_is_a_changed_locked_field(service, filed):
    report = _screen(service, _update(product_models=["BCD-520W", "BCD-520WPro"], product_models_reason="同一平台"),
                     {"proof2026.jpg": PROOF_2026})
    (f,) = found(report, "FILED_FIELD_CHANGED")
    assert f["field"] == "product.models" and "BCD-520W → BCD-520W、BCD-520WPro" in f["message"]


def test_a_colour_written_into_the_model_is_the_same_line_and_only_listed(service, filed):
    report = _screen(service, _update(product_models=["BCD-520W 白色"]), {"proof2026.jpg": PROOF_2026})
    assert found(report, "FILED_FIELD_CHANGED") == []
    assert report["extracted"]["filed_record"]["models_variants_changed"] == {"old": ["BCD-520W"], "new": ["BCD-520W 白色"]}


def test_patents_updated_as_the_seed_allows_are_listed_not_flagged(service, filed):
    patents = [*CONTRACT_EXAMPLE["product"]["patents"], {"number": "CN201920012345.1", "core": False}]
    report = _screen(service, _update(product_patents=patents), {"proof2026.jpg": PROOF_2026})
    assert found(report, "FILED_FIELD_CHANGED") == []
    assert report["extracted"]["filed_record"]["patents_added"] == ["2019200123451"]


def test_every_filed_patent_replaced_is_a_changed_locked_field(service, filed):
    report = _screen(service, _update(product_patents=[{"number": "CN201920012345.1", "core": True}]),
                     {"proof2026.jpg": PROOF_2026})
    (f,) = found(report, "FILED_FIELD_CHANGED")
    assert f["field"] == "product.patents" and f["confidence"] == 0.8 and "无一保留" in f["message"]


def test_figures_of_the_wrong_year(service, filed):
    form = _update()
    form["entity"]["figures_year"] = 2025  # the filing's year, not 2026
    report = _screen(service, form, {"proof2026.jpg": PROOF_2026})
    (f,) = found(report, "UPDATE_FIGURES_STALE")
    assert f["field"] == "entity.figures_year" and "应提供2026年度" in f["message"] and "2025年度" in f["message"]
    assert f["evidence"]["rule"] == RULE_FIGURES and f["evidence"]["expected_year"] == 2026


def test_product_figures_copied_from_the_filing(service, filed):
    form = _update()
    form["product"]["figures_wan"] = copy.deepcopy(CONTRACT_EXAMPLE["product"]["figures_wan"])
    (f,) = found(_screen(service, form, {"proof2026.jpg": PROOF_2026}), "UPDATE_FIGURES_STALE")
    assert f["field"] == "product.figures_wan" and f["confidence"] == 0.8 and "完全相同" in f["message"]


def test_the_filed_proof_sent_again_is_stale(service, filed):
    form = _update(documents=[{"kind": "economic_proof", "file": "proof_again.jpg"}])
    (f,) = found(_screen(service, form, {"proof_again.jpg": PROOF_2025}), "UPDATE_PROOF_STALE")
    assert f["severity"] == "medium" and f["field"] == "documents[0].file"
    assert "proof.jpg" in f["message"] and "2026年提交" in f["message"] and "2026年度" in f["message"]
    assert f["evidence"]["rule"] == RULE_PROOF


def test_the_filing_named_by_id_is_found_even_when_renamed_and_remodelled(service, filed):
    form = _update(product_name="双门冰箱", product_models=["BCD-530W"], filed_submission_id=FILED_ID)
    report = _screen(service, form, {"proof2026.jpg": PROOF_2026})
    assert sorted(f["field"] for f in found(report, "FILED_FIELD_CHANGED")) == ["product.models", "product.name"]
    assert report["extracted"]["filed_record"]["matched_by"] == "filed_submission_id"


def test_no_filed_record_is_said_not_silent(service):
    report = _screen(service, _update(), {"proof2026.jpg": PROOF_2026})
    (skip,) = found(report, "CHECK_SKIPPED")
    assert skip["field"] == "product" and "未找到该产品的备案记录" in skip["message"]
    assert "91440300MA5H3E0T3W" in skip["message"]
    assert report["extracted"]["filed_record"] is None


def test_another_entitys_product_is_not_the_filed_record(service, filed):
    form = _update()
    form["entity"]["uscc"] = "91110000802115985Y"
    assert found(_screen(service, form, {"proof2026.jpg": PROOF_2026}), "CHECK_SKIPPED")


def test_without_a_store_the_part_is_failed_not_passed():
    form = parse_submission(_update())
    report = Pipeline([FiledRecordChecks()], Resources()).screen(form, {})
    assert report.status == "degraded" and [f.code for f in report.findings] == ["CHECK_FAILED"]


def test_a_record_filed_the_same_year_is_not_last_years(service, store):
    filing = _filing()
    filing["submitted_at"] = "2027-01-05T10:00:00+08:00"
    _screen(service, filing, {"proof.jpg": PROOF_2025})
    form = _update(documents=[{"kind": "economic_proof", "file": "proof.jpg"}])
    form["product"]["figures_wan"] = copy.deepcopy(CONTRACT_EXAMPLE["product"]["figures_wan"])
    report = _screen(service, form, {"proof.jpg": PROOF_2025})
    assert found(report, "UPDATE_PROOF_STALE") == [] and found(report, "UPDATE_FIGURES_STALE") == []
    assert report["extracted"]["filed_record"]["same_year"] is True
