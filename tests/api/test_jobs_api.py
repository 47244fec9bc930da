"""POST /v1/screenings?wait=false and /v1/jobs: accepted at once, finished by a job worker;
the default waits for the documents a bounded time and otherwise answers with the rest of the
report, pending."""

from __future__ import annotations

import json
import time

import pytest

from tests.api.test_examples import curl_parts


def _wait_done(client, url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(url).json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_wait_false_accepts_at_once_and_a_worker_records_the_report(client, contract_example):
    parts = {"submission": (None, json.dumps(contract_example, ensure_ascii=False), "application/json")}
    r = client.post("/v1/screenings?wait=false", files=parts)
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["state"] in ("queued", "running", "done")
    assert r.headers["location"] == accepted["status_url"] == f"/v1/jobs/{accepted['job_id']}"
    job = _wait_done(client, accepted["status_url"])
    assert job["state"] == "done" and job["revision"] == 1 and job["attempts"] == 1, job
    assert job["report_url"] == "/v1/screenings/2026-P-000123"
    report = client.get(job["report_url"]).json()
    assert report["revision"] == 1 and report["status"] == "complete"
    # sent again unchanged: the stored report at once, no new job and no new revision
    again = client.post("/v1/screenings?wait=false", files=parts)
    assert again.status_code == 200 and again.json()["revision"] == 1
    assert [x["revision"] for x in client.get("/v1/screenings/2026-P-000123").json()["revisions"]] == [1]


def test_an_unknown_or_malformed_job_id_is_a_4xx(client):
    assert client.get("/v1/jobs/999").status_code == 404
    r = client.get("/v1/jobs/abc")
    assert r.status_code == 422 and "job_id" in r.text


def test_a_bad_submission_is_refused_before_anything_is_queued(client, contract_example, store):
    contract_example["documents"] = [{"kind": "business_licence", "file": "licence.jpg"}]  # but not sent
    r = client.post(
        "/v1/screenings?wait=false",
        files={"submission": (None, json.dumps(contract_example, ensure_ascii=False), "application/json")})
    assert r.status_code == 422 and r.json()["field"] == "documents[0].file", r.text
    assert client.app.state.service.jobs.counts() == {}


def _example_parts() -> dict:
    files = {}
    for name, path in curl_parts():
        mime = "application/json" if name == "submission" else "application/octet-stream"
        files[name] = (path.name, path.read_bytes(), mime)
    return files


@pytest.mark.slow  # real OCR of the example's licence and statement
def test_the_default_answer_is_bounded_and_pending_documents_finish_in_a_job(make_ocr_client):
    with make_ocr_client(sync_wait_s=0) as client:
        r = client.post("/v1/screenings", files=_example_parts())
        assert r.status_code == 202, r.text
        partial = r.json()
        # the rest of the report now, the documents later
        assert partial["status"] == "pending" and partial["pending"] == ["documents"]
        assert "ocr" not in partial["timings_ms"] and partial["findings"] == []
        job = _wait_done(client, partial["job"]["status_url"])
        assert job["state"] == "done", job
        final = client.get(job["report_url"]).json()
        assert final["status"] == "complete" and final["findings"] == [] and "ocr" in final["timings_ms"]
        assert "business_licence" in final["extracted"] and "business_licence" not in partial["extracted"]


@pytest.mark.slow  # real OCR
def test_within_the_wait_the_answer_is_the_whole_report_made_by_a_job(make_ocr_client):
    with make_ocr_client(sync_wait_s=120) as client:
        r = client.post("/v1/screenings", files=_example_parts())
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["status"] == "complete" and "ocr" in report["timings_ms"]
        job = client.get("/v1/jobs/1").json()  # the documents were read by this process's job worker
        assert job["state"] == "done" and job["revision"] == report["revision"] == 1


@pytest.mark.slow  # real OCR
def test_without_job_threads_here_a_worker_elsewhere_reads_the_documents(make_ocr_client):
    with make_ocr_client(job_threads=0, sync_wait_s=0.5) as client:
        r = client.post("/v1/screenings", files=_example_parts())
        assert r.status_code == 202 and r.json()["status"] == "pending", r.text
        service = client.app.state.service
        assert service.jobs.get(1).state == "queued"  # nobody in this process took it
        assert service.make_runner(threads=1).drain() == 1  # as `prescreen worker --until-idle` does
        job = client.get("/v1/jobs/1").json()
        assert job["state"] == "done" and client.get(job["report_url"]).json()["status"] == "complete"
