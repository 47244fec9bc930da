"""Document kinds and the revocation stage at the HTTP edge: a precise 422, never a 500, nothing written."""

from __future__ import annotations

import io
import json

from PIL import Image


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 30)).save(buf, "PNG")
    return buf.getvalue()


def post(client, submission: dict, files: dict[str, bytes] | None = None):
    parts = {"submission": (None, json.dumps(submission, ensure_ascii=False), "application/json")}
    for name, data in (files or {}).items():
        parts[name] = (name, data, "application/octet-stream")
    return client.post("/v1/screenings", files=parts)


def test_an_unknown_document_kind_is_a_422_naming_it(client, contract_example, store):
    contract_example["documents"] = [{"kind": "product_photo", "file": "photo.png"},
                                     {"kind": "营业执照副本", "file": "copy.png"}]
    r = post(client, contract_example, {"photo.png": _png(), "copy.png": _png()})
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error", "message", "field"}
    assert body["field"] == "documents[1].kind" and "organisation_certificate" in body["message"]
    assert store.counts() == {"open": 0, "decided": 0}  # nothing half-written


def test_an_organisation_certificate_is_accepted_for_real_name_verification(client, contract_example):
    contract_example.update(stage="entity", documents=[
        {"kind": "organisation_certificate", "file": "org.png"},
        {"kind": "profit_statement", "file": "statement.png"},
        {"kind": "integrity_pledge", "file": "pledge.png"},
    ])
    r = post(client, contract_example, {"org.png": _png(), "statement.png": _png(), "pledge.png": _png()})
    assert r.status_code == 200, r.text
    assert not [f for f in r.json()["findings"] if f["code"] == "DOCUMENT_MISSING"]


def test_a_submission_without_documents_is_no_longer_complete_and_clean(client, contract_example):
    r = post(client, contract_example)
    assert r.status_code == 200
    missing = {(f["code"], f["field"]) for f in r.json()["findings"] if f["code"] in ("DOCUMENT_MISSING", "IMAGE_MAIN_COUNT")}
    assert missing == {("DOCUMENT_MISSING", "documents"), ("IMAGE_MAIN_COUNT", "documents"),
                       ("DOCUMENT_MISSING", "product.name")}


def test_a_revocation_is_recorded_and_queued(client, contract_example):
    assert post(client, contract_example).status_code == 200
    revoke = {"submission_id": "2027-R-000001", "stage": "revocation", "submitted_at": "2027-05-06T10:00:00+08:00",
              "filed_submission_id": contract_example["submission_id"], "revocation": {"reason": "off_market"}}
    r = post(client, revoke)
    assert r.status_code == 200, r.text
    assert r.json()["extracted"]["filed_record"]["submission_id"] == contract_example["submission_id"]
    q = client.get("/v1/queue", params={"stage": "revocation"})
    assert q.status_code == 200, q.text
    assert [i["submission_id"] for i in q.json()["items"]] == ["2027-R-000001"]


def test_a_revocation_that_names_nothing_is_a_422(client):
    r = post(client, {"submission_id": "2027-R-000002", "stage": "revocation"})
    assert r.status_code == 422 and r.json()["field"] == "filed_submission_id"


def _refiling(contract_example) -> dict:
    return {**contract_example, "submission_id": "2027-P-000010", "submitted_at": "2027-06-01T10:00:00+08:00"}


def _duplicates_of(response) -> list[str]:
    return [f["evidence"]["other"]["submission_id"] for f in response.json()["findings"] if f["code"] == "DUPLICATE_FILING"]


def test_over_http_a_refiling_is_a_duplicate_until_the_filing_is_revoked(client, contract_example):
    assert post(client, contract_example).status_code == 200
    assert _duplicates_of(post(client, _refiling(contract_example))) == [contract_example["submission_id"]]


def test_over_http_a_revoked_filing_is_no_duplicate_of_its_refiling(client, contract_example):
    assert post(client, contract_example).status_code == 200
    revoke = {"submission_id": "2027-R-000001", "stage": "revocation", "submitted_at": "2027-05-06T10:00:00+08:00",
              "filed_submission_id": contract_example["submission_id"], "revocation": {"reason": "patents_transferred"}}
    assert post(client, revoke).status_code == 200
    r = post(client, _refiling(contract_example))
    assert r.status_code == 200 and _duplicates_of(r) == []
