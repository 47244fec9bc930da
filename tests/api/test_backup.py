"""`prescreen backup` and `prescreen restore`: a round trip on SQLite and PostgreSQL, across the
two engines, from an older schema; one consistent snapshot while screenings are recorded; a
damaged or cut-short archive and an occupied target refused with nothing written."""

from __future__ import annotations

import copy
import io
import json
import tarfile
from datetime import timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import MetaData, inspect, select

from api.app import create_app
from api.cli import main
from screening.checks import default_checks
from screening.contract import Decision
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources, UploadedFile
from screening.register import RegisterPatent
from screening.service import ScreeningService
from screening.settings import Settings, get_settings
from screening.storage import backup as backup_module
from screening.storage import make_engine, open_store
from screening.storage.register import PatentRegisterStore
from screening.storage.keys import SCOPES
from screening.storage.users import UserStore
from tests.examples import CONTRACT_EXAMPLE


def _png(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 120, 10)).save(buf, "PNG")
    return buf.getvalue()


def _form(submission_id: str, intro: str | None = None) -> dict:
    form = copy.deepcopy(CONTRACT_EXAMPLE)
    form["submission_id"] = submission_id
    form["documents"] = [{"kind": "product_photo", "file": "photo.png"}]
    if intro:
        form["product"]["intro"] = intro
    return form


def _service(store) -> ScreeningService:
    return ScreeningService(Pipeline(default_checks(), Resources(verified_codes=store.is_code_verified)), store)


def _screen(service, form: dict, shade: int) -> None:
    service.screen(parse_submission(form), {"photo.png": UploadedFile("photo.png", _png(shade))}, actor="t")


def _populate(store, registry: Path) -> str:
    """Every kind of row prescreen stores, two uploaded files and a model registry; the API key."""
    service = _service(store)
    _screen(service, _form("2026-P-000123"), 10)
    _screen(service, _form("2026-P-000123", "双门风冷无霜冰箱，容积520升，变频压缩机。"), 10)  # a second revision
    _screen(service, _form("2026-P-000456"), 200)
    store.record_decision("2026-P-000123", Decision(decision="approved", comment="复核通过"), actor="王审查")
    users = UserStore(store.engine)
    user = users.create_user("wang", "a long enough password 7", "reviewer", actor="t", display_name="王审核")
    users.start_session(user, user_agent="pytest")
    users.sign_in("wang", "wrong password here", client="127.0.0.1")
    key = store.create_api_key("pipeline", actor="t", scopes=SCOPES)
    store.audit("t", "test.entry", "2026-P-000456", {"note": "审计"}, client="10.0.0.1")
    store.mark_code_verified("91440300MA5H3E0T3W", actor="王审查", note="人工核验")
    PatentRegisterStore(store.engine).replace(
        [RegisterPatent("201710601862.3", "in_force", "深圳市雄楚速通国际物流有限公司", "冰箱", "invention")],
        source="register.csv", actor="t")
    version = registry / "text-screener" / "versions" / "20260101-a"
    version.mkdir(parents=True)
    (version / "weights.bin").write_bytes(bytes(range(256)) * 40)
    (version / "manifest.json").write_text('{"version": "20260101-a"}', encoding="utf-8")
    (registry / "text-screener" / "serving.json").write_text('{"version": "20260101-a"}', encoding="utf-8")
    (registry / "text-screener" / "events.jsonl").write_text('{"event": "promoted"}\n', encoding="utf-8")
    return key


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows by primary key (alembic_version included), times as aware UTC."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            meta = MetaData()
            meta.reflect(conn)
            out = {}
            for table in meta.sorted_tables:
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                out[table.name] = [tuple(v.replace(tzinfo=v.tzinfo or timezone.utc).astimezone(timezone.utc)
                                         if hasattr(v, "astimezone") else v for v in row) for row in rows]
            return out
    finally:
        engine.dispose()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _cli(monkeypatch, data_dir: Path, url: str, *argv: str) -> int:
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PRESCREEN_OCR_ENABLED", "false")
    get_settings.cache_clear()
    try:
        return main(list(argv))
    finally:
        get_settings.cache_clear()


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@pytest.fixture
def source(database_url, store, tmp_path):
    """The ``store`` fixture's database, populated; its data directory is tmp_path."""
    return {"url": database_url, "dir": tmp_path, "key": _populate(store, tmp_path / "models"), "store": store}


def _backup(monkeypatch, source, capsys, name="backup.tar") -> Path:
    path = source["dir"] / name
    assert _cli(monkeypatch, source["dir"], source["url"], "backup", str(path)) == 0
    capsys.readouterr()
    return path


def _assert_restored(source, target_url: str, target_dir: Path) -> None:
    before, after = _rows(source["url"]), _rows(target_url)
    assert set(after) == set(before)
    for name in before:
        assert after[name] == before[name], name
    assert _files(target_dir / "files") == _files(source["dir"] / "files")
    assert _files(target_dir / "models") == _files(source["dir"] / "models")
    restored = open_store(target_url, target_dir / "files")
    try:
        for sid in ("2026-P-000123", "2026-P-000456"):
            assert restored.latest_report(sid) == source["store"].latest_report(sid)
            assert restored.revisions(sid) == source["store"].revisions(sid)
            for f in restored.revision(sid).files:
                assert restored.blobs.get(f["sha256"]) == source["store"].blobs.get(f["sha256"])
        # the restored service answers, to the key the source made, as the source did
        answers = []
        for store, data_dir in ((source["store"], source["dir"]), (restored, target_dir)):
            app = create_app(Settings(data_dir=data_dir, ocr_enabled=False), store=store,
                             pipeline=Pipeline(default_checks(), Resources(verified_codes=store.is_code_verified)))
            with TestClient(app) as client:
                r = client.get("/v1/screenings/2026-P-000123", headers={"Authorization": f"Bearer {source['key']}"})
                assert r.status_code == 200, r.text
                answers.append(r.json())
        assert answers[1]["revision"] == 2 and answers[1] == answers[0]
        # a new screening after the restore gets fresh ids (PostgreSQL's sequences were moved on)
        _screen(_service(restored), _form("2026-P-000789"), 90)
        assert restored.latest_report("2026-P-000789")["revision"] == 1
    finally:
        restored.engine.dispose()


# ---------------------------------------------------------------- round trips
def test_round_trip_restores_every_row_file_and_model(source, new_database, monkeypatch, capsys):
    path = source["dir"] / "backup.tar.gz"
    assert _cli(monkeypatch, source["dir"], source["url"], "backup", str(path)) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["blobs"] == 2 and summary["model_files"] == 4 and summary["rows"]["reports"] == 3
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["migration"] == backup_module.head() and manifest["prescreen_version"]
    # every table the migrations made is in the archive
    with source["store"].engine.connect() as conn:
        assert set(manifest["tables"]) == set(inspect(conn).get_table_names()) - {"alembic_version"}

    target_url, target_dir = new_database(_kind(source["url"])), source["dir"] / "restored"
    assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["decisions"] == 1
    _assert_restored(source, target_url, target_dir)


@pytest.mark.postgres
@pytest.mark.parametrize("direction", [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_backup_restores_into_the_other_engine(direction, new_database, tmp_path, monkeypatch, capsys):
    src_url = new_database(direction[0])
    store = open_store(src_url, tmp_path / "files")
    try:
        source = {"url": src_url, "dir": tmp_path, "key": _populate(store, tmp_path / "models"), "store": store}
        path = _backup(monkeypatch, source, capsys)
        target_url, target_dir = new_database(direction[1]), tmp_path / "restored"
        assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 0
        _assert_restored(source, target_url, target_dir)
    finally:
        store.engine.dispose()


def test_an_archive_of_an_older_schema_is_restored_and_migrated_to_head(database_url, new_database, tmp_path,
                                                                         monkeypatch, capsys):
    from alembic import command

    from screening.storage.db import alembic_config

    engine = make_engine(database_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        conn.exec_driver_sql("INSERT INTO api_keys (id, name, prefix, key_hash, created_at, scopes) VALUES "
                             "(7, 'old', 'psk_old', 'h', '2026-01-02 03:04:05', 'screen read')")
    engine.dispose()
    path = tmp_path / "old.tar"
    assert _cli(monkeypatch, tmp_path, database_url, "backup", str(path)) == 0
    capsys.readouterr()
    with tarfile.open(path) as tar:
        assert json.load(tar.extractfile("manifest.json"))["migration"] == "0005"
    target = new_database(_kind(database_url))
    assert _cli(monkeypatch, tmp_path / "restored", target, "restore", str(path)) == 0
    assert json.loads(capsys.readouterr().out)["restored_to"] == backup_module.head()
    rows = _rows(target)
    assert rows["alembic_version"] == [(backup_module.head(),)]
    assert [r[:3] for r in rows["api_keys"]] == [(7, "old", "psk_old")]
    store = open_store(target, tmp_path / "restored" / "files")
    try:  # the id sequence is past the restored key
        store.create_api_key("new", actor="t")
        assert [k.id for k in store.list_api_keys()] == [7, 8]
    finally:
        store.engine.dispose()


# ---------------------------------------------------------------- a consistent snapshot
def test_a_backup_is_one_moment_while_screenings_are_recorded(source, new_database, monkeypatch, capsys):
    """A screening recorded from another connection after the first table was read is in none of
    the archive's tables: every table is read in one snapshot."""
    writer = open_store(source["url"], source["dir"] / "files")
    portable, wrote = backup_module._portable, []

    def write_once(value, table, column):
        if not wrote:
            wrote.append(table)
            _screen(_service(writer), _form("2026-P-999999"), 60)
        return portable(value, table, column)

    monkeypatch.setattr(backup_module, "_portable", write_once)
    before = _rows(source["url"])
    try:
        path = _backup(monkeypatch, source, capsys)
    finally:
        writer.engine.dispose()
    assert wrote and wrote[0] not in ("submissions", "revisions", "reports", "audit_log")
    assert writer.latest_report("2026-P-999999")["revision"] == 1  # it was committed meanwhile
    target = new_database(_kind(source["url"]))
    assert _cli(monkeypatch, source["dir"] / "restored", target, "restore", str(path)) == 0
    assert _rows(target) == before


# ---------------------------------------------------------------- refusals
def _nothing_written(url: str, data_dir: Path) -> None:
    assert not (data_dir / "files").exists() and not (data_dir / "models").exists()
    if url.startswith("sqlite"):
        assert not Path(url.split("///", 1)[1]).exists()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_a_damaged_or_cut_short_archive_is_refused_and_nothing_is_written(source, new_database, monkeypatch, capsys):
    path = _backup(monkeypatch, source, capsys)
    data = path.read_bytes()
    with tarfile.open(path) as tar:
        blob = next(m for m in tar.getmembers() if m.name.startswith("blobs/"))
        rows = tar.getmember("db/reports.jsonl")
        manifest = tar.getmember("manifest.json")
    flipped = bytearray(data)
    flipped[blob.offset_data + 5] ^= 0xFF
    bad_row = bytearray(data)
    bad_row[rows.offset_data] = ord("[")
    gz = source["dir"] / "backup.tar.gz"
    assert _cli(monkeypatch, source["dir"], source["url"], "backup", str(gz)) == 0
    capsys.readouterr()
    cases = {
        "flipped.tar": (bytes(flipped), "does not match its sha256"),
        "bad-row.tar": (bytes(bad_row), "not JSON"),
        "cut-mid-member.tar": (data[: blob.offset_data + 100], "not a readable archive"),
        "cut-before-manifest.tar": (data[: manifest.offset], "no manifest.json"),
        "cut.tar.gz": (gz.read_bytes()[:-200], "not a readable archive"),
        "garbage.tar": (b"this is not a tar file\n" * 40, "not a readable archive"),
        "empty.tar": (b"", "not a readable archive"),
    }
    target_url, target_dir = new_database(_kind(source["url"])), source["dir"] / "target"
    for name, (content, why) in cases.items():
        bad = source["dir"] / name
        bad.write_bytes(content)
        assert _cli(monkeypatch, target_dir, target_url, "restore", str(bad)) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("prescreen: ") and "Traceback" not in err, (name, err)
        assert why in err, (name, err)
        _nothing_written(target_url, target_dir)
    for missing in (source["dir"] / "nope.tar", source["dir"]):
        assert _cli(monkeypatch, target_dir, target_url, "restore", str(missing)) == 2
        assert "is not a file" in capsys.readouterr().err
    assert _cli(monkeypatch, target_dir, target_url, "restore", "--check", str(path)) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    _nothing_written(target_url, target_dir)


def _rewritten(path: Path, dest: Path, change) -> Path:
    """``path``'s members through ``change(name, bytes) -> {name: bytes}``, with a manifest that
    agrees: an archive that is whole but says something a backup never would."""
    members = {}
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        for m in tar.getmembers():
            if m.name != "manifest.json":
                members.update(change(m.name, tar.extractfile(m).read()))
    import hashlib

    manifest["members"] = {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in members.items()}
    with tarfile.open(dest, "w") as tar:
        for name, data in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return dest


def test_an_archive_that_is_whole_but_wrong_is_refused_without_a_traceback(source, new_database, monkeypatch,
                                                                           capsys):
    """Hashes that agree do not make the content right: a member outside the archive's folders
    is refused before anything is written, a row that does not fit inside the one transaction."""
    path = _backup(monkeypatch, source, capsys)
    escape = _rewritten(path, source["dir"] / "escape.tar",
                        lambda n, b: {n: b, "models/../../escaped.txt": b"x"} if n.startswith("models/") else {n: b})
    bad_time = _rewritten(path, source["dir"] / "bad-time.tar", lambda n, b: {
        n: b.replace(b'"created_at":"', b'"created_at":"yesterday ', 1) if n == "db/api_keys.jsonl" else b})
    target_url, target_dir = new_database(_kind(source["url"])), source["dir"] / "target"
    assert _cli(monkeypatch, target_dir, target_url, "restore", str(escape)) == 2
    assert "a backup never writes" in capsys.readouterr().err
    _nothing_written(target_url, target_dir)
    assert not (source["dir"].parent / "escaped.txt").exists()
    assert _cli(monkeypatch, target_dir, target_url, "restore", str(bad_time)) == 2
    err = capsys.readouterr().err
    assert "api_keys.created_at" in err and "is not a time" in err and "Traceback" not in err
    assert not (target_dir / "models").exists()  # the staged models went with the transaction
    engine = make_engine(target_url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_an_occupied_target_is_refused_without_force_and_replaced_with_it(source, new_database, monkeypatch, capsys):
    path = _backup(monkeypatch, source, capsys)
    target_url, target_dir = new_database(_kind(source["url"])), source["dir"] / "target"
    other = open_store(target_url, target_dir / "files")
    other.create_api_key("someone else's", actor="t")
    other.engine.dispose()
    stale = target_dir / "models" / "old-model" / "serving.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    (target_dir / "index").mkdir()
    (target_dir / "index" / "duplicates.npz").write_bytes(b"a cache of another database")
    occupied = _rows(target_url)

    assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err and "api_keys" in err
    assert _rows(target_url) == occupied and stale.exists()

    assert _cli(monkeypatch, target_dir, target_url, "restore", "--force", str(path)) == 0
    capsys.readouterr()
    assert not stale.exists() and not (target_dir / "index").exists()
    _assert_restored(source, target_url, target_dir)


def test_backup_refuses_an_existing_path_and_a_missing_database(tmp_path, monkeypatch, capsys):
    existing = tmp_path / "there.tar"
    existing.write_bytes(b"keep me")
    url = f"sqlite:///{tmp_path / 'prescreen.db'}"
    open_store(url, tmp_path / "files").engine.dispose()
    assert _cli(monkeypatch, tmp_path, url, "backup", str(existing)) == 2
    assert "already exists" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    assert _cli(monkeypatch, tmp_path, url, "backup", str(tmp_path / "no" / "such" / "dir.tar")) == 2
    assert "is not a folder" in capsys.readouterr().err
    missing = f"sqlite:///{tmp_path / 'elsewhere' / 'prescreen.db'}"
    assert _cli(monkeypatch, tmp_path, missing, "backup", str(tmp_path / "b.tar")) == 2
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "b.tar").exists() and not (tmp_path / "elsewhere").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_blobs_missing_or_damaged_on_disk_are_named_and_left_out(source, new_database, monkeypatch, capsys):
    """The backup still runs (the rest is worth having) and says which files it could not take;
    the restore writes no damaged file under a name its content does not have."""
    files = sorted(p for p in (source["dir"] / "files").rglob("*") if p.is_file())
    missing, damaged = files
    missing.unlink()
    damaged.write_bytes(b"not what was uploaded")
    path = source["dir"] / "backup.tar"
    assert _cli(monkeypatch, source["dir"], source["url"], "backup", str(path)) == 0
    err = capsys.readouterr().err
    assert f"blob {missing.name} is named by the database but missing" in err
    assert f"blob {damaged.name} is damaged on disk" in err
    target_url, target_dir = new_database(_kind(source["url"])), source["dir"] / "restored"
    assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 0
    assert f"blob {damaged.name} was damaged" in capsys.readouterr().err
    assert _files(target_dir / "files") == {} and _rows(target_url)["blobs"] == _rows(source["url"])["blobs"]


def test_a_restore_is_refused_while_a_service_uses_the_data_directory(source, new_database, monkeypatch, capsys):
    """`serve` and `worker` hold the data directory's lock: a restore under them would swap the
    database and files of a running service."""
    from screening.storage.service_lock import hold_service_lock, service_running

    path = _backup(monkeypatch, source, capsys)
    target_url, target_dir = new_database(_kind(source["url"])), source["dir"] / "target"
    lock = hold_service_lock(target_dir)
    try:
        assert service_running(target_dir)
        assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 1
        err = capsys.readouterr().err
        assert "is using" in err and "stop it" in err and "Traceback" not in err
        _nothing_written(target_url, target_dir)
    finally:
        lock.close()
    assert not service_running(target_dir)  # the lock went with its holder
    assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 0
    capsys.readouterr()
    _assert_restored(source, target_url, target_dir)


def test_a_restore_is_refused_while_other_sessions_use_the_postgresql_database(source, new_database, monkeypatch,
                                                                              capsys):
    """A service on another host holds no lock here, but its sessions show on the database."""
    path = _backup(monkeypatch, source, capsys)
    target_url, target_dir = new_database("postgresql"), source["dir"] / "target"
    engine = make_engine(target_url)
    try:
        with engine.connect():
            assert _cli(monkeypatch, target_dir, target_url, "restore", str(path)) == 1
            assert "other session" in capsys.readouterr().err
    finally:
        engine.dispose()
    _nothing_written(target_url, target_dir)
