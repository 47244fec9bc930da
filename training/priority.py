"""prescreen train priority: retrain the learned priority from reviewers' decisions.

    prescreen train priority                      # snapshot the store's decisions, train, register
    prescreen train priority --promote            # ... and promote when not worse than the one in service
    prescreen train priority --rows SNAP.jsonl.gz # train on a saved snapshot instead

Steps (each a plain function the tests call):

1. ``build_snapshot(store)``: one row per decided revision — its latest decision (a later decision
   supersedes), the decided revision's findings and duplicate scores from its stored report,
   stage and entity kind from its form, and the entity's history (``entity.uscc``) as it stood
   before that decision. The rows' content hash names the snapshot (``sha256_rows``).
2. ``train_priority(rows, registry)``: the last ``holdout`` share of decisions (decision order)
   is held out; the model is fitted on the rest; candidate, model in service and the
   severity prior are measured on the hold-out and on the fixed evaluation sets
   (``training.priority_eval``); the model card (``card.md`` + PNG plots) is written; the
   candidate is registered, and promoted only with ``promote=True`` and when the gate passes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from models.base import Manifest, new_version, sha256_rows
from models.priority import PriorityModel
from screening.learned_priority import FEATURES, HISTORY_PRIOR, load_priority_model
from models.registry import PromotionRefused, Registry

from .priority_eval import GATE, evaluate_rows, evaluate_serving, fixed_sets, matrix, severity_prior_p
from .priority_card import write_card

HELP = "retrain the learned priority from reviewers' decisions; register (and --promote) the candidate"
NAME = "priority"
# Fewer decided submissions than this and training refuses (exit 2): with a 20% hold-out of fewer
# than 40 decisions and 5 calibration folds of a few dozen, the calibrated chance is mostly noise
# (77 decisions gave ECE 0.43). Measured in docs/retraining.md, "How many decisions".
MIN_DECISIONS = 200


# ---------------------------------------------------------------------- the snapshot
def build_snapshot(store, *, progress: bool = False) -> list[dict]:
    """Snapshot rows from the store's decisions (see the module doc), in decision order."""
    from tqdm import tqdm

    decisions = store.decisions()
    latest: dict[tuple[str, int], dict] = {}
    first_id: dict[tuple[str, int], int] = {}
    for d in decisions:  # ordered by id: the last one on a revision is the one that stands
        key = (d["submission_id"], d["revision"])
        latest[key] = d
        first_id.setdefault(key, d["id"])
    forms: dict[tuple[str, int], dict] = {}
    last = 0
    with tqdm(desc="snapshot: forms", unit="rev", disable=not progress, file=sys.stderr) as bar:
        while True:
            batch = store.revisions_since(last, limit=5000)
            if not batch:
                break
            for rev in batch:
                if (rev.submission_id, rev.revision) in latest:
                    forms[(rev.submission_id, rev.revision)] = rev.form
            last = batch[-1].seq
            bar.update(len(batch))
    reports: dict[tuple[str, int], dict] = {}
    for sid, revision, report in tqdm(store.iter_reports(), desc="snapshot: reports", unit="rep",
                                      disable=not progress, file=sys.stderr):
        if (sid, revision) in latest:
            reports[(sid, revision)] = {
                "findings": [[f["code"], f.get("confidence", 1.0)] for f in report.get("findings", [])],
                "duplicates": [d.get("score", 0.0) for d in report.get("duplicates", [])],
            }
    history: dict[str, dict[str, bool]] = {}
    rows = []
    for order, key in enumerate(sorted(latest, key=lambda k: first_id[k])):
        d, form, report = latest[key], forms.get(key), reports.get(key)
        if form is None or report is None:
            continue
        entity = form.get("entity") or {}
        uscc = (entity.get("uscc") or "").strip().upper()
        seen = {k: v for k, v in history.get(uscc, {}).items() if k != key[0]} if uscc else {}
        sent_back = d["decision"] != "approved"
        rows.append({
            "submission_id": key[0], "revision": key[1], "order": order, "stage": form.get("stage"),
            "kind": entity.get("kind"), "submitted_at": form.get("submitted_at"),
            "findings": report["findings"], "duplicates": report["duplicates"],
            "history": [len(seen), sum(seen.values())], "decision": d["decision"], "label": int(sent_back),
        })
        if uscc:
            history.setdefault(uscc, {})[key[0]] = sent_back
    return rows


def read_rows(path: Path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def rows_or_snapshot(rows_path: Path | None, snapshot_out: Path | None, build, settings) -> tuple[list[dict], str]:
    """The rows a `prescreen train …` command learns from: a saved snapshot (``--rows``), else
    ``build(store, progress=True)`` over the service's store, saved to ``--snapshot-out`` if given.
    Returns (rows, source)."""
    if rows_path is not None:
        return read_rows(rows_path), str(rows_path)
    from screening.storage import open_store

    rows = build(open_store(settings.sqlalchemy_url, settings.files_dir), progress=True)
    if snapshot_out:
        write_rows(snapshot_out, rows)
    return rows, "store"


# ---------------------------------------------------------------------- training
def require_enough(rows: list[dict], min_decisions: int = MIN_DECISIONS) -> None:
    """``InvalidInput`` (the CLI's exit 2) naming the minimum and the count when there are too few."""
    if len(rows) < min_decisions:
        from screening.errors import InvalidInput

        raise InvalidInput(f"{len(rows)} decided submissions; training the priority model needs at least "
                           f"{min_decisions} (MIN_DECISIONS; the severity prior stays in service)", field="decisions")


def split(rows: list[dict], holdout: float) -> tuple[list[dict], list[dict]]:
    rows = sorted(rows, key=lambda r: r["order"])
    cut = int(round(len(rows) * (1 - holdout)))
    return rows[:cut], rows[cut:]


def train_priority(rows: list[dict], registry: Registry, *, C: float = 1.0, calibration: str = "auto",
                   holdout: float = 0.2, promote: bool = False, force: bool = False, progress: bool = False,
                   source: str = "store", actor: str = "cli:train",
                   min_decisions: int = MIN_DECISIONS) -> dict[str, Any]:
    """Train, evaluate, write the card, register; returns the summary printed by the command.

    The model in service is measured on the same hold-out and fixed sets; until a learned model
    is promoted that is the registry's built-in version, the severity prior, so the first
    candidate is gated against it like every later one."""
    from tqdm import tqdm

    require_enough(rows, min_decisions)
    steps = tqdm(total=5, desc="train priority", unit="step", disable=not progress, file=sys.stderr)
    data_hash = sha256_rows(rows)
    train, held = split(rows, holdout)
    X, y = matrix(train)
    params = {"C": C, "calibration": calibration, "holdout": holdout, "split": "last share by decision order",
              "folds": 5, "features": "screening.learned_priority.FEATURES",
              "history_prior": list(HISTORY_PRIOR)}
    model = PriorityModel.fit(X, y, feature_names=FEATURES, C=C, calibration=calibration)
    steps.update()

    serving_version = registry.in_service(NAME)
    serving = load_priority_model(registry.path(NAME, serving_version)) if serving_version else None
    Xh, yh = matrix(held)
    holdout_metrics = {"candidate": evaluate_rows(model.predict_proba(Xh), held),
                       "severity_prior": evaluate_rows(severity_prior_p(held), held)}
    if serving is not None:
        holdout_metrics["serving"] = evaluate_rows(serving.predict_proba(Xh), held)
    steps.update()

    sets = fixed_sets(registry.root)
    fixed = {name: {"hash": h, **evaluate_rows(model.predict_proba(matrix(r)[0]), r)} for name, (h, r) in sets.items()}
    fixed_serving = evaluate_serving(registry.path(NAME, serving_version), sets) if serving_version else {}
    steps.update()

    version = new_version(data_hash)
    model.manifest = Manifest(
        name=NAME, version=version, kind=PriorityModel.kind, data_hash=data_hash,
        recipe={**params, "rows": len(rows), "train_rows": len(train), "holdout_rows": len(held), "source": source},
        metrics={"holdout": holdout_metrics, "fixed": fixed, "fixed_serving": fixed_serving, "gate": GATE,
                 "compared_with": serving_version},
    )
    with tempfile.TemporaryDirectory(prefix="priority-") as tmp:
        folder = Path(tmp) / version
        folder.mkdir()
        write_card(folder, model, held, serving, holdout_metrics, fixed, fixed_serving, serving_version)
        model.save(folder)
        steps.update()
        info = registry.register(NAME, folder, actor=actor)
    summary: dict[str, Any] = {"name": NAME, "version": version, "path": str(info.path), "data_hash": data_hash,
                               "rows": len(rows), "holdout": holdout_metrics, "fixed": fixed,
                               "fixed_serving": fixed_serving, "serving": serving_version, "promoted": False}
    if promote:
        try:
            registry.promote(NAME, version, force=force, actor=actor)
            summary["promoted"] = True
        except PromotionRefused as exc:
            summary["refused"] = exc.message
    steps.update()
    steps.close()
    return summary


# ---------------------------------------------------------------------- the command
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=Path, metavar="SNAPSHOT.jsonl[.gz]",
                        help="train on a saved snapshot instead of the store's decisions")
    parser.add_argument("--snapshot-out", type=Path, metavar="PATH", help="also save the snapshot built from the store")
    parser.add_argument("--holdout", type=float, default=0.2, help="share of the latest decisions held out (0.2)")
    parser.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the logistic regression")
    parser.add_argument("--calibration", choices=["auto", "isotonic", "platt"], default="auto",
                        help="auto: isotonic from 1,000 decisions, Platt scaling below")
    parser.add_argument("--promote", action="store_true",
                        help="promote the candidate if the gate passes: not worse than the one in service on the fixed "
                             "sets, and better than the severity prior somewhere when that is in service (exit 2 if not)")
    parser.add_argument("--force", action="store_true", help="with --promote: promote even if the gate refuses")
    parser.add_argument("--freeze-holdout", metavar="NAME",
                        help="keep this run's hold-out as a fixed evaluation set NAME for every later candidate")


def run(args: argparse.Namespace) -> int:
    from screening.settings import get_settings

    settings = get_settings()
    rows, source = rows_or_snapshot(args.rows, args.snapshot_out, build_snapshot, settings)
    registry = Registry(settings.registry_dir)
    require_enough(rows)  # before anything is written (a frozen set included)
    if args.freeze_holdout:
        from .priority_eval import freeze_set

        path = freeze_set(registry.root, args.freeze_holdout, split(rows, args.holdout)[1])
        print(f"fixed evaluation set {args.freeze_holdout}: {path}", file=sys.stderr)
    summary = train_priority(rows, registry, C=args.C, calibration=args.calibration, holdout=args.holdout,
                             promote=args.promote, force=args.force, progress=True, source=source)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.promote and not summary["promoted"]:
        print(f"prescreen: {summary.get('refused')}", file=sys.stderr)
        return 2
    return 0
