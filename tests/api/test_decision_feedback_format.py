"""README's decision body, verbatim: a finding named by position or by code in ``finding``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.cli import main
from tests.api.test_documents_and_stages import _png
from tests.api.test_screenings import post as post_form

README = Path(__file__).resolve().parents[2] / "README.md"
URL = "/v1/screenings/2026-P-000123/decision"


def readme_decision_example() -> dict:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"A decision body.*?```json\n(.*?)\n```", text, re.S)
    assert block, "README.md has no 'A decision body' JSON example"
    return json.loads(block.group(1))


def _branded(contract_example) -> dict:
    """The contract example with a brand and an adjective in the name: NAME_BRAND, NAME_ADJECTIVE."""
    contract_example["product"]["name"] = "华为高效节能空调"
    # the uploads a regulated product needs, so the text findings are the report's first two
    contract_example["documents"] = [{"kind": kind, "file": f"{kind}.png"} for kind in UPLOADS]
    return contract_example


UPLOADS = ("product_photo", "economic_proof", "certification")


def post(client, submission: dict):
    return post_form(client, submission, {f"{kind}.png": _png() for kind in UPLOADS})


def test_readme_decision_example_is_accepted_as_written(client, contract_example):
    report = post(client, _branded(contract_example)).json()
    assert [f["code"] for f in report["findings"]][:2] == ["NAME_BRAND", "NAME_ADJECTIVE"]
    r = client.post(URL, json=readme_decision_example())
    assert r.status_code == 201, r.text
    assert [(f["finding"], f["code"], f["verdict"]) for f in r.json()["feedback"]] == [
        (0, "NAME_BRAND", "confirmed"), (1, "NAME_ADJECTIVE", "false_positive")]


def test_the_older_code_key_is_still_read(client, contract_example):
    post(client, _branded(contract_example))
    r = client.post(URL, json={"decision": "approved", "feedback": [{"code": "NAME_ADJECTIVE", "verdict": "false_positive"}]})
    assert r.status_code == 201, r.text
    assert r.json()["feedback"][0]["finding"] == 1


def test_errors_name_feedback_finding(client, contract_example):
    post(client, _branded(contract_example))
    for finding in ("NOT_A_CODE", "INTRO_TOO_LONG", 7):  # unknown code; known but not in the report; no such position
        r = client.post(URL, json={"decision": "approved", "feedback": [{"finding": finding, "verdict": "confirmed"}]})
        assert r.status_code == 422 and r.json()["field"] == "feedback[0].finding", (finding, r.text)
    assert client.get("/v1/screenings/2026-P-000123/decisions").json() == []


def test_cli_import_reads_the_readme_form(tmp_path, database_url, monkeypatch, contract_example, capsys):
    from screening.settings import get_settings

    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PRESCREEN_OCR_ENABLED", "false")
    get_settings.cache_clear()
    try:
        sub = tmp_path / "sub.json"
        sub.write_text(json.dumps(_branded(contract_example), ensure_ascii=False), encoding="utf-8")
        for kind in UPLOADS:  # the files the form names, beside it
            (tmp_path / f"{kind}.png").write_bytes(_png())
        assert main(["screen", str(sub)]) == 0
        dec = tmp_path / "d.jsonl"
        bad = {"submission_id": "2026-P-000123", "decision": "approved",
               "feedback": [{"finding": "NOT_A_CODE", "verdict": "confirmed"}]}
        dec.write_text(json.dumps(bad) + "\n", encoding="utf-8")
        assert main(["decisions", "import", str(dec)]) == 2
        assert "line 1.feedback[0].finding" in capsys.readouterr().err
        line = {"submission_id": "2026-P-000123", **readme_decision_example()}
        dec.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
        assert main(["decisions", "import", str(dec)]) == 0
        assert "recorded 1 decisions" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()
