"""Faults of the machine under the service: an upload directory that cannot be written, a
database that is down. A clear 503, nothing written, readiness says so, and recovery needs
no restart."""

from __future__ import annotations

import errno
import os


from tests.api.test_screenings import _png, post


def _photo_submission(contract_example) -> tuple[dict, dict]:
    contract_example["documents"] = [{"kind": "product_photo", "file": "photo.png"}]
    return contract_example, {"photo.png": _png()}


def test_an_unwritable_upload_directory_is_a_503_and_readiness_says_so(client, contract_example, store, tmp_path):
    sub, files = _photo_submission(contract_example)
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    good_root, store.blobs.root = store.blobs.root, blocker / "files"  # mkdir under a file fails, even as root
    r = post(client, sub, files)
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "Unavailable" and "文件" not in r.json()["message"]
    assert "upload" in r.json()["message"] or "storage" in r.json()["message"]
    assert store.counts() == {"open": 0, "decided": 0}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["storage"] != "ok"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert client.get("/livez").status_code == 200
    store.blobs.root = good_root  # repaired: served again without a restart
    assert client.get("/readyz").status_code == 200
    assert post(client, sub, files).status_code == 200


def test_a_full_disk_is_a_503_and_nothing_is_written(client, contract_example, store, monkeypatch):
    sub, files = _photo_submission(contract_example)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("screening.storage.blobs.os.fsync", full)
    r = post(client, sub, files)
    assert r.status_code == 503, r.text
    assert store.counts() == {"open": 0, "decided": 0}
    leftovers = [p for p in store.blobs.root.rglob("*") if p.is_file()]
    assert leftovers == []  # the half-written temporary file is gone too


def test_a_database_that_is_down_is_a_503_and_recovers_without_restart(client, contract_example, store, monkeypatch):
    from sqlalchemy.exc import OperationalError

    assert post(client, contract_example).status_code == 200
    real_connect = store.engine.pool.connect

    def down():
        raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))

    store.engine.dispose()
    monkeypatch.setattr(store.engine.pool, "connect", down)
    r = client.get("/v1/screenings/2026-P-000123")
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "Unavailable" and r.json()["field"] is None
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["database"] != "ok"
    assert client.get("/livez").status_code == 200
    monkeypatch.setattr(store.engine.pool, "connect", real_connect)
    assert client.get("/readyz").status_code == 200
    assert client.get("/v1/screenings/2026-P-000123").status_code == 200
