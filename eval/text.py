"""`prescreen eval text`: how well the text screening does, on held-out generated data and on
real slices that no model saw in training.

- held-out generated set (composed only from the eval half of every real list): per-code
  precision, recall and F1 for every NAME_* code, MODEL_INVALID_CONTENT, INTRO_OFF_TOPIC and
  CATEGORY_MISMATCH, and their macro-F1;
- real slices: brand recall on the JD titles' annotated brands (eval half), NAME_PATENT_TITLE
  recall on real patent titles (fold 1), the share of official goods names (eval part) flagged
  at all;
- every span finding's evidence (span + suggestion), the median time of one product's text
  screening and the memory of the loaded text models.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from training.text_vocab import RealVocab

# the screener and the measuring code import torch: imported where used, so `--help` is instant

HELP = "evaluate the product-text screening (held-out generated set and real slices)"
TARGETS = {"macro_f1": 0.92, "min_code_f1": 0.85, "jd_brand_recall": 0.90, "patent_title_recall": 0.98,
           "goods_flagged_share_max": 0.05, "median_ms_max": 20.0}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None, help="real data folder (default: the realdata setting, ../shared/realdata)")
    parser.add_argument("--models", type=Path, default=None, help="model directory (default: the committed weights)")
    parser.add_argument("--n", type=int, default=4000, help="generated names in the held-out set")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the held-out generated set")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--real", action="store_true",
                        help="score the labelled real set (eval/data/text_real) instead: the frozen test half, in aggregate")
    parser.add_argument("--half", choices=("test", "dev"), default="test", help="with --real: which half")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="with --real: a stored result of the previous release, printed side by side "
                             "(default: eval/data/text_real/previous_release_<half>.json)")
    parser.add_argument("--errors", action="store_true", help="with --real --half dev: list the dev half's mistakes")


def run(args: argparse.Namespace) -> int:
    from models.text_screener import TextScreener

    screener = TextScreener.load(args.models) if args.models else TextScreener.load_default()
    if args.real:
        return run_real(screener, args)
    vocab = RealVocab.load(args.realdata)
    result = evaluate(screener, vocab, n=args.n, seed=args.seed)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    print(summary(result), file=sys.stderr)
    return 0


def run_real(screener: TextScreener, args: argparse.Namespace) -> int:
    from . import text_real

    if args.errors:
        if args.half != "dev":
            print("--errors lists the development half only: the test half is never shown item by item", file=sys.stderr)
            return 2
        print("\n".join(text_real.errors(screener, limit=0)))
        return 0
    result = text_real.evaluate(screener, args.half)
    base = args.baseline or text_real.DATA_DIR / f"previous_release_{args.half}.json"
    previous = json.loads(base.read_text(encoding="utf-8")) if base.is_file() else None
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(text_real.table(result, previous))
    return 0


def evaluate(screener: TextScreener, vocab: RealVocab, *, n: int = 4000, seed: int = 2026) -> dict:
    from training.text_eval import measure

    res = measure(screener, vocab, n=n, seed=seed)
    examples = res.pop("examples")
    res["speed"] = speed(screener, examples[:200])
    res["targets"] = TARGETS
    return res


INTRO = "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构，适用于家庭食品冷藏冷冻。"


def screening_times_ms(screener, names: list[str], trademarks: list[str | None] | None = None) -> list[float]:
    """One product's text screening per name (one model, a category, a 60-character introduction),
    in ms, after five warm-up screenings: what "≤ 20 ms per product" is measured on."""
    from screening.contract import CodeName, Product

    trademarks = trademarks or [None] * len(names)
    products = [Product(name=name, models=["BCD-520W"], trademark=mark, category=CodeName("3951010100", "家用电冰箱"),
                        intro=INTRO) for name, mark in zip(names, trademarks)]
    for p in products[:5]:
        screener.screen(p)
    times = []
    for p in products:
        t0 = time.perf_counter()
        screener.screen(p)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def speed(screener: TextScreener, examples) -> dict:
    times = screening_times_ms(screener, [e.text for e in examples], [e.trademark or "雄楚" for e in examples])
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(sorted(times)[int(0.95 * len(times)) - 1], 2),
            "products": len(times), "model_memory_mb": model_memory_mb(screener)}


def model_memory_mb(screener: TextScreener) -> dict:
    tagger = sum(p.numel() * p.element_size() for p in screener.tagger.network.parameters()) / 2**20
    heads = sum(p.numel() * p.element_size() for n in screener.heads.networks.values() for p in n.parameters()) / 2**20
    emb = 0.0
    use = getattr(screener.embedder, "_use", None)
    backend = getattr(use, "_backend", None)
    if backend is not None:
        emb = sum(getattr(v, "nbytes", 0) for v in vars(backend).values()) / 2**20
        for v in vars(backend).values():
            if isinstance(v, dict):
                emb += sum(getattr(x, "nbytes", 0) for x in v.values()) / 2**20
    return {"name_tagger": round(tagger, 2), "text_heads": round(heads, 2), "embedder": round(emb, 2),
            "rss_mb": _rss_mb()}


def _rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def summary(r: dict) -> str:
    h = r["held_out"]
    lines = [f"held-out macro-F1 {h['macro_f1']} (min {h['min_code']} {h['min_f1']})"]
    lines += [f"  {c:24s} P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} n={m['support']}" for c, m in h["per_code"].items()]
    lines.append(f"JD brand recall {r['real']['jd_brand_recall']['recall']}; patent-title recall "
                 f"{r['real']['patent_title_recall']['recall']}; goods names flagged {r['real']['goods_flagged']['share']}")
    lines.append(f"median {r['speed']['median_ms']} ms per product; memory {r['speed']['model_memory_mb']}")
    return "\n".join(lines)
