"""Every reviewer action in an append-only audit log (who, when, what, from where), which
signed-in admins read through /v1/audit and nobody can rewrite."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from tests.api.web_helpers import sign_in
from screening.storage.tables import AuditRow
from tests.api.test_screenings import post

PASSWORD = "correct-horse-42"


@pytest.fixture
def people(app):
    app.state.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app.state.users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    app.state.users.create_user("root", PASSWORD, "admin", actor="tests")
    return app.state.users


def _signed_in(app, name):
    c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    sign_in(c, "", name, PASSWORD)
    return c


def test_reviewer_actions_are_audited_and_only_admins_read_the_log(app, client, people, contract_example):
    post(client, contract_example)
    with _signed_in(app, "wang") as wang:
        csrf = people.session(wang.cookies.get("prescreen_session")).csrf_token
        r = wang.post("/v1/screenings/2026-P-000123/decision", json={"decision": "approved"},
                      headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        r = wang.post("/v1/verified-codes", json={"uscc": "91350211M0000XUF46"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        assert wang.get("/v1/audit").status_code == 403  # a reviewer does not read it
    assert client.get("/v1/audit").status_code == 403  # nor does any API key
    with _signed_in(app, "root") as root:
        log = root.get("/v1/audit", params={"actor": "user:wang"}).json()["items"]
        actions = {e["action"]: e for e in log}
        assert {"decision.recorded", "uscc.verified", "user.signed_in"} <= set(actions)
        decided = actions["decision.recorded"]
        assert decided["subject"] == "2026-P-000123" and decided["client"] and decided["at"]
        assert actions["uscc.verified"]["client"] and actions["user.signed_in"]["client"]
        # keyset pages: newest first, 'next' leads on with no overlap
        first = root.get("/v1/audit", params={"limit": 2}).json()
        second = root.get("/v1/audit", params={"limit": 2, "before": first["next"]}).json()
        ids = [e["id"] for e in first["items"] + second["items"]]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


def test_the_audit_log_cannot_be_rewritten(store):
    store.audit("tests", "something.done", "x")
    with pytest.raises(Exception):
        with store.Session.begin() as s:
            s.execute(update(AuditRow).values(actor="someone-else"))
    with pytest.raises(Exception):
        with store.Session.begin() as s:
            s.execute(delete(AuditRow))
    assert [e["actor"] for e in store.audit_log("x")] == ["tests"]
