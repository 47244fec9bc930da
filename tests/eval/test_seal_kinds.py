"""prescreen eval seal-kinds: every kind's pages are counted and the real seals reported."""

from __future__ import annotations

import argparse
import json

import pytest

from training.docgen.fonts import available


@pytest.mark.slow  # reads 9 statements: ~10 s
@pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")
def test_eval_seal_kinds_counts_each_kind(capsys, monkeypatch, tmp_path):
    from eval import seal_kinds
    from screening.settings import get_settings

    monkeypatch.setenv("PRESCREEN_REALDATA", str(tmp_path / "absent"))
    get_settings.cache_clear()
    try:
        assert seal_kinds.run(argparse.Namespace(n=5, seed=20000, owners=4)) == 0
    finally:
        get_settings.cache_clear()
    out = json.loads(capsys.readouterr().out)
    per_kind = out["generated"]["per_kind"]
    assert set(per_kind) == {"finance", "official", "contract", "invoice", "audit"}
    assert all(k["pages"] == 1 for k in per_kind.values())
    assert sum(out["generated"]["confusion"].values()) == 5
    # generated damage makes some rims unreadable (unknown); no kind is ever read as another
    assert sum(k["read_right"] for k in per_kind.values()) >= 3, out["generated"]["confusion"]
    assert sum(k["read_wrong_kind"] for k in per_kind.values()) == 0, out["generated"]["confusion"]
    assert out["generated"]["false_flags"].startswith("0/2")
    assert out["owners"]["own_seal_said_foreign"] == "0/2"  # precision first: the own seal is never foreign
    assert out["owners"]["foreign_seal_found"].endswith("/2")
    assert "absent" in out["real"]
