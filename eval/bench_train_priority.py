"""prescreen eval bench-train-priority: `prescreen train priority` on 50,000 decisions, timed.

At this scale the simulated decisions are generated directly as snapshot rows
(``training.simulator.feature_rows``: the same generative process as the recorded loop, without
the database), written to a snapshot file, and the real command is run on it in a child
process with a scratch registry::

    prescreen train priority --rows SNAPSHOT.jsonl.gz

BLAS and OpenMP are held to ``--threads`` (2) and the child is pinned to as many CPUs when
``os.sched_setaffinity`` exists, so the figure stands for a 2-core machine. Target: < 300 s.
``--store N`` also times ``build_snapshot`` over N decisions recorded in a scratch SQLite store.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP = "time `prescreen train priority` on 50,000 simulated decisions (target: 5 minutes on 2 cores)"
TARGET_S = 300.0


def bench(rows: int = 50_000, seed: int = 5, threads: int = 2, store_decisions: int = 0) -> dict:
    from training.priority import write_rows
    from training.simulator import feature_rows

    out: dict = {"rows": rows, "threads": threads, "target_s": TARGET_S}
    with tempfile.TemporaryDirectory(prefix="prescreen-bench-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        snapshot = write_rows(root / "snapshot.jsonl.gz", feature_rows(rows, seed, progress=True))
        out["generate_rows_s"] = round(time.perf_counter() - t0, 1)
        env = {**os.environ, "PRESCREEN_DATA_DIR": str(root / "data"), "OMP_NUM_THREADS": str(threads),
               "OPENBLAS_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
        env.pop("DATABASE_URL", None)
        cpus = sorted(os.sched_getaffinity(0))[:threads] if hasattr(os, "sched_getaffinity") else None

        def pin():
            if cpus:
                os.sched_setaffinity(0, cpus)

        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "api.cli", "train", "priority", "--rows", str(snapshot)],
                              env=env, capture_output=True, text=True, preexec_fn=pin,
                              cwd=Path(__file__).resolve().parent.parent)
        out["train_command_s"] = round(time.perf_counter() - t0, 1)
        out["cpus"] = cpus
        if proc.returncode != 0:
            raise RuntimeError(f"train priority failed ({proc.returncode}): {proc.stderr[-2000:]}")
        summary = json.loads(proc.stdout)
        out["model"] = summary["version"]
        out["holdout"] = summary["holdout"]["candidate"]
        out["fixed"] = {k: {m: v for m, v in s.items() if m != "hash"} for k, s in summary["fixed"].items()}
        if store_decisions:
            out["store"] = _time_snapshot(root, store_decisions, seed)
    out["within_target"] = out["train_command_s"] <= TARGET_S
    return out


def _time_snapshot(root: Path, n: int, seed: int) -> dict:
    from screening.service import ScreeningService
    from screening.storage import open_store
    from training.priority import build_snapshot
    from training.simulator import World, run_loop, simulated_pipeline

    store = open_store(f"sqlite:///{root / 'store.db'}", root / "files")
    world = World(seed=seed)
    t0 = time.perf_counter()
    run_loop(world, world.cases(n), ScreeningService(simulated_pipeline(world), store), progress=True)
    loop_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = build_snapshot(store, progress=True)
    return {"decisions": n, "screen_and_decide_s": round(loop_s, 1), "build_snapshot_s": round(time.perf_counter() - t0, 2),
            "rows": len(rows)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=50_000, help="simulated decisions to train on")
    parser.add_argument("--seed", type=int, default=5, help="simulation seed")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads and CPUs of the child (2)")
    parser.add_argument("--store", type=int, default=0, metavar="N",
                        help="also time building the snapshot from N decisions recorded in a scratch store")


def run(args: argparse.Namespace) -> int:
    result = bench(args.rows, args.seed, args.threads, args.store)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["within_target"] else 1
