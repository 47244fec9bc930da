"""prescreen eval feedback: what reviewers' verdicts say about the detectors, and the exports.

    prescreen eval feedback                       # per-code false-positive rates + systematic false positives (JSON)
    prescreen eval feedback --out exports/        # ... and text_feedback.jsonl, duplicate_pairs.jsonl for retraining

Reads the service's store (``DATABASE_URL`` / ``PRESCREEN_DATA_DIR``); the builders are the plain
functions of ``training/feedback.py``, which the text and duplicate training commands call.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "per-code false-positive rates, systematic false positives, and the text/duplicate training exports"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="DIR", help="write text_feedback.jsonl and duplicate_pairs.jsonl here")
    parser.add_argument("--min-support", type=int, default=10, help="rated findings a name pattern needs (10)")
    parser.add_argument("--min-fp-rate", type=float, default=0.8, help="share false positive to flag a pattern (0.8)")


def run(args: argparse.Namespace) -> int:
    from screening.settings import get_settings
    from screening.storage import open_store
    from training.feedback import (
        duplicate_pairs,
        false_positive_stats,
        load_decided,
        systematic_false_positives,
        text_feedback_rows,
    )

    settings = get_settings()
    decided = load_decided(open_store(settings.sqlalchemy_url, settings.files_dir), progress=True)
    rows = text_feedback_rows(decided)
    pairs = duplicate_pairs(decided)
    result = {
        "decided": len(decided),
        "false_positive_stats": false_positive_stats(decided),
        "systematic_false_positives": systematic_false_positives(rows, min_support=args.min_support,
                                                                 min_fp_rate=args.min_fp_rate),
        "text_feedback_rows": len(rows),
        "duplicate_pairs": {"confirmed": sum(p["label"] for p in pairs), "rejected": sum(1 - p["label"] for p in pairs)},
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, items in (("text_feedback.jsonl", rows), ("duplicate_pairs.jsonl", pairs)):
            with open(args.out / name, "w", encoding="utf-8") as fh:
                for item in items:
                    fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        result["written"] = [str(args.out / "text_feedback.jsonl"), str(args.out / "duplicate_pairs.jsonl")]
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
