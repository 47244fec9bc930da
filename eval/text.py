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
from collections import Counter
from pathlib import Path

from models.text_screener import TextScreener
from training.text_data import NAME_CODES, compose_names
from training.text_forms import FormComposer
from training.text_vocab import RealVocab

HELP = "evaluate the product-text screening (held-out generated set and real slices)"
SPAN_CODES = ("NAME_BRAND", "NAME_HAS_SPEC", "NAME_VAGUE_WORDING", "NAME_ADJECTIVE", "NAME_PATENT_TITLE")
TARGETS = {"macro_f1": 0.92, "min_code_f1": 0.85, "jd_brand_recall": 0.90, "patent_title_recall": 0.98,
           "goods_flagged_share_max": 0.05, "median_ms_max": 20.0}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None)
    parser.add_argument("--models", type=Path, default=None, help="model directory (default: the committed weights)")
    parser.add_argument("--n", type=int, default=4000, help="generated names in the held-out set")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")


def run(args: argparse.Namespace) -> int:
    screener = TextScreener.load(args.models) if args.models else TextScreener.load_default()
    vocab = RealVocab.load(args.realdata)
    result = evaluate(screener, vocab, n=args.n, seed=args.seed)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    print(summary(result), file=sys.stderr)
    return 0


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "support": tp + fn}


def analyse(screener: TextScreener, names: list[str], trademarks=None, batch: int = 256):
    out = []
    trademarks = trademarks or [None] * len(names)
    for i in range(0, len(names), batch):
        out += screener.analyse_names(names[i : i + batch], trademarks[i : i + batch])
    return out


def evaluate(screener: TextScreener, vocab: RealVocab, *, n: int = 4000, seed: int = 2026) -> dict:
    res: dict = {"models": screener.versions, "held_out": {}, "real": {}}
    counts = {c: [0, 0, 0] for c in NAME_CODES + ("MODEL_INVALID_CONTENT", "INTRO_OFF_TOPIC", "CATEGORY_MISMATCH")}

    # generated names
    examples = [e for e in compose_names(vocab, "eval", n, seed=seed) if not e.tagger_only]
    analyses = analyse(screener, [e.text for e in examples], [e.trademark for e in examples])
    with_evidence = [0, 0]
    for e, a in zip(examples, analyses):
        got = {f.code for f in a.findings}
        for c in NAME_CODES:
            counts[c][0] += c in got and c in e.codes
            counts[c][1] += c in got and c not in e.codes
            counts[c][2] += c not in got and c in e.codes
        for f in a.findings:
            if f.code in SPAN_CODES:
                with_evidence[1] += 1
                with_evidence[0] += bool(f.evidence.get("span")) and bool(f.evidence.get("suggestion"))

    # model field entries, introductions, categories
    forms = FormComposer(vocab, "eval", seed)
    entries = []
    for _ in range(max(n // 2, 200)):
        tm = forms.rng.choice(forms.brands)
        text, invalid, _ = forms.model_entry(tm)
        entries.append((text, tm, forms.rng.choice(forms.names), invalid))
    for i in range(0, len(entries), 256):
        chunk = entries[i : i + 256]
        vecs = screener.embedder.encode([t for t, *_ in chunk])
        for j, (t, tm, name, invalid) in enumerate(chunk):
            got = bool(screener.check_models([t], tm, name, vecs[j : j + 1]))
            counts["MODEL_INVALID_CONTENT"][0] += got and invalid
            counts["MODEL_INVALID_CONTENT"][1] += got and not invalid
            counts["MODEL_INVALID_CONTENT"][2] += (not got) and invalid
    intros = [forms.intro() for _ in range(max(n // 4, 200))]
    vecs = screener.embedder.encode([t for t, _ in intros])
    for (t, cls), v in zip(intros, vecs):
        got = bool(screener.check_intro(t, v[None, :]))
        off = cls != "product"
        counts["INTRO_OFF_TOPIC"][0] += got and off
        counts["INTRO_OFF_TOPIC"][1] += got and not off
        counts["INTRO_OFF_TOPIC"][2] += (not got) and off
    pairs = [forms.category_pair() for _ in range(max(n // 2, 200))]
    va = screener.embedder.encode([p[0] for p in pairs])
    vb = screener.embedder.encode([p[1] for p in pairs])
    for (a, b, mis), x, y in zip(pairs, va, vb):
        got = bool(screener.check_category(a, b, x[None, :], y[None, :]))
        counts["CATEGORY_MISMATCH"][0] += got and mis
        counts["CATEGORY_MISMATCH"][1] += got and not mis
        counts["CATEGORY_MISMATCH"][2] += (not got) and mis

    per_code = {c: prf(*v) for c, v in counts.items()}
    f1s = [m["f1"] for m in per_code.values() if m["support"]]
    res["held_out"] = {
        "names": len(examples), "model_entries": len(entries), "intros": len(intros), "category_pairs": len(pairs),
        "per_code": per_code, "macro_f1": round(sum(f1s) / len(f1s), 4),
        "min_code": min(per_code, key=lambda c: per_code[c]["f1"] if per_code[c]["support"] else 1.0),
        "span_findings_with_span_and_suggestion": f"{with_evidence[0]}/{with_evidence[1]}",
    }
    res["held_out"]["min_f1"] = per_code[res["held_out"]["min_code"]]["f1"]
    res["real"]["jd_brand_recall"] = jd_brand_recall(screener, vocab.jd_titles["eval"])
    res["real"]["patent_title_recall"] = patent_title_recall(screener, vocab.patent_titles["eval"])
    res["real"]["goods_flagged"] = goods_flagged(screener, [g.name for g in vocab.goods["eval"]])
    res["speed"] = speed(screener, examples[:200])
    res["targets"] = TARGETS
    return res


def jd_brand_recall(screener: TextScreener, rows: list[dict]) -> dict:
    """Annotated brands covered by a NAME_BRAND finding's spans (tagger and rules together, no trademark given)."""
    hit = total = 0
    missed = []
    analyses = analyse(screener, [r["title"] for r in rows], batch=128)
    for r, a in zip(rows, analyses):
        found = [h["span"] for f in a.findings if f.code == "NAME_BRAND" for h in f.evidence.get("spans", [])]
        for e in r["entities"]:
            if e["label"] != "1":
                continue
            total += 1
            ok = any(s < e["end"] and e["start"] < t for s, t in found)
            hit += ok
            if not ok:
                missed.append(e["text"])
    return {"recall": round(hit / max(total, 1), 4), "brands": total, "titles": len(rows), "missed": missed[:30]}


def patent_title_recall(screener: TextScreener, titles: list[str]) -> dict:
    got = [any(f.code == "NAME_PATENT_TITLE" for f in a.findings) for a in analyse(screener, titles)]
    missed = [t for t, g in zip(titles, got) if not g]
    return {"recall": round(sum(got) / max(len(titles), 1), 4), "titles": len(titles), "missed": missed[:30]}


def goods_flagged(screener: TextScreener, names: list[str]) -> dict:
    by_code: Counter = Counter()
    flagged = []
    for a in analyse(screener, names):
        if a.findings:
            flagged.append(a.name + " → " + ",".join(f.code for f in a.findings))
            by_code.update({f.code for f in a.findings})
    return {"share": round(len(flagged) / max(len(names), 1), 4), "names": len(names), "flagged": len(flagged),
            "by_code": dict(by_code.most_common()), "examples": flagged[:40]}


def speed(screener: TextScreener, examples) -> dict:
    from screening.contract import CodeName, Product

    products = [Product(name=e.text, models=["BCD-520W"], trademark=e.trademark or "雄楚",
                        category=CodeName("3951010100", "家用电冰箱"),
                        intro="双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构，适用于家庭食品冷藏冷冻。")
                for e in examples]
    for p in products[:5]:
        screener.screen(p)
    times = []
    for p in products:
        t0 = time.perf_counter()
        screener.screen(p)
        times.append((time.perf_counter() - t0) * 1000)
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
