"""prescreen eval seals: counts add up and the real scans are reported where present."""

from __future__ import annotations

import argparse
import json

import pytest

from training.docgen.fonts import available


@pytest.mark.slow  # renders and reads statements: 2 s
@pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")
def test_eval_seals_reports_recall_and_false_seals(capsys, monkeypatch, tmp_path):
    from eval import seals
    from screening.settings import get_settings

    monkeypatch.setenv("PRESCREEN_REALDATA", str(tmp_path / "absent"))
    get_settings.cache_clear()  # the settings are read once: read them again with the folder above
    try:
        assert seals.run(argparse.Namespace(n=6, seed=1000)) == 0
    finally:
        get_settings.cache_clear()
    out = json.loads(capsys.readouterr().out)
    found, sealed = map(int, out["generated"]["sealed_found"].split("/"))
    false, unsealed = map(int, out["generated"]["false_seals"].split("/"))
    assert sealed + unsealed == 6 and found == sealed and false == 0  # pages 1000–1005: all right
    assert "absent" in out["real"]
