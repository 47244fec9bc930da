"""`prescreen eval text-feedback`: a systematic false positive of the REAL text model, reviewers'
verdicts on it, one retraining, and whether it stops firing.

The planted false positive: the committed name tagger reads 高效 ("high-efficiency") at the
start of a name as a promotional adjective (NAME_ADJECTIVE) — on 33 of 33 probed names — but
高效过滤器 (HEPA filter, GB/T 13554), 高效液相色谱仪 (HPLC), 高效减水剂 (superplasticiser) are the
standard names of these goods. In a simulated world (``training.simulator``) some filers
legitimately name their product 高效<product>; others file true promotional names
(新型…, 高端…, 优质…) that reviewers confirm as NAME_ADJECTIVE. Steps, in a scratch store:

1. ``--decisions`` simulated submissions screened by the real checks (``default_checks`` but
   duplicate search, with the committed text models; no filter in service) through
   ``ScreeningService``, decided by the
   simulated reviewers (a finding on a planted defect → confirmed, any other → false positive);
2. ``prescreen train text-feedback --promote`` on that store (``train_text_feedback``);
3. fresh simulated submissions of both kinds (another seed; the 高效 names use product words
   never seen in training) screened by the real checks without and with the promoted filter
   (``ServedTextFeedback``: the service's loader): NAME_ADJECTIVE's firing rate on each kind;
4. every code's F1 on the fixed text sets with and without the filter (from step 2).

Targets: the planted code's firing rate on its kind falls by ≥ 80%; no code's F1 on
the fixed sets drops by more than 0.01.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HELP = "plant a systematic false positive of the real text model, retrain from reviewers' verdicts, compare"
PLANTED_CODE = "NAME_ADJECTIVE"
MARKER = "高效"
# product words behind 高效: standard names of real goods (the first list trains, the second is held out)
TRAIN_HEADS = ["过滤器", "液相色谱仪", "减水剂", "换热器", "除尘器", "浓缩机", "澄清器", "沉淀池", "混凝剂", "杀虫剂",
               "净水剂", "冷却塔", "油水分离器", "热泵", "燃烧器", "压缩机", "滤芯", "萃取机", "空气过滤器", "节能电机"]
HELD_HEADS = ["絮凝剂", "催化剂", "保温材料", "分离膜", "蒸发器", "脱硫塔", "光伏组件", "精馏塔", "风机", "锅炉",
              "过滤网", "水泵", "电机", "旋风分离器", "消毒剂", "除草剂", "反应釜", "搅拌器", "离心机", "干燥机"]
TRUE_ADJECTIVES = ["新型", "高端", "优质", "豪华", "顶级", "一流", "卓越", "高档", "精品", "至尊"]
HELD_ADJECTIVES = ["新款", "奢华", "极致", "尊贵", "高品质", "完美"]
TARGETS = {"planted_drop_min": 0.80, "f1_drop_max": 0.01}


def plant(cases, rng: random.Random, *, heads, adjectives, p_fp: float, p_adj: float) -> dict[str, str]:
    """Rename some product cases: 高效<head> (legitimate) or <adjective><name> (a true defect)."""
    kinds = {}
    for case in cases:
        prod = case.form.get("product")
        if not prod or any(c.startswith("NAME_") or c == "DUPLICATE_FILING" for c in case.defects):
            continue
        u = rng.random()
        if u < p_fp:
            head = rng.choice(heads)
            prod["name"] = MARKER + head
            prod["category"] = {"code": prod["category"]["code"], "name": head}
            prod["intro"] = f"{head}，用于工业生产，结构紧凑，运行稳定。"
            kinds[case.submission_id] = "planted"
        elif u < p_fp + p_adj:
            prod["name"] = rng.choice(adjectives) + prod["name"]
            case.defects.append(PLANTED_CODE)
            kinds[case.submission_id] = "true_adjective"
    return kinds


def firing_rate(pipeline, cases, kinds: dict[str, str], code: str = PLANTED_CODE) -> dict[str, dict]:
    out: dict[str, list[int]] = {}
    for case in cases:
        kind = kinds.get(case.submission_id)
        if kind is None:
            continue
        report = pipeline.screen(case.submission, {})
        fired = any(f.code == code for f in report.findings)
        out.setdefault(kind, [0, 0])
        out[kind][0] += fired
        out[kind][1] += 1
    return {k: {"fired": f, "n": n, "rate": round(f / n, 4)} for k, (f, n) in out.items()}


def evaluate(*, decisions: int = 800, heldout: int = 300, seed: int = 21, n_fixed: int = 3000,
             limit: int | None = None, realdata: Path | None = None, workdir: Path | None = None,
             progress: bool = False) -> dict:
    from models.registry import Registry
    from models.text_feedback import ServedTextFeedback
    from models.text_screener import TextScreener
    from screening.checks import default_checks as _all_checks
    from screening.pipeline import Pipeline, Resources
    from screening.service import ScreeningService
    from screening.storage import open_store
    from training.feedback import false_positive_stats, load_decided
    from training.simulator import World, run_loop
    from training.text_feedback import NAME, FixedSets, snapshot, train_text_feedback

    def default_checks():  # every real check but duplicate search and the filed-record comparison, which need
        # an index and filed records this scratch store lacks
        return [c for c in _all_checks() if c.name not in ("duplicates", "filed-record")]

    timings = {}
    screener = TextScreener.load_default()
    with tempfile.TemporaryDirectory(prefix="prescreen-tfb-") as tmp:
        root = Path(workdir or tmp)
        root.mkdir(parents=True, exist_ok=True)
        store = open_store(f"sqlite:///{root / 'prescreen.db'}", root / "files")
        registry = Registry(root / "models")
        served = ServedTextFeedback(registry.root, screener.embedder)
        resources = Resources(text=screener, text_feedback=served)

        t = time.perf_counter()
        world = World(seed=seed)
        cases = world.cases(decisions)
        plant(cases, random.Random(seed), heads=TRAIN_HEADS, adjectives=TRUE_ADJECTIVES, p_fp=0.15, p_adj=0.12)
        run_loop(world, cases, ScreeningService(Pipeline(default_checks(), resources), store), progress=progress)
        timings["simulate_screen_decide_s"] = round(time.perf_counter() - t, 1)
        stats = false_positive_stats(load_decided(store))

        t = time.perf_counter()
        rows = snapshot(store)
        fixed = FixedSets.load(realdata, n=n_fixed, limit=limit)
        summary = train_text_feedback(rows, registry, screener, fixed, promote=True, progress=progress,
                                      source="eval text-feedback")
        timings["train_and_fixed_sets_s"] = round(time.perf_counter() - t, 1)
        timings["fit_s"] = summary["train_s"]

        fresh = World(seed=seed + 1000)
        fresh_cases = [c for c in fresh.cases(heldout * 3) if "product" in c.form][:heldout]
        kinds = plant(fresh_cases, random.Random(seed + 1000), heads=HELD_HEADS, adjectives=HELD_ADJECTIVES,
                      p_fp=0.5, p_adj=0.5)
        before = firing_rate(Pipeline(default_checks(), Resources(text=screener)), fresh_cases, kinds)
        after = firing_rate(Pipeline(default_checks(), resources), fresh_cases, kinds)
        manifest = registry.info(NAME, summary["version"]).manifest

    planted_drop = 1 - after["planted"]["rate"] / before["planted"]["rate"] if before["planted"]["rate"] else None
    deltas = {}
    for set_name, with_ in manifest.metrics["fixed"].items():
        without = manifest.metrics["fixed_without_filter"][set_name]
        for m, v in with_.items():
            if m != "hash":
                deltas[f"{set_name}/{m}"] = {"without": without[m], "with": v, "delta": round(v - without[m], 4)}
    worst = min((d["delta"] for k, d in deltas.items() if "macro" not in k), default=0.0)
    return {
        "decisions": decisions, "seed": seed, "rated_text_findings": len(rows),
        "planted_code_stats_in_training": stats.get(PLANTED_CODE),
        "candidate": {k: summary[k] for k in ("version", "codes", "withheld", "thresholds", "promoted", "train_s")} | (
            {"refused": summary["refused"]} if "refused" in summary else {}),
        "feedback_holdout": summary["holdout"],
        "heldout_firing": {"before": before, "after": after},
        "planted_firing_drop": round(planted_drop, 4) if planted_drop is not None else None,
        "true_adjective_firing_kept": round(after["true_adjective"]["rate"] / before["true_adjective"]["rate"], 4)
        if before.get("true_adjective", {}).get("rate") else None,
        "fixed_sets": deltas, "worst_fixed_delta": worst,
        "targets": TARGETS,
        "met": {"planted_drop": planted_drop is not None and planted_drop >= TARGETS["planted_drop_min"],
                "f1_drop": worst >= -TARGETS["f1_drop_max"]},
        "timings": timings,
    }


def summary_lines(r: dict) -> str:
    b, a = r["heldout_firing"]["before"], r["heldout_firing"]["after"]
    lines = [f"{PLANTED_CODE} on held-out {MARKER}… names: {b['planted']['rate']:.3f} → {a['planted']['rate']:.3f} "
             f"(drop {r['planted_firing_drop']:.1%}, target ≥ 80%)",
             f"{PLANTED_CODE} on held-out true adjectives: {b['true_adjective']['rate']:.3f} → {a['true_adjective']['rate']:.3f}",
             f"worst fixed-set delta {r['worst_fixed_delta']:+.4f} (target ≥ -0.01); candidate {r['candidate']['version']} "
             f"promoted={r['candidate']['promoted']}; codes learned {r['candidate']['codes']}"]
    lines += [f"  {k:45s} {d['without']:.4f} → {d['with']:.4f} ({d['delta']:+.4f})" for k, d in r["fixed_sets"].items()]
    lines.append(f"timings {r['timings']}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decisions", type=int, default=800, help="simulated submissions screened and decided")
    parser.add_argument("--heldout", type=int, default=300, help="fresh product submissions for the firing rates")
    parser.add_argument("--seed", type=int, default=21, help="simulation seed")
    parser.add_argument("--n", type=int, default=3000, help="names in the fixed generated set (eval text --n)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many real patent / JD titles (quick runs)")
    parser.add_argument("--realdata", type=Path, default=None, help="real data folder (default: the realdata setting, ../shared/realdata)")
    parser.add_argument("--workdir", type=Path, help="keep the scratch store and registry here")
    parser.add_argument("--json", type=Path, help="also write the figures here")


def run(args: argparse.Namespace) -> int:
    result = evaluate(decisions=args.decisions, heldout=args.heldout, seed=args.seed, n_fixed=args.n, limit=args.limit,
                      realdata=args.realdata, workdir=args.workdir, progress=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    print(summary_lines(result), file=sys.stderr)
    return 0 if all(result["met"].values()) else 1
