"""Fits ``models/weights/text-calibration`` on the development half of the real set: per code and
kind of evidence an isotonic map from raw confidence to the share of findings that were right,
and per code the threshold for precision ≥ 0.95 (``models/text_calibration.py``).

    prescreen train text-calibration              # after any change to the text models or rules

Only the development half is read; the test half stays for ``prescreen eval text --real``.
"""

from __future__ import annotations

import argparse
import hashlib
from collections import defaultdict
from pathlib import Path

import numpy as np

from models.base import Manifest, new_version
from models.text_calibration import TextCalibration, evidence_kind, raw_confidence

# models.text_screener (torch) is imported where the screener is loaded: `--help` stays instant

HELP = "fit the NAME_* confidence calibration and thresholds on the real development half"
PRECISION = 0.95
# a reported finding is itself right at least this often on the development half: the cumulative
# precision alone lets a bin right only half the time in behind many sure findings
MIN_REPORTED = 0.6


def raw_findings(screener: TextScreener, items: list[dict], batch: int = 256) -> list[tuple[str, str, float, bool]]:
    """(code, evidence kind, raw confidence, right?) for every scored NAME_* finding."""
    saved, screener.calibration = getattr(screener, "calibration", None), None
    try:
        names = [it for it in items if it["kind"] == "name"]
        out = []
        for k in range(0, len(names), batch):
            chunk = names[k : k + batch]
            analyses = screener.analyse_names([it["name"] for it in chunk], [it.get("trademark") for it in chunk],
                                              companies=[it.get("company") for it in chunk],
                                              patents=[it.get("patents") for it in chunk])
            for it, a in zip(chunk, analyses):
                for f in a.findings:
                    if f.code in it.get("ignore", ()):
                        continue
                    out.append((f.code, evidence_kind(f.code, f.evidence), raw_confidence(f.code, f.evidence, float(f.confidence)),
                                f.code in it["codes"]))
        return out
    finally:
        screener.calibration = saved


def fit(points: list[tuple[str, str, float, bool]], precision: float = PRECISION, min_points: int = 5):
    from sklearn.isotonic import IsotonicRegression

    by_kind: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for code, kind, raw, ok in points:
        by_kind[kind].append((raw, ok))
    maps = {}
    for kind, pts in by_kind.items():
        if len(pts) < min_points:
            continue
        x = np.array([p[0] for p in pts])
        y = np.array([float(p[1]) for p in pts])
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
        xs = [float(v) for v in iso.X_thresholds_]
        ys = [round(float(v), 4) for v in iso.y_thresholds_]
        maps[kind] = (xs, ys)
    cal = TextCalibration(maps, {})
    thresholds, report = {}, {}
    for code in sorted({p[0] for p in points}):
        probs = [(_calibrated(cal, k, raw), ok) for c, k, raw, ok in points if c == code]
        best = None
        for t in sorted({p for p, _ in probs}):
            if t < MIN_REPORTED:
                continue
            kept = [ok for p, ok in probs if p >= t]
            if kept and sum(kept) / len(kept) >= precision:
                best = t
                break
        thresholds[code] = round(best, 4) if best is not None else 1.01  # never reported: no precise cut exists
        kept = [ok for p, ok in probs if p >= thresholds[code]]
        report[code] = {"findings": len(probs), "kept": len(kept), "dev_precision": round(sum(kept) / len(kept), 4) if kept else None}
    return maps, thresholds, report


def _calibrated(cal: TextCalibration, kind: str, raw: float) -> float:
    m = cal.maps.get(kind)
    return raw if m is None else float(np.interp(raw, m[0], m[1]))


def build(screener: TextScreener, dev_items: list[dict], data_hash: str,
          points: list[tuple[str, str, float, bool]] | None = None) -> tuple[TextCalibration, dict]:
    points = raw_findings(screener, dev_items) if points is None else points
    maps, thresholds, report = fit(points)
    manifest = Manifest(name="text-calibration", version=new_version(data_hash), kind=TextCalibration.kind, data_hash=data_hash,
                        recipe={"fitted_on": "eval/data/text_real/dev.jsonl", "method": "isotonic per code and evidence kind",
                                "precision_target": PRECISION, "models": screener.versions},
                        metrics={"per_code": report})
    return TextCalibration(maps, thresholds, manifest), report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", type=Path, default=None, help="model directory (default: the committed weights)")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write a copy here (the calibration is registered as a candidate in the data "
                             "directory's registry either way; models/weights/text-calibration replaces the shipped one)")
    parser.add_argument("--plot", type=Path, default=None,
                        help="write the reliability plot (PNG) here instead of reliability.png beside the calibration; "
                             "card.md, with the reliability table, is always written beside it")
    parser.add_argument("--plot-only", action="store_true",
                        help="draw the reliability plot and card of the calibration in --out (default: the shipped "
                             "one) without refitting it (its manifest then lists their hashes; maps and thresholds untouched)")


def run(args: argparse.Namespace) -> int:
    from .text_real_data import DATA_DIR, load
    from models.text_screener import TextScreener

    from .text_calibration_plot import write as write_reliability

    screener = TextScreener.load(args.models) if args.models else TextScreener.load_default()
    dev = load("dev")
    points = raw_findings(screener, dev)
    if args.plot_only:
        from models.registry import SHIPPED

        folder = args.out or SHIPPED / "text-calibration"
        cal = TextCalibration.load(folder)
        rel = write_reliability(folder, points, cal, args.plot)
        cal.manifest.write(folder)  # the new files' hashes, or the next load refuses the folder
        print(f"reliability: ECE {rel['ece']} calibrated, {rel['ece_raw']} raw, {rel['findings']} findings")
        return 0
    import tempfile

    from models.registry import Registry
    from screening.settings import get_settings

    from .candidates import register_candidate

    cal, report = build(screener, dev, hashlib.sha256((DATA_DIR / "dev.jsonl").read_bytes()).hexdigest(), points)
    with tempfile.TemporaryDirectory(prefix="text-calibration-") as tmp:
        # the plot and card go in before the weights are saved, so the manifest lists their hashes
        row = register_candidate(Registry(get_settings().registry_dir), cal, Path(tmp), args.out,
                                 extra=lambda folder: write_reliability(folder, points, cal, args.plot))
    for code, r in report.items():
        print(f"{code:24s} threshold {cal.thresholds[code]:.3f}  {r}")
    print(f"registered text-calibration {row['version']}: {row['promote']}")
    return 0
