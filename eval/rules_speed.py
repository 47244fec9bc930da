"""Throughput of the rule checks alone (no OCR, no models): submissions per second in a batch.

``prescreen eval rules_speed [--n 4000] [--workers 2] [--uploads none|small|licence]``

Screens a batch of varied submissions (CONTRACT.md's example with the defects the rules look
for switched on in turn) through ``Pipeline(rule_checks())`` in ``--workers`` processes.
``--uploads none`` measures the form rules; ``small`` adds four 640×480 JPEG/PNG uploads per
submission (sniffed and decoded by FileCheck); ``licence`` adds one real licence scan from
../shared/realdata, to show what decoding a real upload costs. The rule figure times
``Pipeline.screen`` on parsed submissions; the end-to-end figure adds process start-up and
``parse_submission`` (which is not a rule check).
"""

from __future__ import annotations

import argparse
import copy
import io
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HELP = "throughput of the rule checks (submissions/s) on a batch"

_BASE = {
    "submission_id": "bench-0",
    "stage": "product",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "entity": {
        "uscc": "91440300MA5H3E0T3W", "name": "深圳市雄楚速通国际物流有限公司", "kind": "enterprise", "figures_year": 2025,
        "figures_wan": {
            "total_cost": 5200.0, "ip_investment": 310.0, "net_profit": 820.0, "operating_revenue": 6890.5,
            "total_product_sales": 6500.0, "fixed_assets": 2100.0, "total_output": 7000.0, "selling_expense": 300.0,
            "admin_expense": 420.0, "finance_expense": 35.0, "patent_assets": 450.0, "total_assets": 12000.0,
        },
        "employees": 230,
    },
    "product": {
        "name": "家用电冰箱", "models": ["BCD-520W"], "models_reason": None, "trademark": "雄楚",
        "category": {"code": "3951010100", "name": "家用电冰箱"}, "industry": {"code": "C3851", "name": "家用制冷电器具制造"},
        "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构。" * 8,
        "exported": False, "export_destinations": [],
        "figures_wan": {"sales": 2300.0, "export": 0.0, "profit": 310.0, "ip_investment": 45.0, "total_cost": 1900.0},
        "market_share_pct": 1.2,
        "patents": [{"number": "CN201710601862.3", "core": True, "litigated": False, "holder": "深圳市雄楚速通国际物流有限公司"},
                    {"number": "CN200410009081.8", "core": False, "litigated": False}],
    },
    "documents": [],
}
_VARIANTS = (
    lambda d: None,
    lambda d: d["entity"].update(uscc="91440300MA5H3E0T3X"),
    lambda d: d["entity"].update(name="深圳市雄楚速通国际物流有限公司北京分公司"),
    lambda d: d["entity"]["figures_wan"].update(ip_investment=6000.0),
    lambda d: d["product"].update(models=["BCD-520W、BCD-520WP系列"]),
    lambda d: d["product"].update(intro="冰" * 640),
    lambda d: d["product"]["figures_wan"].update(sales=0.0, profit=0.0),
    lambda d: d["product"]["patents"].append({"number": "CN107966475B", "litigated": True, "holder": "另一家公司"}),
)


def submissions(n: int) -> list[dict]:
    out = []
    for i in range(n):
        d = copy.deepcopy(_BASE)
        d["submission_id"] = f"bench-{i}"
        _VARIANTS[i % len(_VARIANTS)](d)
        out.append(d)
    return out


def _uploads(kind: str, realdata: Path | None) -> dict[str, bytes]:
    if kind == "none":
        return {}
    if kind == "licence":
        path = realdata / "doc_images/business_licenses/cleartime_ins-new__yyzz.jpg"  # 2338×1653, 1.1 MB
        return {"licence.jpg": path.read_bytes()}
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8))
    out = {}
    for name, fmt in (("licence.jpg", "JPEG"), ("statement.png", "PNG"), ("photo.jpg", "JPEG"), ("proof.jpg", "JPEG")):
        buf = io.BytesIO()
        img.save(buf, fmt)
        out[name] = buf.getvalue()
    return out


_DOC_KINDS = {"licence.jpg": "business_licence", "statement.png": "profit_statement", "photo.jpg": "product_photo",
              "proof.jpg": "economic_proof"}


def _work(args: tuple[list[dict], dict[str, bytes]]) -> tuple[float, float, dict[str, int]]:
    """(seconds parsing, seconds screening, finding counts) for one worker's share."""
    from screening.checks.rules import rule_checks
    from screening.parsing import parse_submission
    from screening.pipeline import Pipeline, UploadedFile

    batch, uploads = args
    pipeline = Pipeline(rule_checks())
    files = {n: UploadedFile(n, d) for n, d in uploads.items()}
    counts: dict[str, int] = {}
    documents = [{"kind": _DOC_KINDS[n], "file": n} for n in uploads]
    t0 = time.perf_counter()
    parsed = [parse_submission(dict(data, documents=documents)) for data in batch]
    t1 = time.perf_counter()
    for sub in parsed:
        for f in pipeline.screen(sub, files).findings:
            counts[f.code] = counts.get(f.code, 0) + 1
    return t1 - t0, time.perf_counter() - t1, counts


def benchmark_rules(n: int = 4000, workers: int = 2, uploads: str = "none", realdata: Path | None = None) -> dict:
    subs = submissions(n)
    files = _uploads(uploads, realdata)
    chunks = [subs[i::workers] for i in range(workers)]
    t0 = time.perf_counter()
    if workers == 1:
        results = [_work((chunks[0], files))]
    else:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_work, [(c, files) for c in chunks]))
    seconds = time.perf_counter() - t0
    findings: dict[str, int] = {}
    for _, _, counts in results:
        for code, k in counts.items():
            findings[code] = findings.get(code, 0) + k
    # the workers run side by side: the batch takes as long as the slowest worker's screening
    screening = max(r[1] for r in results)
    parsing = max(r[0] for r in results)
    return {
        "submissions": n, "workers": workers, "uploads": uploads,
        "rules_seconds": round(screening, 3), "rules_per_second": round(n / screening, 1),
        "parse_ms_per_submission": round(sum(r[0] for r in results) / n * 1000, 3),
        "end_to_end_seconds": round(seconds, 3), "end_to_end_per_second": round(n / seconds, 1),
        "parse_seconds": round(parsing, 3), "findings": dict(sorted(findings.items())),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=4000, help="submissions in the batch")
    parser.add_argument("--workers", type=int, default=2, help="processes (the target is measured on 2 cores)")
    parser.add_argument("--uploads", choices=("none", "small", "licence"), default="none", help="files attached to each submission (none)")
    parser.add_argument("--realdata", type=Path, default=None, help="real-data folder (default: PRESCREEN_REALDATA)")


def run(args: argparse.Namespace) -> int:
    from screening.settings import realdata_dir

    result = benchmark_rules(args.n, args.workers, args.uploads, args.realdata or realdata_dir())
    print(f"{result['submissions']} submissions, {result['workers']} workers, uploads={result['uploads']}")
    print(f"rule checks (Pipeline(rule_checks()).screen): {result['rules_seconds']} s = "
          f"{result['rules_per_second']} submissions/s")
    print(f"end to end (process start, JSON → dataclasses {result['parse_ms_per_submission']} ms each, screening): "
          f"{result['end_to_end_seconds']} s = {result['end_to_end_per_second']} submissions/s")
    print(f"findings: {result['findings']}")
    return 0
