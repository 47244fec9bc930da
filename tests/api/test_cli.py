"""The command line, as CONTRACT.md writes it: exit 0 / 2 / 1, JSON on stdout, same store as HTTP."""

from __future__ import annotations

import json
import os

import pytest

from api.cli import main
from screening.settings import get_settings
from screening.storage import open_store


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PRESCREEN_OCR_ENABLED", "false")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _store():
    s = get_settings()
    return open_store(s.sqlalchemy_url, s.files_dir)


def _batch_file(folder, example, ids, bad_at, bad_line):
    """A batch file: the example once per id, with ``bad_line`` inserted at index ``bad_at``."""
    lines = [json.dumps(example | {"submission_id": sid}, ensure_ascii=False) for sid in ids]
    lines.insert(bad_at, bad_line)
    src = folder / "subs.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def test_screen_one_records_like_http(cli_env, contract_example, capsys):
    path = cli_env / "sub.json"
    photo = cli_env / "photo.png"
    from PIL import Image

    Image.new("RGB", (32, 32), (10, 120, 10)).save(photo)
    contract_example["documents"] = [{"kind": "product_photo", "file": "photo.png"}]
    path.write_text(json.dumps(contract_example, ensure_ascii=False), encoding="utf-8")
    assert main(["screen", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["submission_id"] == "2026-P-000123" and report["revision"] == 1
    store = _store()
    assert store.latest_report("2026-P-000123")["revision"] == 1
    assert store.revision("2026-P-000123").files[0]["name"] == "photo.png"


@pytest.mark.slow  # one CLI run per bad input: 2.7 s
def test_bad_input_exits_2_with_the_reason(cli_env, contract_example, capsys):
    path = cli_env / "sub.json"
    contract_example["documents"] = [{"kind": "business_licence", "file": "missing.jpg"}]
    path.write_text(json.dumps(contract_example), encoding="utf-8")
    assert main(["screen", str(path)]) == 2
    assert "documents[0].file" in capsys.readouterr().err
    path.write_text("{oops", encoding="utf-8")
    assert main(["screen", str(path)]) == 2
    assert main(["screen", str(cli_env / "nope.json")]) == 2


def test_batch_with_progress_and_a_bad_line(cli_env, contract_example, capsys):
    src = _batch_file(cli_env, contract_example, [f"B-{i}" for i in range(5)], 2,
                      '{"submission_id": "B-bad", "stage": "nope"}')
    out = cli_env / "reports.jsonl"
    assert main(["screen", "--batch", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "stage" in err
    reports = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(reports) == 6
    assert reports[2]["field"] == "stage"
    assert {r.get("submission_id") for r in reports if "priority" in r} == {f"B-{i}" for i in range(5)}
    assert _store().counts()["open"] == 5


def test_decisions_import_is_all_or_nothing(cli_env, contract_example, capsys):
    path = cli_env / "sub.json"
    path.write_text(json.dumps(contract_example), encoding="utf-8")
    assert main(["screen", str(path)]) == 0
    capsys.readouterr()
    good = {"submission_id": "2026-P-000123", "decision": "approved", "reviewer": "王审查"}
    bad = {"submission_id": "2026-P-000123", "decision": "returned", "reason_codes": ["NOPE"]}
    dec = cli_env / "decisions.jsonl"
    dec.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert main(["decisions", "import", str(dec)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert _store().decisions() == []
    dec.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["decisions", "import", str(dec)]) == 0
    assert [d["reviewer"] for d in _store().decisions()] == ["王审查"]


def test_decisions_import_stores_nothing_on_a_late_error_and_a_rerun_stores_nothing_twice(cli_env, contract_example, capsys):
    """Line 2 is well-formed but names a finding the report does not have: found only against the
    stored report, after line 1 was checked; nothing may be stored. A re-run of the fixed file
    stores each line once, and running it again stores nothing."""
    path = cli_env / "sub.json"
    path.write_text(json.dumps(contract_example), encoding="utf-8")
    assert main(["screen", str(path)]) == 0
    capsys.readouterr()
    line = lambda **kw: json.dumps({"submission_id": "2026-P-000123", **kw}, ensure_ascii=False)  # noqa: E731
    lines = [line(decision="approved", reviewer="王审查"),
             line(decision="approved", reviewer="李审查", feedback=[{"finding": 99, "verdict": "correct"}]),
             line(decision="approved", reviewer="李审查", comment="复核通过"),
             line(decision="approved", reviewer="赵审查")]
    dec = cli_env / "decisions.jsonl"
    dec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["decisions", "import", str(dec)]) == 2
    assert "line 2:" in capsys.readouterr().err
    assert _store().decisions() == []
    lines[1] = line(decision="approved", reviewer="李审查")
    dec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["decisions", "import", str(dec)]) == 0
    assert main(["decisions", "import", str(dec)]) == 0
    assert "4 already recorded" in capsys.readouterr().out
    assert [d["reviewer"] for d in _store().decisions()] == ["王审查", "李审查", "李审查", "赵审查"]


def test_decisions_import_help_describes_the_line_format(capsys):
    with pytest.raises(SystemExit):
        main(["decisions", "import", "--help"])
    out = capsys.readouterr().out
    assert '"submission_id"' in out and '"finding"' in out and "line N" in out


def test_keys_create_list_revoke(cli_env, capsys):
    assert main(["keys", "create", "pipeline"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("psk_") and _store().verify_api_key(key) is not None
    assert main(["keys", "list"]) == 0
    assert key[:12] in capsys.readouterr().out
    assert main(["keys", "revoke", key[:12]]) == 0
    assert _store().verify_api_key(key) is None
    assert main(["keys", "revoke", "psk_nothing"]) == 2


@pytest.mark.slow
def test_read_prints_the_fields_of_one_document(tmp_path, capsys):
    import random

    from training.docgen import render_licence
    from training.docgen.fonts import available

    if not available():
        pytest.skip("fonts-noto-cjk not installed")
    img, truth = render_licence(random.Random(5), "paper", damage=[])
    img.save(tmp_path / "licence.png")
    assert main(["read", "licence", str(tmp_path / "licence.png")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "business_licence" and out["uscc"]["value"] == truth["uscc"]
    assert len(out["uscc"]["box"]) == 4 and out["uscc_status"] == "ok"  # a clean page reads without correction
    assert main(["read", "licence", str(tmp_path / "missing.png")]) == 2
    assert "image" in capsys.readouterr().err


def test_keys_create_with_scopes_and_an_expiry(cli_env, capsys):
    assert main(["keys", "create", "desk-zhang", "--scope", "read", "--scope", "decisions",
                 "--expires-days", "30"]) == 0
    key = _store().verify_api_key(capsys.readouterr().out.strip())
    assert key.scopes == ("read", "decisions") and key.expires_at is not None
    assert main(["keys", "create", "pipeline"]) == 0
    assert _store().verify_api_key(capsys.readouterr().out.strip()).scopes == ("screen", "read")
    assert main(["keys", "list"]) == 0
    assert "scopes: read decisions" in capsys.readouterr().out
    assert main(["keys", "create", "x", "--expires-days", "-1"]) == 2


def test_codes_verify_warns_on_a_wrong_check_character_and_refuses_a_malformed_code(cli_env, capsys):
    assert main(["codes", "verify", "91440300MA5H3E0T3X", "--note", "公示系统核实"]) == 0
    out = capsys.readouterr()
    assert "warning" in out.err and "“W”" in out.err  # names the expected check character
    assert _store().is_code_verified("91440300MA5H3E0T3X")
    for bad in ("9144030", "91440300MA5H3E0TIW"):  # wrong length, letter outside the alphabet
        assert main(["codes", "verify", bad]) == 2
        assert "error" in capsys.readouterr().err
        assert not _store().is_code_verified(bad)


@pytest.mark.slow  # starts two worker processes, each loading the models
def test_batch_over_worker_processes_writes_every_report_in_line_order(cli_env, contract_example, capsys):
    src = _batch_file(cli_env, contract_example, [f"W-{i}" for i in range(6)], 3, "{not json")
    out = cli_env / "reports.jsonl"
    assert main(["screen", "--batch", str(src), "--out", str(out), "--workers", "2"]) == 2
    assert "line 4" in capsys.readouterr().err
    reports = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("submission_id") for r in reports] == ["W-0", "W-1", "W-2", None, "W-3", "W-4", "W-5"]
    assert all(r["revision"] == 1 for r in reports if "priority" in r) and reports[3]["field"] == "submission"
    store = _store()
    jobs = store_jobs(store)
    assert sorted(j.state for j in jobs) == ["done"] * 6
    assert {j.worker.split(":")[1] for j in jobs} - {str(os.getpid())}  # run by the worker processes
    # the same batch again: every report is the stored one, no job, no new revision
    assert main(["screen", "--batch", str(src), "--out", str(out), "--workers", "2"]) == 2
    assert len(store_jobs(store)) == 6 and store.counts()["open"] == 6


def store_jobs(store):
    from screening.storage.jobs import JobQueue

    return JobQueue(store.engine).recent()
