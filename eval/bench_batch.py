"""Batch screening throughput: `prescreen screen --batch` on N text-only submissions.

Prints, in one run: the rule checks alone (the target: ≥ 300 submissions/s on 2 cores),
the full default pipeline without recording, and the real command end to end (screen and
record every submission in the store), each in submissions per second.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HELP = "throughput of batch screening (rule checks alone vs the full command)"
TARGET_RULES_PER_S = 300.0

BASE = {
    "submission_id": "B-0",
    "stage": "product",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "entity": {
        "uscc": "91440300MA5H3E0T3W", "name": "深圳市雄楚速通国际物流有限公司", "kind": "enterprise",
        "figures_year": 2025,
        "figures_wan": {"total_cost": 5200.0, "ip_investment": 310.0, "net_profit": 820.0,
                        "operating_revenue": 6890.5, "total_product_sales": 6500.0, "fixed_assets": 2100.0,
                        "total_output": 7000.0, "patent_assets": 450.0, "total_assets": 12000.0},
        "employees": 230,
    },
    "product": {
        "name": "家用电冰箱", "models": ["BCD-520W"], "trademark": "雄楚",
        "category": {"code": "3951010100", "name": "家用电冰箱"},
        "industry": {"code": "C3851", "name": "家用制冷电器具制造"},
        "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构。",
        "exported": False,
        "figures_wan": {"sales": 2300.0, "export": 0.0, "profit": 310.0, "ip_investment": 45.0, "total_cost": 1900.0},
        "patents": [{"number": "CN201710601862.3", "core": True, "litigated": False,
                     "holder": "深圳市雄楚速通国际物流有限公司"}],
    },
    "documents": [],
}
NAMES = ["家用电冰箱", "海尔电冰箱", "一种数据处理方法", "智能手机等电子产品", "9英寸手机屏幕", "新型高端空气净化器",
         "锂电池", "LED显示屏", "乳液、精华套装", "电器", "工业机器人减速器", "一种含有乳酸菌的碳酸饮料"]


def make_submissions(n: int, seed: int = 7) -> list[dict]:
    """Varied text-only submissions: names, figures, patents and USCCs with and without defects."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        s = copy.deepcopy(BASE)
        s["submission_id"] = f"B-{i:06d}"
        s["product"]["name"] = rng.choice(NAMES)
        s["product"]["figures_wan"]["sales"] = rng.choice([0.0, 120.0, 2300.0, 9000.0])
        if rng.random() < 0.2:
            s["product"]["patents"] = []
        if rng.random() < 0.1:
            s["entity"]["uscc"] = s["entity"]["uscc"][:-1] + "X"
        if rng.random() < 0.2:
            s["product"]["models"] = ["BCD-520W", "BCD-520WE"]
        out.append(s)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=10_000, help="number of submissions (default 10000)")


def run_benchmark(n: int) -> dict:
    from screening.checks.rules import rule_checks
    from screening.parsing import parse_submission
    from screening.pipeline import Pipeline, Resources
    from screening.resources import build_pipeline
    from screening.settings import Settings

    raw = make_submissions(n)
    subs = [parse_submission(s) for s in raw]
    rules = Pipeline(rule_checks(), Resources())
    t0 = time.perf_counter()
    for s in subs:
        rules.screen(s, {})
    rules_s = time.perf_counter() - t0

    from screening.storage import open_store

    with tempfile.TemporaryDirectory() as tmp:  # duplicate search needs a store; nothing is recorded in it
        settings = Settings(data_dir=Path(tmp), ocr_enabled=False)
        store = open_store(settings.sqlalchemy_url, settings.files_dir)
        full, status = build_pipeline(settings, store, ocr=False)
        if status.failed:
            raise RuntimeError(f"models did not load: {status.failed}")
        t0 = time.perf_counter()
        for s in subs:
            full.screen(s, {})
        full_s = time.perf_counter() - t0
        store.engine.dispose()

    import os
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "subs.jsonl"
        src.write_text("\n".join(json.dumps(s, ensure_ascii=False) for s in raw) + "\n", encoding="utf-8")
        env = {**os.environ, "PRESCREEN_DATA_DIR": str(Path(tmp) / "data")}
        env.pop("DATABASE_URL", None)
        # the command as users run it, in its own process: start-up and model loading included
        cmd = [str(Path(sys.executable).with_name("prescreen")), "screen", "--batch", str(src),
               "--out", str(Path(tmp) / "out.jsonl"), "--no-ocr"]
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        cmd_s = time.perf_counter() - t0
    return {"n": n, "rules_per_s": n / rules_s, "pipeline_per_s": n / full_s, "command_per_s": n / cmd_s,
            "command_exit": rc, "cpus": os.cpu_count()}


def run(args: argparse.Namespace) -> int:
    r = run_benchmark(args.n)
    print(f"batch screening of {r['n']} text-only submissions on {r['cpus']} CPU cores")
    print(f"  rule checks alone            {r['rules_per_s']:8.0f} submissions/s   (target ≥ {TARGET_RULES_PER_S:.0f})")
    print(f"  all checks (text models, duplicate search), no recording  {r['pipeline_per_s']:8.0f} submissions/s")
    print(f"  prescreen screen --batch     {r['command_per_s']:8.0f} submissions/s   (screen + record in SQLite)")
    return 0 if r["command_exit"] == 0 else 1
