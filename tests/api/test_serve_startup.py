"""`prescreen serve` refuses to start on a model file that does not match its manifest."""

from __future__ import annotations

import shutil

import pytest

from api.cli import main as cli
from models.registry import Registry
from screening.settings import get_settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PRESCREEN_OCR_ENABLED", "false")
    monkeypatch.delenv("PRESCREEN_MODELS_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_flipped_byte_stops_serve_with_the_file_named(data_dir, monkeypatch, capsys):
    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))  # never listen in a test
    registry = Registry(get_settings().registry_dir)
    source = shutil.copytree(registry.builtin("sentence-embedder").path, data_dir / "embedder")
    (source / "manifest.json").write_text((source / "manifest.json").read_text().replace(
        registry.builtin("sentence-embedder").version, "copy-1"))
    registry.register("sentence-embedder", source)
    registry.promote("sentence-embedder", "copy-1", force=True)  # nothing to measure a wrapped model on
    config = registry.path("sentence-embedder", "copy-1") / "config.json"
    body = bytearray(config.read_bytes())
    body[5] ^= 0x20
    config.write_bytes(bytes(body))
    assert cli(["serve", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{config}: sha256 differs from manifest.json" in err and not started


def test_serve_holds_the_data_directory_lock_while_it_runs(data_dir, monkeypatch, capsys):
    """`prescreen restore` asks for this lock: it must be held exactly while the service runs."""
    import uvicorn

    from screening.storage.service_lock import service_running

    folder = get_settings().data_dir
    seen = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(service_running(folder)))
    assert cli(["serve", "--port", "0"]) == 0
    capsys.readouterr()
    assert seen == [True]
    assert not service_running(folder)
