"""`prescreen eval duplicates`: how well duplicates are found, on held-out generated data.

    prescreen eval duplicates [--test-pairs 2000] [--images 300] [--json out.json]

- DUPLICATE_FILING: precision and recall of the pair scorer (at its stored threshold) on the
  held-out pair set (products, lines and entities unseen in training), with the errors by
  pair kind;
- the same end to end: one side of each held-out pair filed in a fresh store among
  background filings, the other searched through ``DuplicateSearch`` (retrieval + scorer);
- DUPLICATE_IMAGE: recall on transformed copies (resized, recompressed, lightly cropped) and
  the false-match rate between distinct images;
- IMAGE_NOT_PHOTO: precision and recall on held-out generated renderings and line drawings
  against photos, and on real photos (crops of the sample photos shipped with scikit-learn
  and matplotlib), which must all be kept as photos.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from models.pair_scorer import pair_metrics  # the scorer owns its metrics; training uses them too

HELP = "precision/recall of DUPLICATE_FILING, DUPLICATE_IMAGE and IMAGE_NOT_PHOTO on held-out generated data"


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


def _record(store, filing) -> None:
    from screening.contract import Priority, Report
    from screening.parsing import parse_submission

    form = {"submission_id": filing.submission_id, "stage": filing.stage,
            "entity": {"uscc": filing.entity_uscc, "name": filing.entity_name},
            "product": {"name": filing.product_name, "models": filing.models, "intro": filing.intro,
                        "patents": [{"number": "CN" + p} for p in filing.patents]}, "documents": []}
    report = Report(filing.submission_id, "complete", Priority(0.0, None, []), [])
    store.record_screening(parse_submission(form), {}, report, actor="eval")


def evaluate_search(*, n_pairs: int = 600, n_background: int = 1400, seed: int = 0, embedder=None, scorer=None,
                    realdata=None) -> dict:
    """End to end through DuplicateSearch on a fresh SQLite store: one side of each held-out pair
    is filed (among background filings), the other is searched; the pair counts as flagged when
    the filed side comes back at or above the threshold. Measures retrieval and scoring together."""
    import tempfile

    from models.embedder import SentenceEmbedder
    from models.pair_scorer import PairScorer
    from screening.duplicates import DuplicateSearch
    from screening.storage import open_store
    from training.pairs import generate_pairs, load_vocab

    embedder = embedder or SentenceEmbedder.load_default()
    scorer = scorer or PairScorer.load_default()
    vocab = load_vocab(realdata)
    pairs = generate_pairs(vocab, "test", n_pairs, seed=seed + 11)
    background = generate_pairs(vocab, "test", n_background, seed=seed + 12)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/eval.db", f"{tmp}/files")
        try:
            for i, p in enumerate(pairs):
                p.a.photos = p.b.photos = []  # photos are evaluated on their own (evaluate_images)
                p.a.submission_id, p.b.submission_id = f"FILED-{i:06d}", f"QUERY-{i:06d}"
                _record(store, p.a)
            for i, p in enumerate(background):
                p.b.photos = []
                p.b.submission_id = f"BACKGROUND-{i:06d}"
                _record(store, p.b)
            search = DuplicateSearch.open(Path(tmp) / "data", store, embedder, scorer, photo_kind=object())
            tp = fp = fn = 0
            errors = []
            times = []
            for p in pairs:
                t0 = time.perf_counter()  # a search as a screening makes it: catch-up query, embedding, scoring
                found = search.find(p.b)
                times.append((time.perf_counter() - t0) * 1000)
                hits = {c.other.submission_id for c in found if c.probability >= scorer.threshold}
                flagged = p.a.submission_id in hits
                tp += flagged and p.label == 1
                fp += flagged and p.label == 0
                fn += (not flagged) and p.label == 1
                if flagged != bool(p.label) and len(errors) < 10:
                    errors.append({"kind": p.kind, "a": p.a.product_name, "b": p.b.product_name})
            indexed = len(search)
        finally:
            store.engine.dispose()
    return {"indexed": indexed, "queries": len(pairs), "precision": round(tp / max(tp + fp, 1), 4),
            "recall": round(tp / max(tp + fn, 1), 4), "tp": tp, "fp": fp, "fn": fn, "errors": errors,
            "find_ms_median": round(float(np.median(times)), 2), "find_ms_p95": round(float(np.percentile(times, 95)), 2)}


def evaluate_images(*, n_images: int = 300, copies_per_image: int = 3, seed: int = 0) -> dict:
    """DUPLICATE_IMAGE recall on transformed copies and the false-match rate between distinct
    images, at the thresholds in service and over a sweep of the pHash threshold."""
    import random

    from screening.duplicates.image_hash import DHASH_MAX, PHASH_MAX, PhotoHash, hamming
    from training.photos import distinct_photos, transformed_copy

    rng = random.Random(seed)
    originals = distinct_photos(n_images, seed=seed + 7)
    hashes = [PhotoHash.of(im) for im in originals]
    copies = []  # (phash distance, dhash distance, transform)
    for im, h in zip(originals, hashes):
        for _ in range(copies_per_image):
            copy, how = transformed_copy(im, rng)
            c = PhotoHash.of(copy)
            copies.append((hamming(h.phash, c.phash), hamming(h.dhash, c.dhash), how))
    distinct = np.array([(hamming(hashes[i].phash, hashes[j].phash), hamming(hashes[i].dhash, hashes[j].dhash))
                         for i in range(len(hashes)) for j in range(i + 1, len(hashes))]).reshape(-1, 2)
    cp = np.array([(a, b) for a, b, _ in copies]).reshape(-1, 2)

    def rates(pmax: int, dmax: int) -> tuple[float, int, float]:
        found = (cp[:, 0] <= pmax) & (cp[:, 1] <= dmax)
        false = int(((distinct[:, 0] <= pmax) & (distinct[:, 1] <= dmax)).sum())
        return float(found.mean()) if len(cp) else 0.0, false, false / max(len(distinct), 1)

    recall, false, fmr = rates(PHASH_MAX, DHASH_MAX)
    by_transform: Counter = Counter(how for _, _, how in copies)
    missed = Counter(how for a, b, how in copies if not (a <= PHASH_MAX and b <= DHASH_MAX))
    sweep = {f"phash<={p},dhash<={DHASH_MAX}": dict(zip(("recall", "false_matches", "false_match_rate"),
                                                        (round(rates(p, DHASH_MAX)[0], 4), *rates(p, DHASH_MAX)[1:])))
             for p in (6, 8, 10, 12, 14, 16, 20)}
    return {"images": len(originals), "copies": len(copies), "recall": round(recall, 4),
            "distinct_pairs": len(distinct), "false_matches": false, "false_match_rate": round(fmr, 6),
            "thresholds": {"phash": PHASH_MAX, "dhash": DHASH_MAX},
            "missed_by_transform": {k: f"{missed[k]}/{by_transform[k]}" for k in sorted(by_transform)},
            "sweep": sweep}


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
    parser.add_argument("--test-pairs", type=int, default=2000, help="held-out generated pairs")
    parser.add_argument("--images", type=int, default=300, help="distinct generated images for the photo checks")
    parser.add_argument("--seed", type=int, default=0, help="generation seed")
    parser.add_argument("--json", type=Path, help="write the figures here")


def run(args: argparse.Namespace) -> int:
    result = {"DUPLICATE_FILING": evaluate_filing(n_test=args.test_pairs, seed=args.seed),
              "DUPLICATE_FILING_search": evaluate_search(seed=args.seed),
              "DUPLICATE_IMAGE": evaluate_images(n_images=args.images, seed=args.seed),
              "IMAGE_NOT_PHOTO": evaluate_photo_kind(seed=args.seed + 1)}
    f, i, k = result["DUPLICATE_FILING"], result["DUPLICATE_IMAGE"], result["IMAGE_NOT_PHOTO"]
    print(f"DUPLICATE_FILING ({f['model']}): precision {f['precision']:.4f} recall {f['recall']:.4f} "
          f"on {f['n']} held-out pairs ({f['positives']} duplicates)")
    for kind, m in f["by_kind"].items():
        print(f"  {kind:24} n={m['n']:5} label={m['label']} accuracy {m['accuracy']:.4f}")
    e = result["DUPLICATE_FILING_search"]
    print(f"DUPLICATE_FILING end to end (DuplicateSearch over {e['indexed']} filings, {e['queries']} queries): "
          f"precision {e['precision']:.4f} recall {e['recall']:.4f}; find() median {e['find_ms_median']} ms, "
          f"p95 {e['find_ms_p95']} ms (catch-up query + embedding + scoring, SQLite)")
    print(f"DUPLICATE_IMAGE: recall {i['recall']:.4f} on {i['copies']} transformed copies; false matches "
          f"{i['false_matches']}/{i['distinct_pairs']} ({i['false_match_rate']:.4%})")
    print(f"  missed by transform: {i['missed_by_transform']}")
    for name, r in i["sweep"].items():
        print(f"  {name:22} recall {r['recall']:.4f} false matches {r['false_matches']} ({r['false_match_rate']:.4%})")
    print(f"IMAGE_NOT_PHOTO ({k['model']}): precision {k['precision']:.4f} recall {k['recall']:.4f} "
          f"accuracy {k['accuracy']:.4f} by class {k['by_class']}; real photos kept {k.get('real_photos')}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
