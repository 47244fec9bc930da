"""What an API key may do: the pipeline's key screens and reads; reviewers' actions (verified
codes, decisions) need a signed-in reviewer or a key made for them; keys expire."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.api.web_helpers import sign_in
from tests.api.test_screenings import post

PASSWORD = "correct-horse-42"


@pytest.fixture
def pipeline(app, store):
    """A client with a key as ``prescreen keys create`` makes it by default."""
    key = store.create_api_key("pipeline", actor="tests")
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        yield c


def test_a_pipeline_key_screens_and_reads_but_cannot_act_as_a_reviewer(pipeline, contract_example, store):
    contract_example["entity"]["uscc"] = "91350211M0000XUF46"  # a real code with a non-conforming check character
    assert post(pipeline, contract_example).status_code == 200
    assert pipeline.get("/v1/screenings/2026-P-000123").status_code == 200
    assert pipeline.get("/v1/queue").status_code == 200
    r = pipeline.post("/v1/verified-codes", json={"uscc": "91350211M0000XUF46"})
    assert r.status_code == 403 and r.json()["field"] == "Authorization", r.text
    assert not store.is_code_verified("91350211M0000XUF46")
    r = pipeline.post("/v1/screenings/2026-P-000123/decision", json={"decision": "approved", "reviewer": "王五"})
    assert r.status_code == 403, r.text
    assert store.decisions("2026-P-000123") == []


def test_a_decisions_key_records_its_owner_never_a_name_the_client_sends(app, store, contract_example, client):
    post(client, contract_example)
    key = store.create_api_key("review-desk-zhang", actor="tests", scopes=("read", "decisions"))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        r = c.post("/v1/screenings/2026-P-000123/decision", json={"decision": "approved", "reviewer": "王五"})
        assert r.status_code == 201, r.text
        assert r.json()["reviewer"] == "review-desk-zhang"
        assert c.post("/v1/verified-codes", json={"uscc": "91350211M0000XUF46"}).status_code == 403
        assert post(c, contract_example).status_code == 403  # no 'screen' scope


def test_a_signed_in_reviewer_decides_as_themself(app, store, contract_example, client):
    post(client, contract_example)
    app.state.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app.state.users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    with TestClient(app, raise_server_exceptions=False) as web:
        sign_in(web, "", "wang", PASSWORD)
        csrf = web.get("/v1/queue")  # the JSON API takes the session for reads
        assert csrf.status_code == 200
        token = web.cookies.get("prescreen_session")
        signed = app.state.users.session(token)
        r = web.post("/v1/verified-codes", json={"uscc": "91350211M0000XUF46"},
                     headers={"X-CSRF-Token": signed.csrf_token})
        assert r.status_code == 201, r.text
        r = web.post("/v1/screenings/2026-P-000123/decision", json={"decision": "approved", "reviewer": "王五"},
                     headers={"X-CSRF-Token": signed.csrf_token})
        assert r.status_code == 201 and r.json()["reviewer"] == "wang", r.text


def test_an_expired_key_is_refused(app, store):
    key = store.create_api_key("short", actor="tests", expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
    assert store.verify_api_key(key) is not None
    assert store.verify_api_key(key, now=datetime.now(timezone.utc) + timedelta(hours=2)) is None
    old = store.create_api_key("old", actor="tests", expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/v1/queue", headers={"Authorization": f"Bearer {old}"})
        assert r.status_code == 401 and "expired" in r.json()["message"]


def test_unknown_scopes_are_refused(store):
    from screening.errors import InvalidInput

    with pytest.raises(InvalidInput):
        store.create_api_key("x", actor="tests", scopes=("screen", "admin"))


def test_two_processes_starting_on_an_empty_database_make_one_bootstrap_key(database_url, tmp_path):
    """Each 'process' has its own engine; they race to the first start's key."""
    from concurrent.futures import ThreadPoolExecutor

    from screening.storage import open_store

    stores = [open_store(database_url, tmp_path / "files") for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            made = list(pool.map(lambda s: s.create_bootstrap_key(actor="cli:serve"), stores))
        assert sum(1 for m in made if m) == 1
        keys = stores[0].list_api_keys()
        assert len(keys) == 1 and keys[0].scopes == ("screen", "read")
        assert stores[0].create_bootstrap_key(actor="cli:serve") is None  # and never again
    finally:
        for s in stores:
            s.engine.dispose()
