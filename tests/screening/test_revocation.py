"""The revocation stage: recorded, the product leaves the duplicate index at once (with its
annual updates), a later re-filing is not a duplicate of the withdrawn filing; SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from screening.checks.duplicates import DuplicateChecks
from screening.checks.filed_record import FiledRecordChecks
from screening.duplicates import DuplicateSearch
from screening.errors import InvalidInput
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources
from screening.service import ScreeningService
from screening.storage.filed import FiledRecords
from tests.screening.test_duplicates_search import FRIDGE, _sub

UPDATE = _sub(FRIDGE, submission_id="2027-U-000001", stage="annual_update", submitted_at="2027-02-10T10:00:00+08:00")
REVOKE = {
    "submission_id": "2027-R-000001", "stage": "revocation", "submitted_at": "2027-05-06T10:00:00+08:00",
    "filed_submission_id": FRIDGE["submission_id"],
    "revocation": {"reason": "patents_lapsed", "explanation": "关联专利已于2027年4月因未缴年费终止"},
}
REFILING = _sub(FRIDGE, submission_id="2027-P-000010", submitted_at="2027-06-01T10:00:00+08:00",
                **{"product.patents": [{"number": "CN202310601862.5", "core": True}]})


@pytest.fixture(scope="module")
def embedder():
    from models.embedder import SentenceEmbedder

    return SentenceEmbedder.load_default()


@pytest.fixture
def search(store, tmp_path, embedder):
    return DuplicateSearch.open(tmp_path / "data", store, embedder)


@pytest.fixture
def service(store, search):
    resources = Resources(duplicates=search, filed_records=FiledRecords(store))
    return ScreeningService(Pipeline([FiledRecordChecks(), DuplicateChecks()], resources), store,
                            on_recorded=[search.catch_up])


def _screen(service, form):
    report, _ = service.screen(parse_submission(form), {}, actor="test", today=date(2027, 6, 1))
    return report


def _dups(report):
    return [f["evidence"]["other"]["submission_id"] for f in report["findings"] if f["code"] == "DUPLICATE_FILING"]


def test_without_revocation_the_refiling_is_a_duplicate(service):
    _screen(service, FRIDGE)
    assert FRIDGE["submission_id"] in _dups(_screen(service, REFILING))


def test_a_revoked_product_leaves_the_index_and_its_refiling_is_not_a_duplicate(service, search, store):
    _screen(service, FRIDGE)
    _screen(service, UPDATE)
    assert {FRIDGE["submission_id"], UPDATE["submission_id"]} <= set(search.state.current)
    report = _screen(service, REVOKE)
    # recorded as what it is, with the filing it withdraws
    assert store.revision(REVOKE["submission_id"]).form["stage"] == "revocation"
    assert report["extracted"]["filed_record"]["submission_id"] == FRIDGE["submission_id"]
    assert report["extracted"]["revocation"] == {"filed_submission_id": FRIDGE["submission_id"], "reason": "patents_lapsed"}
    # gone at once (the service's post-record hook), the annual update of the same product with it
    assert not {FRIDGE["submission_id"], UPDATE["submission_id"], REVOKE["submission_id"]} & set(search.state.current)
    assert _dups(_screen(service, REFILING)) == []
    # and the re-filing itself stays in the index
    assert REFILING["submission_id"] in search.state.current


def test_a_revocation_by_entity_and_product_needs_no_filing_id(service, search):
    _screen(service, FRIDGE)
    revoke = {**copy.deepcopy(REVOKE), "entity": copy.deepcopy(FRIDGE["entity"]),
              "product": {"name": "家用电冰箱", "models": ["BCD-520W"]}, "filed_submission_id": None}
    report = _screen(service, revoke)
    assert report["extracted"]["filed_record"]["matched_by"] == "entity_and_product"
    assert FRIDGE["submission_id"] not in search.state.current


def test_another_product_of_the_entity_stays(service, search):
    other = _sub(FRIDGE, submission_id="2026-P-000009", **{"product.models": ["BCD-660WPro"],
                                                            "product.name": "对开门电冰箱"})
    _screen(service, FRIDGE)
    _screen(service, other)
    revoke = {**copy.deepcopy(REVOKE), "entity": copy.deepcopy(FRIDGE["entity"]),
              "product": {"name": "家用电冰箱", "models": ["BCD-520W"]}, "filed_submission_id": None}
    _screen(service, revoke)
    assert other["submission_id"] in search.state.current
    assert FRIDGE["submission_id"] not in search.state.current


def test_a_rebuilt_index_keeps_the_withdrawal_but_not_later_refilings_out(service, store, tmp_path, embedder):
    _screen(service, FRIDGE)
    _screen(service, REVOKE)
    _screen(service, REFILING)
    rebuilt = DuplicateSearch.open(tmp_path / "elsewhere", store, embedder)
    assert FRIDGE["submission_id"] not in rebuilt.state.current
    assert REFILING["submission_id"] in rebuilt.state.current


def test_a_revocation_without_its_reason_is_said(service):
    _screen(service, FRIDGE)
    report = _screen(service, {**REVOKE, "revocation": None})
    assert [f["field"] for f in report["findings"] if f["code"] == "CHECK_SKIPPED"] == ["revocation.reason"]


def test_a_revocation_of_an_unknown_filing_is_said(service):
    report = _screen(service, REVOKE)
    (skip,) = [f for f in report["findings"] if f["code"] == "CHECK_SKIPPED"]
    assert skip["field"] == "filed_submission_id" and "未找到该产品的备案记录" in skip["message"]


@pytest.mark.parametrize("form, field", [
    ({"submission_id": "R-1", "stage": "revocation"}, "filed_submission_id"),
    ({"submission_id": "R-1", "stage": "revocation", "filed_submission_id": "../x"}, "filed_submission_id"),
    ({"submission_id": "R-1", "stage": "revocation", "filed_submission_id": "P-1", "revocation": {"reason": "bored"}},
     "revocation.reason"),
    ({"submission_id": "P-1", "stage": "product", "revocation": {"reason": "other"}}, "revocation"),
])
def test_revocation_input_errors_name_the_field(form, field):
    with pytest.raises(InvalidInput) as err:
        parse_submission(form)
    assert err.value.field == field
