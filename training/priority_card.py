"""The priority model's card: card.md plus PNG plots, written beside the weights.

Plots (matplotlib, Agg backend, no display needed), all on the new data's hold-out:
``precision_recall.png`` (candidate, model in service, severity prior), ``calibration.png``
(reliability diagram with the diagonal), ``errors_by_code.png`` (share of wrongly ranked
submissions among those carrying each finding code, at P = 0.5).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from .priority_eval import matrix, severity_prior_p


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_precision_recall(path: Path, y: np.ndarray, curves: dict[str, np.ndarray]) -> None:
    from sklearn.metrics import precision_recall_curve

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    for label, p in curves.items():
        precision, recall, _ = precision_recall_curve(y, p)
        ax.plot(recall, precision, label=label)
    ax.axhline(y.mean(), color="grey", linestyle=":", label="base rate")
    ax.set(xlabel="recall (sent back)", ylabel="precision", title="Precision-recall, hold-out", xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_calibration(path: Path, y: np.ndarray, curves: dict[str, np.ndarray], bins: int = 10) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    for label, p in curves.items():
        idx = np.minimum((p * bins).astype(int), bins - 1)
        xs, ys = [], []
        for b in range(bins):
            mask = idx == b
            if mask.sum() >= 5:
                xs.append(p[mask].mean())
                ys.append(y[mask].mean())
        ax.plot(xs, ys, marker="o", label=label)
    ax.set(xlabel="predicted P(sent back)", ylabel="observed share sent back", title="Calibration, hold-out",
           xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def errors_by_code(rows: list[dict], p: np.ndarray, threshold: float = 0.5) -> dict[str, dict]:
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # rows, false alarms, misses
    for row, prob in zip(rows, p):
        predicted = prob >= threshold
        for code in {c for c, _ in row["findings"]}:
            s = stats[code]
            s[0] += 1
            s[1] += int(predicted and not row["label"])
            s[2] += int(not predicted and row["label"])
    return {c: {"n": n, "false_alarm": fa / n, "missed": m / n} for c, (n, fa, m) in sorted(stats.items())}


def plot_errors_by_code(path: Path, table: dict[str, dict], min_n: int = 5) -> None:
    plt = _plt()
    codes = [c for c, s in table.items() if s["n"] >= min_n]
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.28 * len(codes) + 1)), dpi=100)
    yy = np.arange(len(codes))
    ax.barh(yy - 0.2, [table[c]["false_alarm"] for c in codes], height=0.4, label="approved, P>=0.5")
    ax.barh(yy + 0.2, [table[c]["missed"] for c in codes], height=0.4, label="sent back, P<0.5")
    ax.set_yticks(yy, [f"{c} ({table[c]['n']})" for c in codes], fontsize=7)
    ax.set(xlabel="share of submissions with the code", title="Errors by finding code, hold-out")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _metric_table(columns: dict[str, dict]) -> list[str]:
    keys = ["n", "sent_back", "roc_auc", "pr_auc", "ece", "brier", "lift_top20"]
    lines = ["| metric | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns)]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join("" if m.get(k) is None else str(m.get(k)) for m in columns.values()) + " |")
    return lines


def write_card(folder: Path, model, held: list[dict], serving, holdout_metrics: dict, fixed: dict,
               fixed_serving: dict, serving_version: str | None) -> None:
    folder = Path(folder)
    X, y = matrix(held)
    curves = {"candidate": model.predict_proba(X)}
    if serving is not None:
        curves[f"in service ({serving_version})"] = serving.predict_proba(X)
    curves["severity prior"] = severity_prior_p(held)
    if len(np.unique(y)) == 2:
        plot_precision_recall(folder / "precision_recall.png", y, curves)
        plot_calibration(folder / "calibration.png", y, curves)
    table = errors_by_code(held, curves["candidate"])
    plot_errors_by_code(folder / "errors_by_code.png", table)
    m = model.manifest
    lines = [
        f"# Model card: {m.name} {m.version}", "",
        "P(sent back) — the calibrated probability that reviewers reject or return a submission — from its",
        "findings, duplicate scores, the entity's history of returns, stage and entity kind",
        "(`models/priority.py` over the features of `screening/learned_priority.py`). Used by the queue's",
        "priority score together with time pressure.", "",
        f"- data hash (snapshot of decisions): `{m.data_hash}`",
        f"- rows: {m.recipe.get('rows')} ({m.recipe.get('train_rows')} train, {m.recipe.get('holdout_rows')} hold-out; "
        f"source: {m.recipe.get('source')})",
        f"- compared with the model in service: {serving_version or 'none (the severity prior is in service)'}",
        "", "## Parameters", "", "```json",
    ]
    import json

    lines += [json.dumps(m.recipe, ensure_ascii=False, indent=2), "```", "", "## Hold-out (the newest decisions)", ""]
    lines += _metric_table(holdout_metrics)
    lines += ["", "## Fixed evaluation sets (promotion gate: " +
              ", ".join(f"{k} {'higher' if v == 'max' else 'lower'} is better" for k, v in m.metrics["gate"].items()) + ")", ""]
    for name, met in fixed.items():
        cols = {"candidate": met}
        if name in fixed_serving:
            cols["in service"] = fixed_serving[name]
        lines += [f"### {name} (hash `{met['hash'][:16]}`)", ""] + _metric_table(cols) + [""]
    lines += ["## Largest weights (standardised features)", "", "| feature | weight |", "| --- | --- |"]
    lines += [f"| {f} | {w} |" for f, w in model.top_weights(15)]
    lines += ["", "## Plots", "", "![precision-recall](precision_recall.png)", "", "![calibration](calibration.png)", "",
              "![errors by code](errors_by_code.png)", "", "## Errors by code (hold-out, P = 0.5)", "",
              "| code | n | approved but P>=0.5 | sent back but P<0.5 |", "| --- | --- | --- | --- |"]
    lines += [f"| {c} | {s['n']} | {s['false_alarm']:.3f} | {s['missed']:.3f} |" for c, s in table.items()]
    (folder / "card.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
