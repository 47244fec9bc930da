"""`prescreen eval text --real`: the text screening scored on the labelled real set
(``eval/data/text_real``, built by ``training/text_real_data.py``, labelled per ``LABELLING.md``).

The test half is scored only here and only in aggregate: no item of it is ever printed or
written. The development half may be read item by item (``errors`` lists its misses and false
flags). A stored result of an earlier release (``--baseline``) is printed side by side.
"""

from __future__ import annotations

import statistics
from collections import Counter

from models.text_screener import TextScreener

from training.text_real_data import DATA_DIR, NAME_CODES, load

OTHER_CODES = ("MODEL_INVALID_CONTENT", "INTRO_OFF_TOPIC")
TARGETS = {"clean_flagged_max": 0.02, "brand_recall_min": 0.95, "brand_precision_min": 0.95,
           "code_precision_min": 0.95, "code_precision_support": 20, "macro_f1_min": 0.92, "median_ms_max": 20.0}


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f1 = 2 * p * r / (p + r) if p and r else 0.0
    return {"precision": None if p is None else round(p, 4), "recall": None if r is None else round(r, 4),
            "f1": round(f1, 4), "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn}


def predict(screener: TextScreener, items: list[dict], batch: int = 256) -> list[dict[str, float]]:
    """For every item the codes the screening reports, with their confidence."""
    out: list[dict[str, float] | None] = [None] * len(items)
    names = [i for i, it in enumerate(items) if it["kind"] == "name"]
    for k in range(0, len(names), batch):
        idx = names[k : k + batch]
        analyses = screener.analyse_names([items[i]["name"] for i in idx], [items[i].get("trademark") for i in idx],
                                          companies=[items[i].get("company") for i in idx],
                                          patents=[items[i].get("patents") for i in idx])
        for i, a in zip(idx, analyses):
            out[i] = {f.code: f.confidence for f in a.findings}
    for i, it in enumerate(items):
        if it["kind"] == "model":
            out[i] = {f.code: f.confidence for f in screener.check_models([it["entry"]], it.get("trademark"), it["name"])}
        elif it["kind"] == "intro":
            out[i] = {f.code: f.confidence for f in screener.check_intro(it["text"])}
    return out  # type: ignore[return-value]


def score(items: list[dict], preds: list[dict[str, float]]) -> dict:
    counts = {c: [0, 0, 0] for c in NAME_CODES + OTHER_CODES}
    for it, got in zip(items, preds):
        scope = NAME_CODES if it["kind"] == "name" else (("MODEL_INVALID_CONTENT",) if it["kind"] == "model" else ("INTRO_OFF_TOPIC",))
        for c in scope:
            if c in it.get("ignore", ()):
                continue
            want, has = c in it["codes"], c in got
            counts[c][0] += want and has
            counts[c][1] += has and not want
            counts[c][2] += want and not has
    per_code = {c: _prf(*v) for c, v in counts.items() if v[0] + v[2]}
    clean = [(it, got) for it, got in zip(items, preds) if it["source"] == "nice-goods"]
    flagged = Counter(c for _, got in clean for c in got if c.startswith("NAME_"))
    n_flag = sum(any(c.startswith("NAME_") for c in got) for _, got in clean)
    unseen = [(it, got) for it, got in clean if it.get("vocab_split") == "eval"]
    n_unseen = sum(any(c.startswith("NAME_") for c in got) for _, got in unseen)
    f1s = [m["f1"] for m in per_code.values()]
    return {
        "items": len(items), "per_code": per_code, "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "clean_goods": {"names": len(clean), "flagged": n_flag, "share": round(n_flag / max(len(clean), 1), 4),
                        "by_code": dict(flagged.most_common()),
                        "never_in_training": {"names": len(unseen), "flagged": n_unseen,
                                              "share": round(n_unseen / max(len(unseen), 1), 4)}},
        "calibration": reliability(items, preds),
    }


def reliability(items: list[dict], preds: list[dict[str, float]], bins: int = 5) -> dict:
    """How often a finding of a given confidence is right: per confidence bin over all NAME_*
    findings on scored codes (the reliability plot's points) and the expected calibration error."""
    pts = []
    for it, got in zip(items, preds):
        for c, conf in got.items():
            if c in it.get("ignore", ()) or (it["kind"] == "name") != c.startswith("NAME_"):
                continue
            pts.append((conf, c in it["codes"]))
    rows, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = [ok for conf, ok in pts if lo <= conf < hi or (b == bins - 1 and conf == 1.0)]
        sel_conf = [conf for conf, ok in pts if lo <= conf < hi or (b == bins - 1 and conf == 1.0)]
        if sel:
            acc, mean = sum(sel) / len(sel), sum(sel_conf) / len(sel)
            ece += len(sel) / len(pts) * abs(acc - mean)
            rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "findings": len(sel), "mean_confidence": round(mean, 3),
                         "share_correct": round(acc, 3)})
    return {"bins": rows, "ece": round(ece, 4), "findings": len(pts)}


def speed(screener: TextScreener, items: list[dict], n: int = 200) -> dict:
    from .text import screening_times_ms

    all_names = [it["name"] for it in items if it["kind"] == "name"]
    times = screening_times_ms(screener, all_names[:: max(1, len(all_names) // n)][:n])
    return {"median_ms": round(statistics.median(times), 2), "products": len(times)}


def evaluate(screener: TextScreener, half: str = "test", *, with_speed: bool = True) -> dict:
    items = load(half)
    preds = predict(screener, items)
    res = {"half": half, "models": screener.versions, **score(items, preds)}
    if with_speed:
        res["speed"] = speed(screener, items)
    res["targets"] = check_targets(res)
    return res


def check_targets(res: dict) -> dict:
    pc = res["per_code"]
    brand = pc.get("NAME_BRAND", {})
    low = [c for c, m in pc.items() if c.startswith("NAME_") and m["positives"] >= TARGETS["code_precision_support"]
           and (m["precision"] or 0) < TARGETS["code_precision_min"]]
    out = {
        "clean_flagged": res["clean_goods"]["share"] <= TARGETS["clean_flagged_max"],
        "brand_recall": (brand.get("recall") or 0) >= TARGETS["brand_recall_min"],
        "brand_precision": (brand.get("precision") or 0) >= TARGETS["brand_precision_min"],
        "code_precision": not low, "codes_below_precision": low,
        "macro_f1": res["macro_f1"] >= TARGETS["macro_f1_min"],
    }
    if "speed" in res:
        out["median_ms"] = res["speed"]["median_ms"] <= TARGETS["median_ms_max"]
    return out


def errors(screener: TextScreener, limit: int = 60) -> list[str]:
    """The development half's misses and false flags, one line each (never the test half)."""
    items = load("dev")
    lines = []
    for it, got in zip(items, predict(screener, items)):
        text = it.get("name") or it.get("entry") or it.get("text", "")[:30]
        want = set(it["codes"])
        scored = {c for c in got if c not in it.get("ignore", ())}
        if scored != want - set(it.get("ignore", ())):
            lines.append(f"{it['source']:12s} {text}  want={sorted(want)} got={sorted(scored)}")
    return lines[:limit] if limit else lines


def table(res: dict, previous: dict | None = None) -> str:
    """The figures as a text table, the previous release's column beside this one's."""
    def fmt(x):
        return "—" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))

    head = f"{'code':24s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}"
    lines = [f"real {res['half']} half ({res['items']} items)", head + ("   previous: P      R      F1" if previous else "")]
    for c, m in res["per_code"].items():
        row = f"{c:24s} {fmt(m['precision']):>6s} {fmt(m['recall']):>6s} {fmt(m['f1']):>6s} {m['positives']:5d}"
        if previous and c in previous["per_code"]:
            o = previous["per_code"][c]
            row += f"   {fmt(o['precision']):>6s} {fmt(o['recall']):>6s} {fmt(o['f1']):>6s}"
        lines.append(row)
    cg = res["clean_goods"]
    prev = (lambda k: f"   previous {previous[k] if k == 'macro_f1' else previous['clean_goods']['share']}") if previous else (lambda k: "")
    lines.append(f"macro-F1 {res['macro_f1']}{prev('macro_f1')}")
    lines.append(f"clean goods names flagged {cg['share']} ({cg['flagged']}/{cg['names']}; by code {cg['by_code']}; "
                 f"never in training {cg['never_in_training']['share']}){prev('clean')}")
    lines.append(f"calibration ECE {res['calibration']['ece']} over {res['calibration']['findings']} findings")
    if "speed" in res:
        lines.append(f"median {res['speed']['median_ms']} ms per product"
                     + (f"   previous {previous['speed']['median_ms']}" if previous and "speed" in previous else ""))
    lines.append(f"targets {res['targets']}")
    return "\n".join(lines)
