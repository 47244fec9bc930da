"""`prescreen train duplicates`: the pair scorer (and the photo-kind classifier) from generated data.

    prescreen train duplicates --out models/weights/pair-scorer --photo-out models/weights/photo-kind

Pairs come from ``training.pairs`` (real vocabulary, held-out products in the test split);
their features use the shared sentence embedder. The test split is scored here only to write
the manifest's metrics; ``prescreen eval duplicates`` recomputes them independently.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

HELP = "train the duplicate pair scorer and the photo-kind classifier on generated data"


def train_default_pair_scorer(*, n_train: int = 4000, n_test: int = 2000, seed: int = 0, embedder=None, realdata=None,
                              version: str | None = None, progress: bool = False):
    """Generate, embed, fit; returns (scorer, test metrics)."""
    from eval.duplicates import pair_metrics
    from models.embedder import SentenceEmbedder
    from models.pair_scorer import train_pair_scorer

    from .pairs import generate_pairs, labelled_pairs, load_vocab, pairs_hash

    vocab = load_vocab(realdata)
    embedder = embedder or SentenceEmbedder.load_default()
    train = generate_pairs(vocab, "train", n_train, seed=seed)
    test = generate_pairs(vocab, "test", n_test, seed=seed)
    train_l = labelled_pairs(train, embedder, progress=progress)
    test_l = labelled_pairs(test, embedder, progress=progress)
    scorer = train_pair_scorer(train_l, seed=seed, version=version or datetime.now(timezone.utc).strftime("%Y.%m.%d"))
    metrics = pair_metrics(scorer, test_l)
    scorer.manifest.data_hash = pairs_hash(train)
    scorer.manifest.recipe.update({"generator": "training.pairs", "n_train": n_train, "n_test": n_test,
                                   "embedder": embedder.version, "realdata_hash": vocab.data_hash,
                                   "test_pairs_hash": pairs_hash(test)})
    scorer.manifest.metrics = {"test": {k: v for k, v in metrics.items() if k != "errors"}}
    return scorer, metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "models" / "weights" / "pair-scorer")
    parser.add_argument("--photo-out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "models" / "weights" / "photo-kind")
    parser.add_argument("--only", choices=("pairs", "photos"), help="train one of the two")
    parser.add_argument("--train-pairs", type=int, default=4000)
    parser.add_argument("--test-pairs", type=int, default=2000)
    parser.add_argument("--photos", type=int, default=1200, help="generated images per class for the photo-kind model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--version", help="version written in the manifests (default: today's date)")


def run(args: argparse.Namespace) -> int:
    if args.only in (None, "pairs"):
        scorer, metrics = train_default_pair_scorer(n_train=args.train_pairs, n_test=args.test_pairs, seed=args.seed,
                                                    version=args.version, progress=True)
        scorer.save(args.out)
        print(f"pair scorer {scorer.version}: threshold {scorer.threshold:.3f}; held-out precision "
              f"{metrics['precision']:.4f} recall {metrics['recall']:.4f} -> {args.out}")
    if args.only in (None, "photos"):
        from .photos import train_default_photo_kind

        model, metrics = train_default_photo_kind(n_per_class=args.photos, seed=args.seed, version=args.version)
        model.save(args.photo_out)
        print(f"photo-kind {model.version}: held-out accuracy {metrics['accuracy']:.4f}, not-photo precision "
              f"{metrics['precision']:.4f} recall {metrics['recall']:.4f} -> {args.photo_out}", file=sys.stdout)
    return 0
