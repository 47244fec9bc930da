"""`prescreen train duplicates`: the pair scorer (and the photo-kind classifier) from generated data.

    prescreen train duplicates                        # candidates registered as pair-scorer / photo-kind
    prescreen train duplicates --feedback [--promote] # + reviewers' decisions -> registry "pair-scorer"
    prescreen models promote pair-scorer VERSION      # gated on the fixed generated test set

Pairs come from ``training.pairs`` (real vocabulary, held-out products in the test split);
their features use the shared sentence embedder. The test split is scored here to write the
manifest's metrics, as ``fixed["generated-test"]`` with the set's hash so the registry compares a
candidate with the version in service on the same pairs; ``prescreen eval duplicates`` recomputes
them independently. Nothing is written into models/weights/ unless ``--out`` names it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "train the duplicate pair scorer and the photo-kind classifier on generated data"


def train_default_pair_scorer(*, n_train: int = 4000, n_test: int = 2000, seed: int = 0, embedder=None, realdata=None,
                              version: str | None = None, progress: bool = False):
    """Generate, embed, fit; returns (scorer, test metrics)."""
    from models.base import new_version
    from models.pair_scorer import pair_metrics
    from models.embedder import SentenceEmbedder
    from models.pair_scorer import train_pair_scorer

    from .pairs import generate_pairs, labelled_pairs, load_vocab, pairs_hash

    vocab = load_vocab(realdata)
    embedder = embedder or SentenceEmbedder.load_default()
    train = generate_pairs(vocab, "train", n_train, seed=seed)
    test = generate_pairs(vocab, "test", n_test, seed=seed)
    train_l = labelled_pairs(train, embedder, progress=progress)
    test_l = labelled_pairs(test, embedder, progress=progress)
    scorer = train_pair_scorer(train_l, seed=seed, version=version or "candidate")
    metrics = pair_metrics(scorer, test_l)
    scorer.manifest.data_hash = pairs_hash(train)
    scorer.manifest.recipe.update({"generator": "training.pairs", "n_train": n_train, "n_test": n_test,
                                   "embedder": embedder.version, "realdata_hash": vocab.data_hash,
                                   "test_pairs_hash": pairs_hash(test)})
    scorer.manifest.metrics = pair_scorer_metrics({k: v for k, v in metrics.items() if k != "errors"},
                                                  scorer.manifest.recipe["test_pairs_hash"])
    if version is None:
        scorer.manifest.version = new_version(scorer.manifest.data_hash)
    return scorer, metrics


def pair_scorer_metrics(test: dict, test_hash: str) -> dict:
    """The manifest's metrics: the held-out generated pairs, also as the gate's fixed set."""
    from .duplicate_feedback import FIXED_SET, GATE

    fixed = {k: test[k] for k in ("n", "precision", "recall", "f1", "fp", "fn", "threshold") if k in test}
    return {"test": test, "fixed": {FIXED_SET: {"hash": test_hash, **fixed}}, "gate": dict(GATE)}


PHOTO_GATE = {"accuracy": "max", "precision": "max", "recall": "max"}


def photo_kind_metrics(metrics: dict, n_per_class: int, seed: int) -> dict:
    """The photo-kind manifest's metrics, with the generated test images as the gate's fixed set
    (its hash names how they are generated: ``training.photos.train_default_photo_kind``)."""
    from models.base import sha256_rows

    test_set = {"generator": "training.photos", "split": "test", "n_per_class": max(100, n_per_class // 4),
                "seed": seed + 1000}
    fixed = {k: metrics[k] for k in PHOTO_GATE if k in metrics}
    return {**metrics, "fixed": {"generated-test": {"hash": sha256_rows([test_set]), **fixed}}, "gate": dict(PHOTO_GATE)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the pair scorer into this folder (default: only register it as a candidate "
                             "in PRESCREEN_DATA_DIR/models; the shipped models/weights/ is never written unless named here)")
    parser.add_argument("--photo-out", type=Path, default=None,
                        help="also write the photo-kind classifier into this folder (default: registry only)")
    parser.add_argument("--only", choices=("pairs", "photos"), help="train one of the two")
    parser.add_argument("--train-pairs", type=int, default=4000, help="generated training pairs (4000)")
    parser.add_argument("--test-pairs", type=int, default=2000,
                        help="generated held-out pairs, the gate's fixed set (2000; another size is another set)")
    parser.add_argument("--photos", type=int, default=1200, help="generated images per class for the photo-kind model")
    parser.add_argument("--seed", type=int, default=0, help="generation and fitting seed (0)")
    parser.add_argument("--version", help="version written in the manifests (default: training time + data hash)")
    fb = parser.add_argument_group("reviewers' decisions (docs/retraining.md, Duplicate feedback)")
    fb.add_argument("--feedback", action="store_true",
                    help="add the store's confirmed duplicates / approved near-misses to the generated pairs, "
                         "evaluate against the scorer in service, register as pair-scorer (nothing is written to --out)")
    fb.add_argument("--feedback-share", type=float, default=0.2,
                    help="total weight of the reviewer pairs as a share of the generated pairs (each 1..10)")
    fb.add_argument("--holdout", type=float, default=0.25, help="newest share of reviewer pairs held out (0.25)")
    fb.add_argument("--promote", action="store_true",
                    help="with --feedback: promote when precision and recall on the fixed set do not drop")
    fb.add_argument("--force", action="store_true", help="with --promote: promote even if worse")


def run_feedback(args: argparse.Namespace) -> int:
    """``--feedback``: the store's decisions (DATABASE_URL / PRESCREEN_DATA_DIR as for the service)."""
    import json

    from models.embedder import SentenceEmbedder
    from models.registry import Registry
    from screening.settings import get_settings
    from screening.storage import open_store

    from .duplicate_feedback import feedback_pairs, train_with_feedback
    from .feedback import load_decided

    settings = get_settings()
    store = open_store(settings.sqlalchemy_url, settings.files_dir)
    embedder = SentenceEmbedder.load_default()
    pairs, counts = feedback_pairs(store, load_decided(store, progress=True), embedder)
    print(f"reviewer pairs: {json.dumps(counts)}", file=sys.stderr)
    summary = train_with_feedback(pairs, Registry(settings.registry_dir), embedder, n_train=args.train_pairs,
                                  n_test=args.test_pairs, seed=args.seed, holdout=args.holdout,
                                  share=args.feedback_share, promote=args.promote, force=args.force,
                                  version=args.version, progress=True)
    print(json.dumps({**summary, "pairs": counts}, ensure_ascii=False, indent=2))
    return 2 if args.promote and not summary["promoted"] else 0


def run(args: argparse.Namespace) -> int:
    if getattr(args, "feedback", False):
        return run_feedback(args)
    import json
    import tempfile

    from models.registry import Registry
    from screening.settings import get_settings

    registry = Registry(get_settings().registry_dir)
    summary: dict = {"registry": str(registry.root)}
    with tempfile.TemporaryDirectory(prefix="duplicates-") as tmp:
        if args.only in (None, "pairs"):
            scorer, metrics = train_default_pair_scorer(n_train=args.train_pairs, n_test=args.test_pairs,
                                                        seed=args.seed, version=args.version, progress=True)
            summary["pair-scorer"] = _register(registry, scorer, Path(tmp), args.out)
            print(f"pair scorer {scorer.version}: threshold {scorer.threshold:.3f}; held-out precision "
                  f"{metrics['precision']:.4f} recall {metrics['recall']:.4f}", file=sys.stderr)
        if args.only in (None, "photos"):
            from models.base import new_version

            from .photos import train_default_photo_kind

            model, metrics = train_default_photo_kind(n_per_class=args.photos, seed=args.seed, version=args.version)
            model.manifest.metrics = photo_kind_metrics(metrics, args.photos, args.seed)
            if args.version is None:
                model.manifest.version = new_version(model.manifest.data_hash)
            summary["photo-kind"] = _register(registry, model, Path(tmp), args.photo_out)
            print(f"photo-kind {model.version}: held-out accuracy {metrics['accuracy']:.4f}, not-photo precision "
                  f"{metrics['precision']:.4f} recall {metrics['recall']:.4f}", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def _register(registry, model, tmp: Path, out: Path | None) -> dict:
    """Register a trained model as a candidate (and write a copy to ``out`` when asked)."""
    name = model.manifest.name
    info = registry.register(name, model.save(tmp / name), actor="cli:train")
    row = {"version": info.version, "path": str(info.path), "data_hash": model.manifest.data_hash,
           "fixed": model.manifest.metrics.get("fixed"), "in_service": registry.in_service(name),
           "promote": f"prescreen models promote {name} {info.version}"}
    if out is not None:
        model.save(out)
        row["also_written_to"] = str(out)
    return row
