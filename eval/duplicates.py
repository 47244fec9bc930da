"""`prescreen eval duplicates`: how well duplicates are found, on held-out generated data.

    prescreen eval duplicates [--test-pairs 2000] [--images 300] [--json out.json]

- DUPLICATE_FILING: precision and recall of the pair scorer (at its stored threshold) on the
  held-out pair set (products, lines and entities unseen in training), with the errors by
  pair kind;
- DUPLICATE_IMAGE: recall on transformed copies (resized, recompressed, lightly cropped) and
  the false-match rate between distinct images;
- IMAGE_NOT_PHOTO: precision and recall on held-out generated renderings and line drawings
  against photos, and on real photos (crops of the sample photos shipped with scikit-learn
  and matplotlib), which must all be kept as photos.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

HELP = "precision/recall of DUPLICATE_FILING, DUPLICATE_IMAGE and IMAGE_NOT_PHOTO on held-out generated data"


def pair_metrics(scorer, pairs) -> dict:
    """Precision, recall and F1 at the scorer's threshold; per-kind accuracy and error count."""
    p = scorer.probabilities([x.features for x in pairs])
    y = np.array([x.label for x in pairs])
    pred = p >= scorer.threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    by_kind: dict[str, dict] = {}
    for kind in sorted({x.kind for x in pairs}):
        idx = [i for i, x in enumerate(pairs) if x.kind == kind]
        by_kind[kind] = {"n": len(idx), "label": int(y[idx[0]]), "accuracy": round(float((pred[idx] == (y[idx] == 1)).mean()), 4)}
    errors = [{"kind": x.kind, "label": x.label, "p": round(float(pi), 4), **x.meta}
              for x, pi, pr in zip(pairs, p, pred) if pr != bool(x.label)]
    return {"n": len(pairs), "positives": int(y.sum()), "threshold": round(scorer.threshold, 4),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4), "tp": tp, "fp": fp, "fn": fn,
            "by_kind": by_kind, "errors": errors}


def evaluate_filing(*, n_test: int = 2000, seed: int = 0, scorer=None, embedder=None, realdata=None) -> dict:
    from models.embedder import SentenceEmbedder
    from models.pair_scorer import PairScorer
    from training.pairs import generate_pairs, labelled_pairs, load_vocab

    scorer = scorer or PairScorer.load_default()
    embedder = embedder or SentenceEmbedder.load_default()
    test = generate_pairs(load_vocab(realdata), "test", n_test, seed=seed)
    labelled = labelled_pairs(test, embedder)
    for lp, fp in zip(labelled, test):
        lp.meta = {"a": f"{fp.a.product_name} {fp.a.models}", "b": f"{fp.b.product_name} {fp.b.models}"}
    out = pair_metrics(scorer, labelled)
    out["model"] = scorer.version
    out["errors"] = out["errors"][:20]
    return out


def evaluate_images(*, n_images: int = 300, copies_per_image: int = 3, seed: int = 0) -> dict:
    """DUPLICATE_IMAGE recall on transformed copies and the false-match rate between distinct images."""
    from screening.duplicates.image_hash import DHASH_MAX, PHASH_MAX, PhotoHash, hamming, is_copy
    from training.photos import distinct_photos, transformed_copy

    import random

    rng = random.Random(seed)
    originals = distinct_photos(n_images, seed=seed + 7)
    hashes = [PhotoHash.of(im) for im in originals]
    found = 0
    total = 0
    by_transform: Counter = Counter()
    missed: Counter = Counter()
    for im, h in zip(originals, hashes):
        for _ in range(copies_per_image):
            copy, how = transformed_copy(im, rng)
            ok = is_copy(h, PhotoHash.of(copy))
            total += 1
            found += ok
            by_transform[how] += 1
            if not ok:
                missed[how] += 1
    false = 0
    pairs = 0
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            pairs += 1
            false += is_copy(hashes[i], hashes[j])
    return {"images": len(originals), "copies": total, "recall": round(found / max(total, 1), 4),
            "distinct_pairs": pairs, "false_matches": false, "false_match_rate": round(false / max(pairs, 1), 6),
            "thresholds": {"phash": PHASH_MAX, "dhash": DHASH_MAX},
            "missed_by_transform": {k: f"{missed[k]}/{by_transform[k]}" for k in sorted(by_transform)}}


def evaluate_photo_kind(*, n_per_class: int = 200, seed: int = 1, model=None) -> dict:
    from models.photo_kind import PhotoKindClassifier
    from training.photos import generated_images, real_photo_crops

    model = model or PhotoKindClassifier.load_default()
    images, labels = generated_images(n_per_class, seed=seed + 1000, split="test")
    p = model.probabilities(images)
    y = np.array(labels) != "photo"
    pred = p >= model.threshold
    tp = int((pred & y).sum())
    out = {"model": model.version, "n": len(images), "accuracy": round(float((pred == y).mean()), 4),
           "precision": round(tp / max(int(pred.sum()), 1), 4), "recall": round(tp / max(int(y.sum()), 1), 4),
           "by_class": {c: round(float((pred[[i for i, l in enumerate(labels) if l == c]] == (c != "photo")).mean()), 4)
                        for c in sorted(set(labels))}}
    real = real_photo_crops(60, seed=seed)
    if real:
        pr = model.probabilities(real)
        out["real_photos"] = {"n": len(real), "kept_as_photo": round(float((pr < model.threshold).mean()), 4)}
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--test-pairs", type=int, default=2000)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the figures here")


def run(args: argparse.Namespace) -> int:
    result = {"DUPLICATE_FILING": evaluate_filing(n_test=args.test_pairs, seed=args.seed),
              "DUPLICATE_IMAGE": evaluate_images(n_images=args.images, seed=args.seed),
              "IMAGE_NOT_PHOTO": evaluate_photo_kind(seed=args.seed + 1)}
    f, i, k = result["DUPLICATE_FILING"], result["DUPLICATE_IMAGE"], result["IMAGE_NOT_PHOTO"]
    print(f"DUPLICATE_FILING ({f['model']}): precision {f['precision']:.4f} recall {f['recall']:.4f} "
          f"on {f['n']} held-out pairs ({f['positives']} duplicates)")
    for kind, m in f["by_kind"].items():
        print(f"  {kind:24} n={m['n']:5} label={m['label']} accuracy {m['accuracy']:.4f}")
    print(f"DUPLICATE_IMAGE: recall {i['recall']:.4f} on {i['copies']} transformed copies; false matches "
          f"{i['false_matches']}/{i['distinct_pairs']} ({i['false_match_rate']:.4%})")
    print(f"  missed by transform: {i['missed_by_transform']}")
    print(f"IMAGE_NOT_PHOTO ({k['model']}): precision {k['precision']:.4f} recall {k['recall']:.4f} "
          f"accuracy {k['accuracy']:.4f} by class {k['by_class']}; real photos kept {k.get('real_photos')}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
