"""POST /v1/screenings and friends, as the review pipeline uses them."""

from __future__ import annotations

import io
import json

from PIL import Image


def _png(color=(200, 30, 30), size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def post(client, submission: dict, files: dict[str, bytes] | None = None):
    parts = {"submission": (None, json.dumps(submission, ensure_ascii=False), "application/json")}
    for name, data in (files or {}).items():
        parts[name] = (name, data, "application/octet-stream")
    return client.post("/v1/screenings", files=parts)


def test_contract_example_comes_back_as_the_contract_says(client, contract_example):
    r = post(client, contract_example)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["submission_id"] == "2026-P-000123"
    assert report["status"] == "complete", [f for f in report["findings"] if f["code"] == "CHECK_FAILED"]
    assert report["revision"] == 1
    assert 0 <= report["priority"]["score"] <= 100
    assert set(report) >= {"priority", "findings", "extracted", "duplicates", "models", "timings_ms"}
    for f in report["findings"]:
        assert set(f) >= {"code", "severity", "field", "message", "evidence", "confidence", "source"}
    # the example is a clean filing: nothing blocks it
    assert not [f for f in report["findings"] if f["severity"] == "block"], report["findings"]


def test_a_changed_form_is_a_new_revision_and_a_resend_is_not(client, contract_example):
    assert post(client, contract_example).json()["revision"] == 1
    assert post(client, contract_example).json()["revision"] == 1  # idempotent retry
    contract_example["product"]["name"] = "一种家用电冰箱的制造方法"
    second = post(client, contract_example).json()
    assert second["revision"] == 2
    got = client.get("/v1/screenings/2026-P-000123").json()
    assert got["revision"] == 2
    assert [r["revision"] for r in got["revisions"]] == [1, 2]


def test_files_are_stored_by_content(client, contract_example, store):
    contract_example["documents"] = [{"kind": "product_photo", "file": "photo.png"}]
    png = _png()
    r = post(client, contract_example, {"photo.png": png})
    assert r.status_code == 200, r.text
    rev = store.revision("2026-P-000123")
    assert rev.files[0]["kind"] == "product_photo"
    assert store.blobs.get(rev.files[0]["sha256"]) == png


def test_missing_and_unnamed_file_parts_name_the_field(client, contract_example):
    contract_example["documents"] = [{"kind": "business_licence", "file": "licence.jpg"}]
    r = post(client, contract_example)
    assert r.status_code == 422
    assert r.json()["field"] == "documents[0].file"
    contract_example["documents"] = []
    r = post(client, contract_example, {"stray.png": _png()})
    assert r.status_code == 422 and r.json()["field"] == "stray.png"


def test_malformed_json_and_wrong_types_name_the_field(client, contract_example):
    r = client.post("/v1/screenings", files={"submission": (None, "{not json", "application/json")})
    assert r.status_code == 422 and r.json()["field"] == "submission"
    contract_example["entity"]["figures_wan"]["net_profit"] = "820万"
    r = post(client, contract_example)
    assert r.status_code == 422
    assert r.json()["field"] == "entity.figures_wan.net_profit"
    contract_example["entity"]["figures_wan"]["net_profit"] = 820
    contract_example["stage"] = "products"
    r = post(client, contract_example)
    assert r.status_code == 422 and r.json()["field"] == "stage"


def test_failed_request_writes_nothing(client, contract_example, store):
    contract_example["documents"] = [{"kind": "business_licence", "file": "licence.jpg"}]
    assert post(client, contract_example).status_code == 422
    assert client.get("/v1/screenings/2026-P-000123").status_code == 404
    assert store.counts() == {"open": 0, "decided": 0}


def test_json_body_instead_of_multipart_is_a_clear_422(client, contract_example):
    r = client.post("/v1/screenings", json=contract_example)
    assert r.status_code == 422 and r.json()["field"] == "content-type"


def test_oversized_request_is_413_before_it_is_read(client, app):
    limit = app.state.settings.max_request_bytes
    r = client.post("/v1/screenings", content=b"x" * 10, headers={"content-length": str(limit + 1),
                                                                   "content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413 and r.json()["field"] == "body"


def test_no_key_or_a_wrong_key_is_401(client, contract_example):
    client.headers.pop("Authorization")
    assert client.get("/v1/queue").status_code == 401
    client.headers["Authorization"] = "Bearer psk_wrong"
    r = client.get("/v1/queue")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_revoked_key_stops_working(client, store, api_key):
    assert client.get("/v1/queue").status_code == 200
    store.revoke_api_key(api_key[:12], actor="tests")
    assert client.get("/v1/queue").status_code == 401


def test_decision_closes_the_item_and_is_append_only(client, contract_example, store):
    contract_example["product"]["patents"] = []
    report = post(client, contract_example).json()
    queue = client.get("/v1/queue").json()
    assert queue["total"] == 1
    # the queue shows the score as it stands today (this example was filed days before the test runs)
    from screening.priority import score_of

    prio = queue["items"][0]["priority"]
    assert prio["score_at_screening"] == report["priority"]["score"] and prio["p_reject"] == report["priority"]["p_reject"]
    assert prio["score"] == score_of(prio["p_reject"], prio["time_pressure"]) and 0 <= prio["time_pressure"] <= 1
    body = {"decision": "returned", "reason_codes": ["PATENT_MISSING"],
            "feedback": [{"finding": 0, "verdict": "confirmed"}], "comment": "请修改产品名称"}
    first = client.post("/v1/screenings/2026-P-000123/decision", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["feedback"][0]["code"] == report["findings"][0]["code"]
    assert client.get("/v1/queue").json()["total"] == 0
    second = client.post("/v1/screenings/2026-P-000123/decision",
                         json={"decision": "rejected", "reason_codes": ["PATENT_MISSING"]})
    assert second.json()["supersedes"] == first.json()["id"]
    history = client.get("/v1/screenings/2026-P-000123/decisions").json()
    assert [d["decision"] for d in history] == ["returned", "rejected"]
    actions = [a["action"] for a in store.audit_log("2026-P-000123")]
    assert actions.count("decision.recorded") == 2 and "screening.recorded" in actions


def test_decision_errors_name_the_field(client, contract_example):
    post(client, contract_example)
    url = "/v1/screenings/2026-P-000123/decision"
    r = client.post(url, json={"decision": "returned", "reason_codes": []})
    assert r.status_code == 422 and r.json()["field"] == "reason_codes"
    r = client.post(url, json={"decision": "returned", "reason_codes": ["NOT_A_CODE"]})
    assert r.status_code == 422 and r.json()["field"] == "reason_codes[0]"
    r = client.post(url, json={"decision": "approved", "feedback": [{"finding": 999, "verdict": "confirmed"}]})
    assert r.status_code == 422 and r.json()["field"] == "feedback[0].finding"
    r = client.post(url, json={"decision": "approved", "revision": 7})
    assert r.status_code == 404 and r.json()["field"] == "revision"
    r = client.post("/v1/screenings/unknown-id/decision", json={"decision": "approved"})
    assert r.status_code == 404
    r = client.post(url, json={"decision": "maybe"})
    assert r.status_code == 422 and r.json()["field"] == "decision"


def test_queue_orders_by_priority_and_filters(client, contract_example):
    clean = dict(contract_example, submission_id="S-clean")
    bad = json.loads(json.dumps(contract_example))
    bad["submission_id"] = "S-bad"
    bad["product"]["patents"] = []
    bad["entity"]["uscc"] = "91440300MA5H3E0T3X"
    entity = json.loads(json.dumps(contract_example))
    entity.update(submission_id="S-entity", stage="entity")
    entity.pop("product")
    for s in (clean, bad, entity):
        assert post(client, s).status_code == 200
    q = client.get("/v1/queue").json()
    assert q["total"] == 3 and q["items"][0]["submission_id"] == "S-bad"
    scores = [i["priority"]["score"] for i in q["items"]]
    assert scores == sorted(scores, reverse=True)
    assert [i["submission_id"] for i in client.get("/v1/queue?stage=entity").json()["items"]] == ["S-entity"]
    assert [i["submission_id"] for i in client.get("/v1/queue?code=PATENT_MISSING").json()["items"]] == ["S-bad"]
    assert client.get("/v1/queue?min_age_days=3650").json()["total"] == 0
    assert client.get("/v1/queue?limit=0").status_code == 422


def test_verified_code_is_not_flagged_again(client, contract_example):
    # a real code issued with a non-conforming check character (bluesky335/IDCheck)
    contract_example["entity"]["uscc"] = "91350211M0000XUF46"
    codes = [f["code"] for f in post(client, contract_example).json()["findings"]]
    assert "ENTITY_USCC_INVALID" in codes
    r = client.post("/v1/verified-codes", json={"uscc": "91350211M0000XUF46", "note": "公示系统已核实"})
    assert r.status_code == 201
    contract_example["product"]["intro"] += "。"
    codes = [f["code"] for f in post(client, contract_example).json()["findings"]]
    assert "ENTITY_USCC_INVALID" not in codes


def test_healthz_and_metrics(client, contract_example):
    h = client.get("/healthz").json()
    assert h["database"] == "ok"
    post(client, contract_example)
    text = client.get("/metrics").text
    assert 'prescreen_screenings_total{stage="product"' in text
    assert 'prescreen_http_requests_total{method="POST",route="/v1/screenings",status="200"}' in text


def test_text_screenings_run_a_few_at_a_time_per_process(app, client, contract_example):
    """PRESCREEN_SCREEN_THREADS places: more requests than places wait for one (all answered)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    app.state.settings.screen_threads = 2
    service = app.state.service
    screen, running, most, guard = service.screen, [0], [0], threading.Lock()

    def counted(*args, **kwargs):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.2)  # long enough for every request to be in flight at once
            return screen(*args, **kwargs)
        finally:
            with guard:
                running[0] -= 1

    service.screen = counted
    forms = [dict(contract_example, submission_id=f"2026-P-LIM{i}") for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda f: post(client, f), forms))
    assert [r.status_code for r in answers] == [200] * 6
    assert most[0] == 2
