"""prescreen eval priority-minimum: how many decisions the learned priority needs to beat the prior.

For each training size N and each seed, N simulated decisions (``training.simulator.feature_rows``)
are split as ``prescreen train priority`` splits them (the newest 20% held out), the model is
fitted on the rest and measured on the fixed set ``sim-v1`` beside the severity prior (the
registry's built-in first version). The table is what ``training.priority.MIN_DECISIONS`` rests
on; the figures are *development* figures on simulated decisions (docs/retraining.md).
"""

from __future__ import annotations

import argparse
import json

HELP = "learning curve of the priority model against the severity prior (what MIN_DECISIONS rests on)"


def learning_curve(sizes: list[int], seeds: list[int], holdout: float = 0.2) -> dict:
    from models.errors import ModelError
    from models.priority import PriorityModel
    from screening.learned_priority import FEATURES
    from training.priority import split
    from training.priority_eval import GATE, evaluate_rows, fixed_sets, matrix, severity_prior_p
    from training.simulator import feature_rows

    _, test = fixed_sets(None)["sim-v1"]
    X_test = matrix(test)[0]
    prior = evaluate_rows(severity_prior_p(test), test)
    out: dict = {"set": "sim-v1", "prior": {m: prior[m] for m in ("roc_auc", "ece", "brier")}, "sizes": {}}
    for n in sizes:
        runs = []
        for seed in seeds:
            train, _ = split(feature_rows(n, seed=seed), holdout)
            try:
                model = PriorityModel.fit(*matrix(train), feature_names=FEATURES)
            except ModelError:  # one kind of decision only
                continue
            e = evaluate_rows(model.predict_proba(X_test), test)
            not_worse = all(e[m] >= prior[m] - 0.005 if d == "max" else e[m] <= prior[m] + 0.005
                            for m, d in GATE.items())
            runs.append({"seed": seed, "roc_auc": e["roc_auc"], "ece": e["ece"], "brier": e["brier"],
                         "passes_gate": not_worse})
        out["sizes"][n] = {"runs": len(runs), "passes_gate": sum(r["passes_gate"] for r in runs),
                           **{f"{m}_range": [min(r[m] for r in runs), max(r[m] for r in runs)] if runs else None
                              for m in ("roc_auc", "ece", "brier")}}
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", default="50,77,100,150,200,300,500",
                        help="training sizes (decisions), comma-separated")
    parser.add_argument("--seeds", default="101,102,103,104,105", help="simulation seeds, comma-separated")


def run(args: argparse.Namespace) -> int:
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    print(json.dumps(learning_curve(sizes, seeds), indent=2))
    return 0
