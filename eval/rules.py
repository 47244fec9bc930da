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
    from screening.storage.filed import FiledRecords
    from screening.storage.register import PatentRegisterStore

    t0 = time.perf_counter()
    data = generate(n, seed, realdata)
    with tempfile.TemporaryDirectory(prefix="prescreen-eval-rules-") as tmp:
        store = open_store(database_url or f"sqlite:///{tmp}/rules.db", Path(tmp) / "files")
        register = PatentRegisterStore(store.engine)
        register.replace(parse_register_csv(data.register_csv(), today=date(YEAR, 12, 31)),
                         source="generated", actor="eval:rules")
        pipeline = rule_pipeline(Resources(patent_register=register, verified_codes=store.is_code_verified,
                                           filed_records=FiledRecords(store)))
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


# the measurement's own reading of which real scopes name a product's class (not the check's table)
REAL_SCOPE_PRODUCTS = (
    ("家用电冰箱", "家用电冰箱", "C3851", ("冰箱", "冰柜", "家电", "家用电器", "电器", "制冷设备")),
    ("智能手机", "移动电话机", "C3922", ("手机", "通讯器材", "通信设备", "通讯设备", "电子产品", "数码产品")),
    ("办公椅", "金属椅", "C2130", ("家具", "家俱", "办公家具", "座椅")),
    ("LED照明灯具", "照明灯具", "C3872", ("灯具", "照明", "灯饰", "电光源")),
    ("锂离子电池", "锂离子电池", "C3841", ("电池", "蓄电池")),
    ("不锈钢保温杯", "保温容器", "C3389", ("日用百货", "日用品", "厨具", "杯", "不锈钢制品", "金属制品")),
    ("医用外科口罩", "医用口罩", "C3589", ("医疗器械", "口罩", "医用耗材", "劳保用品", "防护用品")),
)
JD_TITLES = "product_names/GAIIC2022_JD_train_500_titles.jsonl"
JD_MODEL_LABEL = "38"  # GAIIC 2022: model/series


def real_scopes(realdata: Path) -> list[dict]:
    """Real business scopes (2002 registry sample) that name a product's class: how many the check flags."""
    import csv

    from screening.checks.scope import covered, industry_names
    from training.rules_data import SCOPES

    rows = list(csv.DictReader((realdata / SCOPES).open(encoding="utf-8")))
    out = []
    for name, category, code, words in REAL_SCOPE_PRODUCTS:
        names = [name, category, *industry_names(code)]
        naming = [r["business_scope"] for r in rows if any(w in r["business_scope"] for w in words)]
        flagged = [s for s in naming if not covered(s, names, code)[0]]
        out.append({"product": name, "industry": code, "scopes": len(rows), "naming_its_class": len(naming),
                    "flagged": len(flagged), "flagged_examples": [s[:80] for s in flagged[:5]],
                    "all_flagged": sum(not covered(r["business_scope"], names, code)[0] for r in rows)})
    return out


def real_model_lines(realdata: Path) -> dict:
    """Real JD model strings (GAIIC 2022 titles, label 38): titles listing several, and one model
    against its own colour / capacity / network variants (must never fire)."""
    import itertools

    from screening.checks.model_lines import different, read_line

    titles = [json.loads(line) for line in (realdata / JD_TITLES).open(encoding="utf-8") if line.strip()]
    several = flagged = 0
    pairs = []
    models: dict[str, None] = {}
    for t in titles:
        ms = list(dict.fromkeys(e["text"] for e in t["entities"] if e["label"] == JD_MODEL_LABEL))
        models.update(dict.fromkeys(ms))
        lines = [x for x in map(read_line, ms) if x is not None]
        if len(lines) < 2:
            continue
        several += 1
        found = [(a.model, b.model, why) for a, b in itertools.combinations(lines, 2) if (why := different(a, b))]
        flagged += bool(found)
        pairs += found
    readable = [m for m in models if read_line(m) is not None]
    twins = [(m, f"{m}{v}") for m in readable for v in (" 曜石黑", " 8GB+256GB", "（全网通）", " 512G")]
    false = [(a, b) for a, b in twins if (rb := read_line(b)) is None or different(read_line(a), rb)]
    return {"titles": len(titles), "titles_with_several_models": several, "titles_flagged": flagged,
            "pairs_flagged": len(pairs), "pairs": pairs, "variant_twins": len(twins), "variant_twins_flagged": len(false)}


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
    models = real_model_lines(Path(realdata))
    result["real_model_lines"] = models
    print(f"real JD model strings (untouched by the generator): {models['variant_twins_flagged']} of "
          f"{models['variant_twins']} colour/capacity/network variants flagged; "
          f"{models['titles_flagged']} of {models['titles_with_several_models']} titles listing several models "
          f"flagged ({models['pairs_flagged']} pairs)")
    result["real_scopes"] = real_scopes(Path(realdata))
    for r in result["real_scopes"]:
        print(f"real business scopes naming the class of {r['product']} ({r['industry']}): "
              f"{r['flagged']} of {r['naming_its_class']} flagged (all {r['scopes']} scopes: {r['all_flagged']} flagged)")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
