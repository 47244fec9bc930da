"""`prescreen train duplicates` registers candidates (never writes models/weights/), and the
registry gates them against the shipped versions on the fixed generated sets."""

from __future__ import annotations

import json

import pytest

from api.cli import main as cli
from models.registry import SHIPPED, Registry
from screening.settings import get_settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PRESCREEN_MODELS_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def _shipped_state() -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in SHIPPED.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_train_duplicates_registers_candidates_gated_against_the_shipped_ones(data_dir, realdata, capsys):
    before = _shipped_state()
    assert cli(["train", "duplicates", "--train-pairs", "300", "--test-pairs", "150", "--photos", "40"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert _shipped_state() == before
    registry = Registry(get_settings().registry_dir)
    for name in ("pair-scorer", "photo-kind"):
        row = summary[name]
        shipped = registry.builtin(name).version
        assert row["in_service"] == shipped and registry.serving(name) is None
        assert [v.version for v in registry.versions(name)] == [shipped, row["version"]]
        assert row["version"].endswith("-" + row["data_hash"][:8])
    scorer = summary["pair-scorer"]
    # 150 held-out pairs are not the shipped scorer's 2,000: nothing comparable, refused without --force
    assert cli(["models", "promote", "pair-scorer", scorer["version"]]) == 2
    assert "no gate metric" in capsys.readouterr().err
    assert cli(["models", "promote", "pair-scorer", scorer["version"], "--force"]) == 0
    assert registry.in_service("pair-scorer") == scorer["version"]
    assert cli(["models", "rollback", "pair-scorer"]) == 0
    assert registry.in_service("pair-scorer") == registry.builtin("pair-scorer").version
    photo = summary["photo-kind"]
    assert cli(["models", "promote", "photo-kind", photo["version"]]) == 2  # 40 per class: another set too


def test_train_duplicates_help_says_where_the_output_goes(capsys):
    with pytest.raises(SystemExit):
        cli(["train", "duplicates", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "PRESCREEN_DATA_DIR/models" in out and "never written unless named here" in out
