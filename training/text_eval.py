"""The text models' fixed evaluation sets: per-code precision, recall and F1 on the held-out
generated set, and the real slices (JD brands, real patent titles, official goods names).

Plain functions over a screener: ``prescreen eval text`` reports them (``eval/text.py``, with
speed and memory), and ``prescreen train text-feedback`` gates a candidate on them — here,
not in ``eval/``, so that training does not depend on the evaluation commands.
"""

from __future__ import annotations

from collections import Counter

from models.text_screener import TextScreener

from .text_data import NAME_CODES, compose_names
from .text_forms import FormComposer
from .text_vocab import RealVocab

SPAN_CODES = ("NAME_BRAND", "NAME_HAS_SPEC", "NAME_VAGUE_WORDING", "NAME_ADJECTIVE", "NAME_PATENT_TITLE")


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


def measure(screener: TextScreener, vocab: RealVocab, *, n: int = 4000, seed: int = 2026) -> dict:
    """The fixed sets: {"models", "held_out": per-code P/R/F1 and macro-F1, "real": the slices,
    "examples": the generated names (for timing)}. ``prescreen eval text`` prints it, and
    ``prescreen train text-feedback`` gates on it."""
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
    res["examples"] = examples
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
