# Over 400 lines: the feedback refit (pairs, split, weights, gate, card) and its evaluation scenario belong together.
"""Reviewers' duplicate decisions as training pairs for the pair scorer.

    prescreen train duplicates --feedback [--promote]      # the command (training/duplicates.py)

Plain functions, each called by the command, the eval and the tests:

1. ``feedback_pairs(store, decided, embedder)``: ``training.feedback.duplicate_pairs`` (confirmed
   duplicates 1, approved near-misses 0) with the FORM TEXTS of both sides read back from the
   store (the decided revision of this side, the latest revision of the other side that is not
   newer than it), featurised exactly as the service featurises a candidate
   (``screening.duplicates.filing.pair_features`` with the current embedder's cosine). Photo
   signals come from the finding's ``evidence.signals`` (the store keeps files, not hashes).
   A pair whose other side is not in the store is dropped (counted).
2. ``split_feedback(pairs, holdout)``: a time split, the newest ``holdout`` share held out.
3. ``train_with_feedback(...)``: generated training pairs + the older feedback pairs, weighted
   (``feedback_weights``), refitted; candidate and model in service measured on the fixed
   held-out generated pairs and on the feedback hold-out; card; registered as ``pair-scorer``;
   promoted with ``promote=True`` when precision and recall on the fixed set do not drop.

The scenario used by ``prescreen eval duplicate-feedback`` and the tests (``next_generation_pairs``):
an entity files the next generation of its product (第二代…, …（2025款）) without model codes, with
one of the old patents and new ones. The generated training data has no such pair (every
same-entity pair without model codes is a duplicate there), so the shipped scorer calls it a
duplicate; reviewers approve it as a new product. The price (``refile_pairs``): with no feature
for "another generation", the retrained scorer learns it through the patent overlap and then
misses same-entity re-filings without codes that list fewer patents (docs/retraining.md).
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

NAME = "pair-scorer"
FIXED_SET = "generated-test"  # the held-out generated pairs of `prescreen eval duplicates`
GATE = {"precision": "max", "recall": "max"}
PHOTO_SIGNALS = ("photo_copy", "photo_distance", "photo_missing")
GENERATION_MARKS = ("第二代{n}", "{n}（二代）", "新一代{n}", "{n}（2025款）", "{n}二代", "第三代{n}", "{n}（2026款）")


# ---------------------------------------------------------------------- decisions -> pairs
def _forms_by_submission(store) -> dict[str, list[tuple[int, int, dict]]]:
    """submission id -> [(revision row id, revision, form)] in id order."""
    out: dict[str, list[tuple[int, int, dict]]] = {}
    last = 0
    while True:
        batch = store.revisions_since(last, limit=5000)
        if not batch:
            return out
        for rev in batch:
            out.setdefault(rev.submission_id, []).append((rev.id, rev.revision, rev.form))
        last = batch[-1].seq


def _signals(item, other: str) -> dict:
    for f in item.report.get("findings", []):
        ev = f.get("evidence") or {}
        if f.get("code") == "DUPLICATE_FILING" and (ev.get("other") or {}).get("submission_id") == other:
            return ev.get("signals") or {}
    return {}


def feedback_pairs(store, decided, embedder) -> tuple[list, dict]:
    """The decided duplicate pairs as ``LabelledPair`` (kind ``reviewer``), in decision order.

    Returns (pairs, counts); counts says how many exported pairs were used and dropped."""
    from models.pair_scorer import LabelledPair
    from screening.duplicates.filing import Filing, pair_features

    from .feedback import duplicate_pairs

    decided = list(decided)
    exported = duplicate_pairs(decided)
    by_key = {(d.submission_id, d.revision): d for d in decided}
    forms = _forms_by_submission(store)
    sides = []
    dropped = 0
    for p in exported:
        revs_a = forms.get(p["a"], [])
        a_row = next((r for r in revs_a if r[1] == p["a_revision"]), None)
        revs_b = forms.get(p["b"], [])
        # the other side as it stood when this side was screened: its newest revision before it
        b_row = next((r for r in reversed(revs_b) if a_row is None or r[0] < a_row[0]), revs_b[-1] if revs_b else None)
        fa = Filing.from_form(a_row[2]) if a_row else None
        fb = Filing.from_form(b_row[2]) if b_row else None
        if fa is None or fb is None:
            dropped += 1
            continue
        sides.append((p, fa, fb))
    texts = sorted({f.text for _, fa, fb in sides for f in (fa, fb)})
    vecs = dict(zip(texts, embedder.encode(texts))) if texts else {}
    pairs = []
    for p, fa, fb in sides:
        feats = pair_features(fa, fb, float(np.dot(vecs[fa.text], vecs[fb.text])))
        seen = _signals(by_key[(p["a"], p["a_revision"])], p["b"])
        if seen and not seen.get("photo_missing", 1.0):  # photos are not re-read from the blob store
            feats.update({k: float(seen[k]) for k in PHOTO_SIGNALS if k in seen})
        pairs.append(LabelledPair(feats, int(p["label"]), "reviewer",
                                  meta={"a": p["a"], "b": p["b"], "labelled_by": p["labelled_by"],
                                        "a_name": fa.product_name, "b_name": fb.product_name,
                                        "score_at_screening": p.get("score")}))
    return pairs, {"exported": len(exported), "used": len(pairs), "dropped_no_form": dropped}


def split_feedback(pairs: list, holdout: float = 0.25) -> tuple[list, list]:
    """Time split: pairs are in decision order; the newest ``holdout`` share is held out."""
    cut = int(round(len(pairs) * (1 - holdout)))
    return pairs[:cut], pairs[cut:]


def feedback_weights(n_generated: int, n_feedback: int, *, share: float = 0.2, cap: float = 10.0) -> float:
    """Weight of one reviewer pair: together they weigh ``share`` of the generated pairs, each
    counting at least 1 and at most ``cap`` generated pairs. Reviewers' pairs are the real
    distribution, and they are few: unweighted, 100 of them beside 4,000 generated pairs barely
    move the fit; the cap keeps a handful of decisions from overriding the generated rules."""
    if n_feedback == 0:
        return 1.0
    return float(min(cap, max(1.0, share * n_generated / n_feedback)))


# ---------------------------------------------------------------------- metrics
def error_rate(scorer, pairs) -> dict:
    """Share of pairs the scorer gets wrong at its threshold, with precision/recall where defined."""
    if not pairs:
        return {"n": 0}
    p = scorer.probabilities([x.features for x in pairs])
    y = np.array([x.label for x in pairs])
    pred = p >= scorer.threshold
    tp, fp, fn = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())
    return {"n": len(pairs), "positives": int(y.sum()), "errors": int((pred != (y == 1)).sum()),
            "error_rate": round(float((pred != (y == 1)).mean()), 4), "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "mean_p_label0": round(float(p[y == 0].mean()), 4) if (y == 0).any() else None,
            "mean_p_label1": round(float(p[y == 1].mean()), 4) if (y == 1).any() else None}


def fixed_generated_set(embedder, *, n_test: int = 2000, seed: int = 0, realdata=None):
    """The fixed held-out generated pairs (the set of `prescreen eval duplicates`) and its hash."""
    from .pairs import generate_pairs, labelled_pairs, load_vocab, pairs_hash

    test = generate_pairs(load_vocab(realdata), "test", n_test, seed=seed)
    return labelled_pairs(test, embedder), pairs_hash(test)


def serving_scorer(registry):
    """The pair scorer in service: the registry's alias, else the shipped weights."""
    from models.pair_scorer import PairScorer

    version = registry.serving(NAME)
    return PairScorer.load(registry.path(NAME, version)) if version else PairScorer.load_default()


# ---------------------------------------------------------------------- training
def train_with_feedback(feedback: list, registry, embedder, *, n_train: int = 4000, n_test: int = 2000, seed: int = 0,
                        holdout: float = 0.25, share: float = 0.2, promote: bool = False, force: bool = False,
                        realdata=None, version: str | None = None, progress: bool = False,
                        actor: str = "cli:train", fixed=None, train_generated=None) -> dict[str, Any]:
    """Refit on generated + reviewer pairs; evaluate; card; register; optionally promote.

    ``fixed`` (labelled pairs, hash) and ``train_generated`` may be passed to reuse featurised sets."""
    from models.base import new_version, sha256_rows
    from models.pair_scorer import train_pair_scorer
    from models.registry import PromotionRefused

    from .pairs import generate_pairs, labelled_pairs, load_vocab, pairs_hash

    if len({p.label for p in feedback}) < 1 or len(feedback) < 4:
        from screening.errors import InvalidInput

        raise InvalidInput(f"{len(feedback)} decided duplicate pairs; at least 4 are needed", field="decisions")
    fb_train, fb_held = split_feedback(feedback, holdout)
    if train_generated is None:
        vocab = load_vocab(realdata)
        gen = generate_pairs(vocab, "train", n_train, seed=seed)
        train_generated = (labelled_pairs(gen, embedder, progress=progress), pairs_hash(gen))
    generated, gen_hash = train_generated
    fixed_pairs, fixed_hash = fixed or fixed_generated_set(embedder, n_test=n_test, seed=seed, realdata=realdata)
    w = feedback_weights(len(generated), len(fb_train), share=share)
    for p in fb_train:
        p.weight = w
    fb_hash = sha256_rows({"f": p.features, "y": p.label, **p.meta} for p in feedback)
    data_hash = sha256_rows([gen_hash, fb_hash])
    version = version or new_version(data_hash)
    candidate = train_pair_scorer(generated + fb_train, seed=seed, version=version)
    serving_version = registry.serving(NAME)
    serving = serving_scorer(registry)

    from models.pair_scorer import pair_metrics

    def fixed_metrics(s):
        m = pair_metrics(s, fixed_pairs)
        return {"hash": fixed_hash, **{k: m[k] for k in ("n", "precision", "recall", "f1", "fp", "fn", "threshold")}}

    metrics = {
        "fixed": {FIXED_SET: fixed_metrics(candidate)},
        "fixed_serving": {FIXED_SET: fixed_metrics(serving)},
        "feedback_holdout": {"candidate": error_rate(candidate, fb_held), "serving": error_rate(serving, fb_held)},
        "gate": GATE, "compared_with": serving_version or f"shipped {serving.version}",
    }
    candidate.manifest.data_hash = data_hash
    candidate.manifest.metrics = metrics
    candidate.manifest.recipe.update({
        "generator": "training.pairs", "n_train": len(generated), "generated_hash": gen_hash,
        "feedback_pairs": len(feedback), "feedback_train": len(fb_train), "feedback_holdout": len(fb_held),
        "feedback_hash": fb_hash, "feedback_weight": w, "feedback_share": share, "holdout": holdout,
        "split": "feedback: newest share by decision order held out", "embedder": getattr(embedder, "version", "?"),
    })
    with tempfile.TemporaryDirectory(prefix="pair-scorer-") as tmp:
        folder = Path(tmp) / version
        candidate.save(folder)
        write_card(folder, candidate, serving, metrics, fb_held, fixed_pairs)
        info = registry.register(NAME, folder, actor=actor)
    summary: dict[str, Any] = {"name": NAME, "version": version, "path": str(info.path), "data_hash": data_hash,
                               "feedback": {"train": len(fb_train), "holdout": len(fb_held), "weight": w},
                               **{k: metrics[k] for k in ("fixed", "fixed_serving", "feedback_holdout")},
                               "serving": serving_version, "promoted": False}
    if promote:
        worse = _worse_than_shipped(metrics) if serving_version is None else []
        if worse and not force:  # the registry gates against an alias; the first one against the shipped weights
            summary["refused"] = f"{NAME} {version} is worse than the shipped scorer: " + ", ".join(worse)
            registry._event(NAME, {"action": "refused", "version": version, "serving": "shipped", "worse": worse,
                                   "actor": actor})
            return summary
        try:
            registry.promote(NAME, version, force=force, actor=actor)
            summary["promoted"] = True
        except PromotionRefused as exc:
            summary["refused"] = exc.message
    return summary


def _worse_than_shipped(metrics: dict, tolerance: float = 0.005) -> list[str]:
    c, s = metrics["fixed"][FIXED_SET], metrics["fixed_serving"][FIXED_SET]
    return [f"{FIXED_SET}/{m} {c[m]:.4f} vs {s[m]:.4f}" for m in GATE if c[m] < s[m] - tolerance]


# ---------------------------------------------------------------------- the card
def write_card(folder: Path, candidate, serving, metrics: dict, fb_held: list, fixed_pairs: list) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, (title, pairs) in zip(axes, (("feedback hold-out", fb_held), ("fixed generated held-out", fixed_pairs))):
        y = np.array([p.label for p in pairs])
        for model, style in ((serving, ":"), (candidate, "-")):
            p = model.probabilities([x.features for x in pairs]) if pairs else np.zeros(0)
            for label, colour in ((0, "tab:blue"), (1, "tab:red")):
                if (y == label).any():
                    ax.hist(p[y == label], bins=np.linspace(0, 1, 21), histtype="step", linestyle=style, color=colour,
                            label=f"{'candidate' if model is candidate else 'in service'} label {label}")
            ax.axvline(model.threshold, color="grey", linestyle=style, linewidth=0.8)
        ax.set_title(title)
        ax.set_xlabel("P(duplicate)")
        ax.set_yscale("symlog")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(folder / "score_histograms.png", dpi=90)
    plt.close(fig)

    c, s = metrics["fixed"][FIXED_SET], metrics["fixed_serving"][FIXED_SET]
    hc, hs = metrics["feedback_holdout"]["candidate"], metrics["feedback_holdout"]["serving"]
    recipe = candidate.manifest.recipe
    lines = [
        f"# pair-scorer {candidate.manifest.version}", "",
        f"Data hash `{candidate.manifest.data_hash}`: {recipe['n_train']} generated pairs "
        f"(`{recipe['generated_hash'][:12]}`) + {recipe['feedback_train']} reviewer pairs (weight "
        f"{recipe['feedback_weight']:.2f} each); {recipe['feedback_holdout']} newer reviewer pairs held out.",
        f"Compared with: {metrics['compared_with']}.", "",
        "| set | metric | candidate | in service |", "| --- | --- | --- | --- |",
        f"| {FIXED_SET} ({c['n']} pairs, `{c['hash'][:12]}`) | precision | {c['precision']:.4f} | {s['precision']:.4f} |",
        f"| | recall | {c['recall']:.4f} | {s['recall']:.4f} |",
        f"| | threshold | {c['threshold']:.3f} | {s['threshold']:.3f} |",
        f"| feedback hold-out ({hc.get('n', 0)} pairs) | error rate | {hc.get('error_rate', '-')} | {hs.get('error_rate', '-')} |",
        f"| | false duplicates / missed | {hc.get('fp', '-')} / {hc.get('fn', '-')} | {hs.get('fp', '-')} / {hs.get('fn', '-')} |",
        "", "Gate: precision and recall on the fixed set must not drop (tolerance 0.005).", "",
        "![score histograms](score_histograms.png)", "",
        "Largest standardised coefficients:", "",
    ]
    top = sorted(candidate.weights_by_feature().items(), key=lambda kv: -abs(kv[1]))[:8]
    lines += [f"- `{k}`: {v:+.3f}" for k, v in top]
    (folder / "card.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- the scenario
def next_generation_pair(gen, *, label_kind: str = "next_generation"):
    """(a, b, label, kind) from a ``training.pairs.PairGenerator``: the next generation of a
    same-entity product without model codes (label 0), or, for contrast, a generated kind."""
    from .pairs import _patent

    r = gen.rng
    if label_kind != "next_generation":
        a, b, y = gen.pair(label_kind)
        return a, b, y, label_kind
    p = gen.product()
    e = gen.entity()
    name = gen.name(p, False)
    a = gen.filing(p, e, models=[], name=name, intro=gen.intro(p))
    spec = f"额定功率{r.randint(5, 300) * 10}W，"
    new_patents = [p.patents[0]] + [_patent(r) for _ in range(r.randint(1, 3))]
    b = gen.filing(p, e, models=[], name=r.choice(GENERATION_MARKS).format(n=name), intro=gen.intro(p, spec=spec),
                   patents=new_patents)
    return a, b, 0, "next_generation"


def scenario_pairs(vocab, split: str, n: int, *, seed: int, share_next: float = 0.5) -> list:
    """``n`` FilingPairs: ``share_next`` next-generation near-misses, the rest confirmed
    duplicates of the generated kinds without or with model codes (paraphrase, no_models)."""
    from .pairs import FilingPair, PairGenerator

    gen = PairGenerator(vocab, split, seed)
    out = []
    for _ in range(n):
        kind = "next_generation" if gen.rng.random() < share_next else gen.rng.choice(["no_models", "paraphrase"])
        a, b, y, kind = next_generation_pair(gen, label_kind=kind)
        out.append(FilingPair(a, b, y, kind))
    return out


def refile_pairs(vocab, split: str, n: int, *, seed: int) -> list:
    """The cost side: the same entity re-files the SAME product without model codes, listing
    only one of its patents (a true duplicate, label 1). Without the ``generation_differs``
    feature nothing told it from a next generation but the patent overlap, and a scorer taught
    "next generations are not duplicates" through that overlap missed 149 of 150 of these;
    neither the generated pairs nor the scenario's reviewers contain any, so no gate sees it.
    Measured by ``prescreen eval duplicate-feedback``."""
    from .pairs import FilingPair, PairGenerator

    gen = PairGenerator(vocab, split, seed)
    out = []
    while len(out) < n:
        p = gen.product()
        if len(p.patents) < 2:
            continue
        e = gen.entity()
        a = gen.filing(p, e, models=[], name=gen.name(p, False), intro=gen.intro(p))
        b = gen.filing(p, e, models=[], name=gen.name(p, True), intro=gen.intro(p), patents=p.patents[:1])
        out.append(FilingPair(a, b, 1, "refile_fewer_patents"))
    return out


def filing_form(f, at: datetime) -> dict:
    """A CONTRACT form for a generated ``Filing`` (product stage; figures consistent)."""
    return {
        "submission_id": f.submission_id, "stage": "product", "submitted_at": at.isoformat(),
        "entity": {"uscc": f.entity_uscc, "name": f.entity_name, "kind": "enterprise", "figures_year": at.year - 1,
                   "figures_wan": {"total_cost": 7500.0, "ip_investment": 400.0, "net_profit": 800.0,
                                   "operating_revenue": 10000.0, "total_product_sales": 9000.0,
                                   "total_assets": 18000.0, "patent_assets": 500.0},
                   "employees": 200},
        "documents": [],
        "product": {
            "name": f.product_name, "models": list(f.models), "intro": f.intro, "exported": False,
            "category": {"code": "3951010100", "name": "产品"}, "industry": {"code": "C38", "name": "产品"},
            "figures_wan": {"sales": 3000.0, "export": 0.0, "profit": 360.0},
            "patents": [{"number": f"CN{n[:-1]}.{n[-1]}", "core": True, "litigated": False, "holder": f.entity_name}
                        for n in f.patents],
        },
    }


def record_reviews(store, search, pairs: list, *, start: datetime | None = None, progress: bool = False) -> dict:
    """Screen each pair's sides through the real duplicate check (``search``, with the scorer it
    holds) and record a simulated reviewer's decision on the second side: a DUPLICATE_FILING
    finding on a true duplicate is confirmed (sent back, reason code), on a near-miss rated
    false positive (approved). Returns counts of what the scorer flagged."""
    from screening.checks.duplicates import DuplicateChecks
    from screening.contract import Decision, FindingFeedback
    from screening.parsing import parse_submission
    from screening.pipeline import Pipeline, Resources
    from screening.service import ScreeningService
    from tqdm import tqdm

    res = Resources()
    res.duplicates = search
    service = ScreeningService(Pipeline([DuplicateChecks()], res), store, on_recorded=[search.catch_up])
    at = start or datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    counts = {"pairs": 0, "flagged": 0, "flagged_label0": 0, "flagged_label1": 0}
    for i, fp in enumerate(tqdm(pairs, desc="screen + review", disable=not progress, file=sys.stderr)):
        service.screen(parse_submission(filing_form(fp.a, at + timedelta(minutes=2 * i))), {}, actor="sim")
        report, _ = service.screen(parse_submission(filing_form(fp.b, at + timedelta(minutes=2 * i + 1))), {},
                                   actor="sim")
        counts["pairs"] += 1
        dup = [j for j, f in enumerate(report["findings"]) if f["code"] == "DUPLICATE_FILING"]
        hit = next((j for j in dup if report["findings"][j]["evidence"]["other"]["submission_id"]
                    == fp.a.submission_id), None)
        # findings against other scenario filings are other products: rated false positive
        feedback = [FindingFeedback("confirmed" if j == hit and fp.label else "false_positive", finding=j) for j in dup]
        if hit is not None and fp.label:
            decision = Decision("returned", ["DUPLICATE_FILING"], feedback)
        else:  # a near-miss, or nothing flagged: the reviewer has no pair of these two to rate
            decision = Decision("approved", [], feedback)
        if hit is not None:
            counts["flagged"] += 1
            counts[f"flagged_label{fp.label}"] += 1
        store.record_decision(fp.b.submission_id, decision, actor="sim-reviewer")
    return counts


def shuffled(pairs: list, seed: int) -> list:
    out = list(pairs)
    random.Random(seed).shuffle(out)
    return out
