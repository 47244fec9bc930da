"""The text calibration's reliability: per confidence bin, the calibrated probability the NAME_*
findings were given against the share of them that were right on the development half, pooled
and per code, with the raw (uncalibrated) confidences for contrast. Drawn as ``reliability.png``
(matplotlib, Agg backend: no display) and summarised in ``card.md`` beside the calibration, which
the /models page shows.

Every scored finding counts, reported or not: the thresholds decide what is reported, the
calibration what each finding's probability says, and this plot checks the latter.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from models.text_calibration import TextCalibration

PLOT = "reliability.png"
CARD = "card.md"
MIN_PER_CODE = 20  # a code with fewer findings is pooled only: its per-bin shares would be noise


def _calibrated(cal: TextCalibration, kind: str, raw: float) -> float:
    m = cal.maps.get(kind)
    return raw if m is None else float(np.interp(raw, m[0], m[1]))


def _bins(pairs: list[tuple[float, bool]], bins: int) -> list[dict]:
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = [(p, ok) for p, ok in pairs if lo <= p < hi or (b == bins - 1 and p >= 1.0)]
        if sel:
            rows.append({"lo": lo, "hi": hi, "n": len(sel), "predicted": round(sum(p for p, _ in sel) / len(sel), 4),
                         "observed": round(sum(ok for _, ok in sel) / len(sel), 4)})
    return rows


def _ece(rows: list[dict]) -> float:
    n = sum(r["n"] for r in rows)
    return round(sum(r["n"] * abs(r["predicted"] - r["observed"]) for r in rows) / n, 4) if n else 0.0


def reliability(points: list[tuple[str, str, float, bool]], cal: TextCalibration, bins: int = 10) -> dict:
    """``points`` as ``training.text_calibration.raw_findings`` gives them (code, evidence kind,
    raw confidence, right?): the bins pooled (calibrated and raw) and per code (calibrated)."""
    calibrated = [(code, _calibrated(cal, kind, raw), raw, ok) for code, kind, raw, ok in points]
    by_code: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for code, p, _, ok in calibrated:
        by_code[code].append((p, ok))
    pooled = _bins([(p, ok) for _, p, _, ok in calibrated], bins)
    raw = _bins([(r, ok) for _, _, r, ok in calibrated], bins)
    return {"findings": len(points), "pooled": pooled, "raw": raw, "ece": _ece(pooled), "ece_raw": _ece(raw),
            "per_code": {c: _bins(v, bins) for c, v in sorted(by_code.items()) if len(v) >= MIN_PER_CODE}}


def plot(path: Path, rel: dict, title: str = "NAME_* calibration, development half") -> Path:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), dpi=100, sharey=True)
    for ax in (left, right):
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
        ax.set(xlim=(0, 1.02), ylim=(-0.02, 1.08), xlabel="predicted probability (bin mean)")
        ax.grid(alpha=0.3)
    xs = [r["predicted"] for r in rel["raw"]]
    left.plot(xs, [r["observed"] for r in rel["raw"]], marker="s", color="tab:orange", alpha=0.7,
              linestyle="--", label=f"raw confidence (ECE {rel['ece_raw']:.3f})")
    xs = [r["predicted"] for r in rel["pooled"]]
    ys = [r["observed"] for r in rel["pooled"]]
    left.plot(xs, ys, marker="o", color="tab:blue", label=f"calibrated (ECE {rel['ece']:.3f})")
    for r in rel["pooled"]:  # the count says how much each point weighs
        left.annotate(f"n={r['n']:,}", (r["predicted"], r["observed"]), textcoords="offset points",
                      xytext=(4, -12) if r["predicted"] < 0.9 else (-44, -4), fontsize=8, color="tab:blue")
    left.set(ylabel="observed share right", title=f"All codes pooled ({rel['findings']:,} findings)")
    left.legend(loc="upper left", fontsize=8)
    for code, rows in rel["per_code"].items():
        n = sum(r["n"] for r in rows)
        right.plot([r["predicted"] for r in rows], [r["observed"] for r in rows], marker="o", alpha=0.8,
                   label=f"{code} (n={n:,})")
        right.scatter([r["predicted"] for r in rows], [r["observed"] for r in rows],
                      s=[8 + 60 * np.sqrt(r["n"] / n) for r in rows], alpha=0.3)
    right.set(title=f"Calibrated, per code (≥ {MIN_PER_CODE} findings; marker size ~ bin's share)")
    right.legend(loc="upper left", fontsize=7)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def card(rel: dict, version: str) -> str:
    """The calibration's card (Chinese: the /models page shows it to the data scientists)."""
    lines = [f"# 名称问题置信度校准 {version}", "",
             "在真实数据开发集上，按问题代码与证据类型拟合的保序回归：原始置信度 → 判断正确的比例；",
             "每个代码取开发集精确率 ≥ 0.95 的最低校准概率为报告阈值。", "",
             f"可靠性（全部 {rel['findings']:,} 条名称问题，不论是否报告）：校准后 ECE {rel['ece']:.4f}，"
             f"原始置信度 ECE {rel['ece_raw']:.4f}。图：{PLOT}", "",
             "| 概率区间 | 条数 | 平均校准概率 | 实际正确比例 |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['lo']:.1f}–{r['hi']:.1f} | {r['n']:,} | {r['predicted']:.3f} | {r['observed']:.3f} |"
              for r in rel["pooled"]]
    return "\n".join(lines) + "\n"


def write(directory: Path, points: list[tuple[str, str, float, bool]], cal: TextCalibration,
          plot_path: Path | None = None) -> dict:
    """The plot (into ``plot_path``, else beside the calibration) and card.md beside the calibration."""
    rel = reliability(points, cal)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    plot(plot_path or directory / PLOT, rel)
    (directory / CARD).write_text(card(rel, cal.manifest.version if cal.manifest else "?"), encoding="utf-8")
    return rel
