"""A full run through the service — screenings (a clean one, a flawed one, a resend, a
revision), hostile input, sign-ins right and wrong, decisions, the pages — with every log
line captured as the service writes it (JSON, DEBUG): none carries a filer's names, credit
codes or legal representative, nor a reviewer's name or password."""

from __future__ import annotations

import io
import json
import logging

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.logging_setup import JsonFormatter
from tests.api.web_helpers import sign_in
from tests.api.test_screenings import post

PASSWORD = "correct-horse-42"
REVIEWER = "zhangwei"


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_a_full_run_logs_no_personal_data(app, client, store, contract_example, captured):
    form = contract_example
    form["entity"]["legal_representative"] = "欧阳娜娜"
    secrets_ = [form["entity"]["name"], form["entity"]["uscc"], "欧阳娜娜", "雄楚", REVIEWER, PASSWORD,
                "wrong-password-9", form["product"]["patents"][0]["holder"]]
    assert post(client, form).status_code == 200
    assert post(client, form).status_code == 200  # an unchanged resend
    flawed = json.loads(json.dumps(form))
    flawed["submission_id"] = "2026-P-000124"
    flawed["entity"]["uscc"] = "91440300MA5H3E0T3X"  # a wrong check character
    flawed["product"]["name"] = "雄楚牌家用电冰箱"
    flawed["submitted_at"] = "0001-01-01T00:00:00+14:00"
    assert post(client, flawed).status_code == 422
    flawed["submitted_at"] = form["submitted_at"]
    assert post(client, flawed).status_code == 200
    form["product"]["intro"] += "。"
    assert post(client, form).status_code == 200  # a new revision
    app.state.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app.state.users.create_user(REVIEWER, PASSWORD, "reviewer", actor="tests", display_name="张伟")
    secrets_.append("张伟")
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as web:
        page = web.get("/login")
        import re

        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        web.post("/login", data={"username": REVIEWER, "password": "wrong-password-9", "csrf_token": token})
        sign_in(web, "", REVIEWER, PASSWORD)
        assert web.get("/queue").status_code == 200
        assert web.get("/submissions/2026-P-000124").status_code == 200
    r = client.post("/v1/screenings/2026-P-000124/decision",
                    json={"decision": "returned", "reason_codes": ["ENTITY_USCC_INVALID"], "comment": "欧阳娜娜请核对"})
    assert r.status_code == 201
    lines = captured.getvalue().splitlines()
    assert len(lines) >= 5  # the run was logged at all
    for line in lines:
        json.loads(line)  # every line is structured
        leaked = [s for s in secrets_ if s in line]
        assert not leaked, (leaked, line)
