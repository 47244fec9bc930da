"""`prescreen eval duplicate-feedback`: one retraining on reviewers' duplicate decisions, before/after.

Reviewers' decisions carry a pattern the generated pairs lack: an entity files the NEXT
GENERATION of its product (第二代…, …（2025款）) without model codes, with one old patent and new
ones. Every same-entity pair without model codes is a duplicate in the generated data, so the
shipped scorer flags these; reviewers approve them as new products.

One run, in a temporary directory:

1. a fresh SQLite store and the real duplicate search with the shipped scorer; ``--reviewed``
   scenario pairs (half next generation, half true duplicates: ``no_models``, ``paraphrase``,
   goods / companies of the generator's train split) are screened through the real
   ``DuplicateChecks`` and decided by a simulated reviewer (a flagged true duplicate is
   confirmed and sent back; a flagged next generation rated false positive and approved);
2. ``load_decided`` -> ``feedback_pairs`` (forms read back from the store) -> ``train_with_feedback``
   (+ 4,000 generated pairs) -> registered and promoted through the gate in a temporary registry;
3. the scorer the service would now load (``served_pair_scorer``) is measured against the shipped
   one on FRESH held-out pairs of the scenario (test split: goods and companies never seen,
   another seed), on the fixed 2,000 held-out generated pairs, and on the price of the lesson:
   same-entity re-filings without codes that list fewer patents (``refile_pairs``, true duplicates).

Prints one JSON object (``--json PATH`` also writes it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HELP = "retrain the pair scorer once on simulated reviewers' duplicate decisions; errors before/after"


def evaluate_duplicate_feedback(*, reviewed: int = 300, fresh: int = 600, n_train: int = 4000, n_test: int = 2000,
                                seed: int = 0, embedder=None, realdata=None, progress: bool = False,
                                workdir: Path | None = None) -> dict:
    from models.embedder import SentenceEmbedder
    from models.pair_scorer import PairScorer, served_pair_scorer
    from models.registry import Registry
    from screening.duplicates import DuplicateSearch
    from screening.storage import open_store
    from training.duplicate_feedback import (
        error_rate,
        feedback_pairs,
        fixed_generated_set,
        record_reviews,
        refile_pairs,
        scenario_pairs,
        train_with_feedback,
    )
    from training.feedback import load_decided
    from training.pairs import labelled_pairs, load_vocab

    t0 = time.perf_counter()
    embedder = embedder or SentenceEmbedder.load_default()
    vocab = load_vocab(realdata)
    shipped = PairScorer.load_default()
    out: dict = {"shipped": shipped.version}
    with tempfile.TemporaryDirectory(prefix="dup-feedback-") as tmp:
        root = Path(workdir or tmp)
        store = open_store(f"sqlite:///{root / 'db.sqlite'}", root / "files")
        try:
            search = DuplicateSearch.open(root / "data", store, embedder, scorer=shipped)
            scenario = scenario_pairs(vocab, "train", reviewed, seed=seed + 100)
            out["reviews"] = record_reviews(store, search, scenario, progress=progress)
            decided = load_decided(store)
            feedback, counts = feedback_pairs(store, decided, embedder)
        finally:
            store.engine.dispose()
        out["feedback"] = {**counts, "label1": sum(p.label for p in feedback),
                           "label0": sum(1 - p.label for p in feedback)}
        t1 = time.perf_counter()
        registry = Registry(root / "registry")
        fixed = fixed_generated_set(embedder, n_test=n_test, seed=seed, realdata=realdata)
        summary = train_with_feedback(feedback, registry, embedder, n_train=n_train, seed=seed, promote=True,
                                      realdata=realdata, fixed=fixed, progress=progress)
        out["train_s"] = round(time.perf_counter() - t1, 1)
        out["candidate"] = summary["version"]
        out["promoted"] = summary["promoted"]
        out["refused"] = summary.get("refused")
        out["feedback_holdout"] = summary["feedback_holdout"]
        served = served_pair_scorer(registry.root)
        out["served"] = served.version

        fresh_pairs = labelled_pairs(scenario_pairs(vocab, "test", fresh, seed=seed + 200), embedder)
        refiles = labelled_pairs(refile_pairs(vocab, "test", max(fresh // 4, 1), seed=seed + 300), embedder)
        fixed_pairs = fixed[0]
        from models.pair_scorer import pair_metrics

        table = {}
        for label, model in (("before", shipped), ("after", served)):
            fm = pair_metrics(model, fixed_pairs)
            table[label] = {
                "model": model.version,
                "fresh_next_generation": error_rate(model, [p for p in fresh_pairs if p.kind == "next_generation"]),
                "fresh_true_duplicates": error_rate(model, [p for p in fresh_pairs if p.kind != "next_generation"]),
                # the cost no set above shows: true re-filings without codes listing fewer patents
                "fresh_refile_fewer_patents": error_rate(model, refiles),
                "fixed_generated": {k: fm[k] for k in ("n", "precision", "recall", "f1", "fp", "fn")},
            }
        out["table"] = table
        out["fixed_precision_drop"] = round(table["before"]["fixed_generated"]["precision"]
                                            - table["after"]["fixed_generated"]["precision"], 4)
        out["fixed_recall_drop"] = round(table["before"]["fixed_generated"]["recall"]
                                         - table["after"]["fixed_generated"]["recall"], 4)
        if workdir is None:
            out["card"] = (registry.path("pair-scorer", summary["version"]) / "card.md").read_text(encoding="utf-8")
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reviewed", type=int, default=300, help="scenario pairs screened and decided")
    parser.add_argument("--fresh", type=int, default=600, help="fresh held-out scenario pairs")
    parser.add_argument("--train-pairs", type=int, default=4000, help="generated training pairs")
    parser.add_argument("--test-pairs", type=int, default=2000, help="generated pairs of the fixed set")
    parser.add_argument("--seed", type=int, default=0, help="generation and simulation seed")
    parser.add_argument("--workdir", type=Path, help="keep the store and registry here instead of a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the result here")


def run(args: argparse.Namespace) -> int:
    result = evaluate_duplicate_feedback(reviewed=args.reviewed, fresh=args.fresh, n_train=args.train_pairs,
                                         n_test=args.test_pairs, seed=args.seed, progress=True, workdir=args.workdir)
    card = result.pop("card", None)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if card:
        print(card, file=sys.stderr)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0
