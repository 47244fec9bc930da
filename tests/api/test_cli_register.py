"""prescreen register import patents: all lines checked first (exit 2 naming the line), then stored."""

from __future__ import annotations

import json

import pytest

from api.cli import main
from screening.settings import get_settings
from screening.storage import open_store
from screening.storage.register import PatentRegisterStore


@pytest.fixture
def cli_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _register():
    s = get_settings()
    store = open_store(s.sqlalchemy_url, s.files_dir)
    return PatentRegisterStore(store.engine)


def test_import_then_a_bad_file_changes_nothing(cli_env, capsys):
    good = cli_env / "register.csv"
    good.write_text("number,status,holder,title,type\n"
                    "CN201710601862.3,有效,深圳市雄楚速通国际物流有限公司,一种风冷电冰箱的送风结构,发明\n"
                    "CN200410009081.8,失效,另一家公司,一种利用高铝粉煤灰烧结的方法,发明\n", encoding="utf-8")
    assert main(["register", "import", "patents", str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 2
    bad = cli_env / "bad.csv"
    bad.write_text("number,status,holder\nCN200410009081.8,有效,甲公司\nCN201710601862.4,有效,乙公司\n", encoding="utf-8")
    assert main(["register", "import", "patents", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "校验位" in err
    assert _register().snapshot()["rows"] == 2  # the good snapshot stands
    assert main(["register", "status"]) == 0
    assert json.loads(capsys.readouterr().out)["source"] == "register.csv"
    assert main(["register", "import", "patents", str(cli_env / "missing.csv")]) == 2
