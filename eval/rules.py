"""`prescreen eval rules`: the review rules of the second round on generated filings with planted defects.

``prescreen eval rules [--n 2000] [--seed 0] [--realdata PATH] [--database-url URL] [--json FILE]``

``training.rules_data.generate`` (written from DOMAIN.md and the seeds, importing no check)
gives ``n`` scored filings, about 45 % clean and the rest one planted defect each, plus their
context: the filed records the annual updates refer to, and a patent register snapshot. This
screens them in order through every exact check of the pipeline (files, rules and the
consistency checks: no OCR, text models or duplicate search) in a fresh store: the register CSV
goes through the same import as ``prescreen register import patents``; each filed record is
screened, recorded and approved before its update is screened.

Prints, for every code in ``SCORED`` (the second-round codes and PATENT_NOT_HELD from the
register), precision and recall over the scored filings, and the share of clean filings flagged
by any of them. Targets: P ≥ 0.98, R ≥ 0.98, clean flagged ≤ 1 %. The figures are on the
development side: the checks were written by people who read the generator.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from training.rules_data import SCORED, SECOND_ROUND, YEAR, generate

HELP = "second-round review rules: per-code precision/recall on generated filings with planted defects"
TARGET_P = TARGET_R = 0.98
TARGET_CLEAN_FLAGGED = 0.01


def rule_pipeline(resources):
    """Every exact check of the default pipeline, in its order (no OCR, text models or duplicates)."""
    from screening.checks import default_checks
    from screening.pipeline import Pipeline

    return Pipeline([c for c in default_checks() if c.part in ("files", "rules")], resources)


def evaluate_rules(n: int = 2000, seed: int = 0, realdata: Path | None = None, database_url: str | None = None,
                   examples: int = 3) -> dict:
    from screening.contract import Decision
    from screening.parsing import parse_submission
    from screening.pipeline import Resources, UploadedFile
    from screening.register import parse_register_csv
    from screening.service import ScreeningService
    from screening.storage import open_store
    from screening.storage.register import PatentRegisterStore

    t0 = time.perf_counter()
    data = generate(n, seed, realdata)
    with tempfile.TemporaryDirectory(prefix="prescreen-eval-rules-") as tmp:
        store = open_store(database_url or f"sqlite:///{tmp}/rules.db", Path(tmp) / "files")
        register = PatentRegisterStore(store.engine)
        register.replace(parse_register_csv(data.register_csv(), today=date(YEAR, 12, 31)),
                         source="generated", actor="eval:rules")
        pipeline = rule_pipeline(Resources(patent_register=register, verified_codes=store.is_code_verified))
        service = ScreeningService(pipeline, store)
        tp, fp, fn = Counter(), Counter(), Counter()
        clean = clean_flagged = 0
        wrong: dict[str, list] = {}
        for item in data.items:
            sub = parse_submission(item.submission)
            files = {name: UploadedFile(name, blob) for name, blob in item.files.items()}
            report, _ = service.screen(sub, files, actor="eval:rules")
            if item.expect is None:  # a filed record: approved, then its update refers to it
                store.record_decision(sub.submission_id, Decision("approved"), actor="eval:rules")
                continue
            found = {f["code"] for f in report["findings"]} & set(SCORED)
            for code in SCORED:
                hit, want = code in found, code in item.expect
                tp[code] += hit and want
                fp[code] += hit and not want
                fn[code] += want and not hit
                if hit != want and len(wrong.setdefault(code, [])) < examples:
                    wrong[code].append({"submission_id": sub.submission_id, "planted": item.defect,
                                        "kind": "false positive" if hit else "missed",
                                        "messages": [f["message"] for f in report["findings"] if f["code"] == code]})
            if item.defect is None:
                clean += 1
                clean_flagged += bool(found & set(SCORED))
        if database_url:
            store.engine.dispose()
    per_code = {}
    for code in SCORED:
        p = tp[code] / (tp[code] + fp[code]) if tp[code] + fp[code] else 0.0
        r = tp[code] / (tp[code] + fn[code]) if tp[code] + fn[code] else 0.0
        per_code[code] = {"precision": round(p, 4), "recall": round(r, 4), "tp": tp[code], "fp": fp[code],
                          "fn": fn[code], "support": tp[code] + fn[code],
                          "met": p >= TARGET_P and r >= TARGET_R}
    return {
        "n": len(data.scored), "seed": seed, "context_records": len(data.items) - len(data.scored),
        "register_rows": len(data.register_rows), "clean": clean, "clean_flagged": clean_flagged,
        "clean_flagged_share": round(clean_flagged / clean, 4) if clean else 0.0,
        "per_code": per_code, "errors": wrong, "seconds": round(time.perf_counter() - t0, 1),
        "side": "development (the checks' authors read the generator)",
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=2000, help="scored filings (context records come on top)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--realdata", type=Path, default=None, help="real-data folder (default ../shared/realdata)")
    parser.add_argument("--database-url", default=None, help="screen into this database (default: a temporary SQLite)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")


def run(args: argparse.Namespace) -> int:
    import os

    realdata = args.realdata or Path(os.environ.get(
        "PRESCREEN_REALDATA", Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"))
    if not Path(realdata).is_dir():
        print(f"real-data folder {realdata} not found (--realdata or PRESCREEN_REALDATA)", file=sys.stderr)
        return 2
    if args.n < len(SCORED) * 4:
        print(f"--n must be at least {len(SCORED) * 4}", file=sys.stderr)
        return 2
    result = evaluate_rules(args.n, args.seed, realdata, args.database_url)
    print(f"{result['n']} filings (seed {result['seed']}), {result['context_records']} filed records as context, "
          f"{result['register_rows']} register rows; {result['side']}")
    print(f"{'code':30} {'P':>7} {'R':>7} {'tp':>5} {'fp':>5} {'fn':>5}")
    for code, m in result["per_code"].items():
        mark = "" if m["met"] else "  below target" + ("" if code not in SECOND_ROUND else "")
        print(f"{code:30} {m['precision']:7.3f} {m['recall']:7.3f} {m['tp']:5d} {m['fp']:5d} {m['fn']:5d}{mark}")
    share = result["clean_flagged_share"]
    print(f"clean filings flagged by any of these codes: {result['clean_flagged']}/{result['clean']} "
          f"({share:.2%}; target ≤ {TARGET_CLEAN_FLAGGED:.0%}) in {result['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
