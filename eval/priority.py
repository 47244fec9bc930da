"""prescreen eval priority: the whole retraining loop on simulated reviewers, and its targets.

In a scratch data folder (never the service's store) it runs:

1. simulate ``--decisions`` submissions (training/simulator.py), screen each through the
   ``ScreeningService`` (recorded; the severity prior is in service) and record the simulated
   reviewer's decision;
2. ``build_snapshot`` → ``train_priority`` → register and promote the candidate;
3. screen ``--queue`` new submissions of the same filers with the learned prioritizer in
   service (loaded from the registry alias, as the service does), read the queue, then decide them;
4. measure on held-out simulated decisions (``--heldout`` fresh rows, another seed, never trained on).

Targets: ROC AUC ≥ 0.90 and ECE ≤ 0.05 of P(sent back) on the held-out decisions;
the learned queue's top 20% holds at least twice the submissions sent back that arrival
order puts in its first 20%. Prints the figures as JSON; exit 0 when every target is met.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HELP = "the retraining loop on simulated reviewers: AUC, ECE and queue lift of the learned priority"
TARGETS = {"roc_auc": 0.90, "ece": 0.05, "queue_lift_top20": 2.0}


def queue_lift(store, labels: dict[str, int], arrival: list[str], share: float = 0.2) -> dict:
    """Share sent back in the top of the stored queue vs the first of the same submissions by arrival."""
    k = max(1, int(round(len(arrival) * share)))
    _, top = store.queue(limit=k)
    learned = float(np.mean([labels[item["submission_id"]] for item in top]))
    fifo = float(np.mean([labels[sid] for sid in arrival[:k]]))
    return {"k": k, "learned_top_sent_back": round(learned, 4), "arrival_first_sent_back": round(fifo, 4),
            "queue_lift_top20": round(learned / fifo, 3) if fifo else None}


def run_eval(decisions: int = 2000, queue: int = 1000, heldout: int = 5000, seed: int = 11,
             workdir: Path | None = None, progress: bool = True) -> dict:
    from models.priority import PriorityModel
    from models.registry import Registry
    from screening.learned_priority import served_prioritizer
    from screening.pipeline import Resources
    from screening.service import ScreeningService
    from screening.storage import open_store
    from training.priority import build_snapshot, train_priority
    from training.priority_eval import evaluate_rows, matrix, severity_prior_p
    from training.simulator import World, feature_rows, review, run_loop, simulated_pipeline

    with tempfile.TemporaryDirectory(prefix="prescreen-eval-") as tmp:
        root = Path(workdir or tmp)
        store = open_store(f"sqlite:///{root / 'prescreen.db'}", root / "files")
        registry = Registry(root / "models")
        timings: dict[str, float] = {}

        t0 = time.perf_counter()
        world = World(seed=seed)
        cases = world.cases(decisions)
        run_loop(world, cases, ScreeningService(simulated_pipeline(world), store), progress=progress)
        timings["simulate_screen_decide_s"] = round(time.perf_counter() - t0, 1)

        t0 = time.perf_counter()
        rows = build_snapshot(store, progress=progress)
        summary = train_priority(rows, registry, promote=True, progress=progress, source="simulator")
        timings["snapshot_train_s"] = round(time.perf_counter() - t0, 1)

        # screen again, with the promoted model in service
        prioritizer = served_prioritizer(registry.root, store)
        service = ScreeningService(simulated_pipeline(world, resources=Resources(prioritizer=prioritizer)), store)
        new = [world.case(decisions) for _ in range(queue)]
        reports = {}
        for case in new:
            reports[case.submission_id], _ = service.screen(case.submission, {}, actor="simulator")
        labels = {}
        for case in new:
            decision = review(case, reports[case.submission_id]["findings"])
            labels[case.submission_id] = int(decision.decision != "approved")
        arrival = [c.submission_id for c in sorted(new, key=lambda c: (c.form["submitted_at"], c.submission_id))]
        lift = queue_lift(store, labels, arrival)
        for case in new:  # the reviewers work through them: recorded like the first round
            store.record_decision(case.submission_id, review(case, reports[case.submission_id]["findings"]),
                                  actor="simulator")

        model = PriorityModel.load(registry.path("priority", summary["version"]))
        held = feature_rows(heldout, seed + 1000)
        X, _ = matrix(held)
        result = {
            "decisions": decisions, "seed": seed, "model": model.version, "data_hash": summary["data_hash"],
            "heldout_rows": heldout,
            "heldout": evaluate_rows(model.predict_proba(X), held),
            "heldout_severity_prior": evaluate_rows(severity_prior_p(held), held),
            "snapshot_holdout": summary["holdout"]["candidate"],
            "queue": lift,
            "queue_model": reports[new[0].submission_id]["priority"]["model"],
            "timings": timings,
        }
    got = {"roc_auc": result["heldout"]["roc_auc"], "ece": result["heldout"]["ece"],
           "queue_lift_top20": lift["queue_lift_top20"]}
    result["targets"] = {k: {"target": v, "got": got[k], "met": got[k] is not None and (got[k] <= v if k == "ece" else got[k] >= v)}
                         for k, v in TARGETS.items()}
    result["passed"] = all(t["met"] for t in result["targets"].values())
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decisions", type=int, default=2000, help="simulated decisions to train on (2000)")
    parser.add_argument("--queue", type=int, default=1000, help="new submissions screened with the learned model (1000)")
    parser.add_argument("--heldout", type=int, default=5000, help="held-out simulated decisions (5000)")
    parser.add_argument("--seed", type=int, default=11, help="simulation seed")
    parser.add_argument("--workdir", type=Path, help="keep the scratch store and registry here")


def run(args: argparse.Namespace) -> int:
    result = run_eval(args.decisions, args.queue, args.heldout, args.seed, args.workdir)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not result["passed"]:
        print("prescreen: a target was missed", file=sys.stderr)
    return 0 if result["passed"] else 1
