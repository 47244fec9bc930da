"""Client input found by probing the running service that once gave 500s, was stored
unopenable, or reached another filing's files: each is a 4xx now and writes nothing."""

from __future__ import annotations

import json
import re

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.api.web_helpers import sign_in
from tests.api.test_screenings import _png, post

PASSWORD = "correct-horse-42"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def web(app, store):
    app.state.users.hasher = FAST
    app.state.users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        sign_in(c, "", "wang", PASSWORD)
        yield c


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _nothing_stored(store) -> None:
    assert store.counts() == {"open": 0, "decided": 0}


# ---------------------------------------------------------------- the submission's JSON
def test_deeply_nested_json_is_a_422_even_under_an_ignored_key(client, contract_example, store):
    deep = "[" * 5000 + "]" * 5000
    text = json.dumps(contract_example)[:-1] + f', "ignored": {deep}}}'
    r = client.post("/v1/screenings", files={"submission": (None, text, "application/json")})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "submission"
    _nothing_stored(store)


def test_deeply_nested_json_in_a_decision_body_is_a_4xx_with_the_error_shape(client, contract_example, store):
    post(client, contract_example)
    body = '{"decision": "approved", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    r = client.post("/v1/screenings/2026-P-000123/decision", content=body,
                    headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()) >= {"error", "message", "field"}
    assert store.decisions("2026-P-000123") == []


def test_a_lone_surrogate_in_a_text_field_is_a_422(client, contract_example, store):
    text = json.dumps(contract_example, ensure_ascii=False).replace('"家用电冰箱"', '"家用\\ud800电冰箱"', 1)
    assert "\\ud800" in text
    r = client.post("/v1/screenings", files={"submission": (None, text, "application/json")})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "product.name"
    _nothing_stored(store)


def test_a_lone_surrogate_in_a_decision_comment_is_a_422(client, contract_example, store):
    post(client, contract_example)
    body = '{"decision": "approved", "comment": "ok \\udc80"}'
    r = client.post("/v1/screenings/2026-P-000123/decision", content=body,
                    headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "comment"
    assert store.decisions("2026-P-000123") == []


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                  "0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00"])
def test_an_extreme_submitted_at_is_a_422(client, contract_example, store, when):
    contract_example["submitted_at"] = when
    r = post(client, contract_example)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "submitted_at"
    _nothing_stored(store)


def test_a_huge_revision_in_a_decision_is_a_4xx(client, web, contract_example, store):
    post(client, contract_example)
    r = client.post("/v1/screenings/2026-P-000123/decision", json={"decision": "approved", "revision": 10**30})
    assert r.status_code == 422 and r.json()["field"] == "revision"
    page = web.get("/submissions/2026-P-000123")
    r = web.post("/submissions/2026-P-000123/decision",
                 data={"csrf_token": _csrf(page.text), "decision": "approved", "revision": str(10**30)})
    assert r.status_code == 422, r.text
    assert store.decisions("2026-P-000123") == []


@pytest.mark.parametrize("pos", [str(10**30), "-5"])
def test_a_bad_queue_position_in_the_decision_form_writes_nothing(client, web, contract_example, store, pos):
    post(client, contract_example)
    page = web.get("/submissions/2026-P-000123")
    r = web.post("/submissions/2026-P-000123/decision",
                 data={"csrf_token": _csrf(page.text), "decision": "approved", "pos": pos})
    assert r.status_code == 422, r.text
    assert store.decisions("2026-P-000123") == []


# ---------------------------------------------------------------- ids
@pytest.mark.parametrize("sid", ["NL-1\n", "NL-1\r\n", "NL-1\x00"])
def test_an_id_with_a_trailing_newline_is_refused(client, contract_example, store, sid):
    contract_example["submission_id"] = sid
    r = post(client, contract_example)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "submission_id"
    _nothing_stored(store)
    assert client.get("/v1/screenings/NL-1%0A").status_code == 422


def test_a_username_with_a_trailing_newline_is_refused(app):
    from screening.errors import InvalidInput

    with pytest.raises(InvalidInput):
        app.state.users.create_user("wang2\n", PASSWORD, "reviewer", actor="tests")


# ---------------------------------------------------------------- file names
def test_a_traversing_part_name_never_reaches_another_filings_file(client, web, contract_example, store):
    other = json.loads(json.dumps(contract_example))
    other["submission_id"] = "OTHER"
    other["documents"] = [{"kind": "product_photo", "file": "licence.png"}]
    secret = _png((10, 200, 10))
    assert post(client, other, {"licence.png": secret}).status_code == 200
    name = "../../OTHER/files/licence.png"
    contract_example["documents"] = [{"kind": "product_photo", "file": name}]
    mine = _png((200, 10, 10))
    r = post(client, contract_example, {name: mine})
    if r.status_code == 422:  # refused outright: the name is not a plain file name
        assert r.json()["field"] in ("documents[0].file", name)
        return
    assert r.status_code == 200, r.text
    page = web.get("/submissions/2026-P-000123")
    assert page.status_code == 200
    urls = re.findall(r'(/submissions/2026-P-000123/files/[^"\']+)', page.text)
    assert urls and not [u for u in urls if ".." in u or "OTHER" in u]
    served = [web.get(u.replace("&amp;", "&")) for u in urls]
    assert any(s.content == mine for s in served)
    assert all(s.content != secret for s in served)
    # the raw traversal, as a browser would normalise it, lands on OTHER (a page of its own), not here
    assert web.get("/submissions/2026-P-000123/files/..%2F..%2FOTHER%2Ffiles%2Flicence.png").content != secret


# ---------------------------------------------------------------- multipart errors
def _shape(r, status: int, field: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"error", "message", "field"} and "detail" not in body, body
    assert body["field"] == field, body


def test_multipart_errors_have_the_contract_shape_and_name_the_field(client, contract_example, store):
    sub = (None, json.dumps(contract_example), "application/json")
    many = [("submission", sub)] + [(f"f{i}.png", (f"f{i}.png", b"x", "image/png")) for i in range(31)]
    _shape(client.post("/v1/screenings", files=many), 422, "documents")
    big_field = {"submission": (None, json.dumps(contract_example)), "note": (None, "x" * (3 * 1024 * 1024))}
    _shape(client.post("/v1/screenings", files=big_field), 413, "note")
    r = client.post("/v1/screenings", content=b"--x\r\n", headers={"content-type": "multipart/form-data"})
    _shape(r, 422, "content-type")
    unnamed = (b"--b\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--b--\r\n")
    r = client.post("/v1/screenings", content=unnamed, headers={"content-type": "multipart/form-data; boundary=b"})
    _shape(r, 422, "body")
    _nothing_stored(store)


def test_a_submission_sent_as_a_file_part_obeys_the_2_mb_cap(client, contract_example, store):
    contract_example["product"]["intro"] = "冰箱" * 10
    text = json.dumps(contract_example)[:-1] + ', "padding": "' + "x" * (3 * 1024 * 1024) + '"}'
    r = client.post("/v1/screenings", files={"submission": ("submission.json", text.encode(), "application/json")})
    _shape(r, 413, "submission")
    _nothing_stored(store)
