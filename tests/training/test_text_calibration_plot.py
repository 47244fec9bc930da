"""The text calibration's reliability plot and card: bins of calibrated probability against the
share right, pooled and per code, written beside the calibration without changing it."""

from __future__ import annotations

import random

from models.base import Manifest
from models.text_calibration import TextCalibration
from training import text_calibration_plot as plot


def _points(n: int = 400) -> list[tuple[str, str, float, bool]]:
    """Raw confidences that overstate: a finding with raw c is right with probability c²."""
    rng = random.Random(3)
    out = []
    for i in range(n):
        raw = rng.random()
        out.append(("NAME_BRAND" if i % 4 else "NAME_METHOD", "tagger", raw, rng.random() < raw * raw))
    return out


def test_the_calibrated_bins_follow_the_map_and_count_every_finding():
    points = _points()
    cal = TextCalibration({"tagger": ([0.0, 1.0], [0.0, 1.0])}, {})  # identity: calibrated == raw
    rel = plot.reliability(points, cal)
    assert rel["findings"] == 400 == sum(r["n"] for r in rel["pooled"])
    assert rel["pooled"] == rel["raw"]
    squared = TextCalibration({"tagger": ([i / 10 for i in range(11)], [(i / 10) ** 2 for i in range(11)])}, {})
    better = plot.reliability(points, squared)
    assert better["ece"] < rel["ece"] and better["ece_raw"] == rel["ece"]
    assert set(better["per_code"]) == {"NAME_BRAND", "NAME_METHOD"}
    assert sum(r["n"] for r in better["per_code"]["NAME_METHOD"]) == 100


def test_write_puts_a_png_and_a_chinese_card_beside_the_calibration(tmp_path):
    cal = TextCalibration({"tagger": ([0.0, 1.0], [0.0, 1.0])}, {"NAME_BRAND": 0.9},
                          Manifest(name="text-calibration", version="v1", kind=TextCalibration.kind))
    cal.save(tmp_path / "cal")
    plot.write(tmp_path / "cal", _points(), cal)
    png = (tmp_path / "cal" / "reliability.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    card = (tmp_path / "cal" / "card.md").read_text(encoding="utf-8")
    assert "名称问题置信度校准 v1" in card and "| 0.9–1.0 |" in card and "reliability.png" in card
    elsewhere = tmp_path / "elsewhere.png"
    plot.write(tmp_path / "cal2", _points(), cal, elsewhere)
    assert elsewhere.is_file() and not (tmp_path / "cal2" / "reliability.png").exists()
