"""Benchmark of the duplicate index: latency, recall@10 against exact search, build time, memory.

    prescreen eval bench-index --sizes 100000 1000000 --threads 2 --out bench.json

Every candidate index is measured beside exact brute-force search (``IndexFlatIP``) in the
same run, on the same vectors and queries. At these sizes the vectors are SYNTHETIC, drawn to
resemble the shared embedder's output: centres are real embeddings of product names when the
embedder and real data are at hand (else random unit vectors), and each filing is a mix of two
centres (a product and its introduction's topic) plus isotropic noise, L2-normalised, so that
nearest neighbours sit at cosines like real near-duplicates (about 0.8–0.95).
Queries are drawn the same way and are not in the index.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

HELP = "duplicate index benchmark: latency, recall@10 vs exact, build time, memory (synthetic vectors)"


def synthetic_vectors(n: int, centres: np.ndarray, *, seed: int, noise: float = 0.35, batch: int = 200_000) -> np.ndarray:
    """n unit vectors: a·c1 + b·c2 + noise (see the module doc)."""
    rng = np.random.default_rng(seed)
    dim = centres.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, batch):
        m = min(batch, n - start)
        c1 = centres[rng.integers(0, len(centres), m)]
        c2 = centres[rng.integers(0, len(centres), m)]
        a = rng.uniform(0.6, 1.0, (m, 1)).astype(np.float32)
        b = rng.uniform(0.0, 0.5, (m, 1)).astype(np.float32)
        x = a * c1 + b * c2 + rng.normal(0, noise / np.sqrt(dim), (m, dim)).astype(np.float32)
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def default_centres(dim: int = 512, n: int = 3000, *, seed: int = 0) -> tuple[np.ndarray, str]:
    """Real embeddings of goods names as centres when possible; random unit vectors otherwise."""
    try:
        from models.embedder import SentenceEmbedder
        from training.pairs import load_vocab

        vocab = load_vocab()
        names = sorted(set(vocab.goods))[:n]
        emb = SentenceEmbedder.load_default()
        if emb.dim == dim and len(names) >= 500:
            return emb.encode(names), f"embedder over {len(names)} real goods names"
    except Exception as exc:  # no real data or no embedder: say so in the output
        print(f"bench-index: random centres ({type(exc).__name__}: {exc})", file=sys.stderr)
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(n, dim)).astype(np.float32)
    return c / np.linalg.norm(c, axis=1, keepdims=True), "random unit vectors"


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _latencies(index, queries: np.ndarray, k: int) -> np.ndarray:
    out = np.empty(len(queries))
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        index.search(q[None, :], k)
        out[i] = (time.perf_counter() - t0) * 1000
    return out


def bench_size(n: int, centres: np.ndarray, *, n_queries: int = 500, n_exact_timed: int = 100, k: int = 10,
               nprobes: tuple[int, ...] = (8, 16, 32, 64), codecs: tuple[str, ...] = ("SQfp16", "SQ8"),
               hnsw_max: int = 200_000, seed: int = 1, progress=None) -> dict:
    import faiss

    from screening.duplicates.vector_index import IndexSpec, VectorIndex, spec_for

    dim = centres.shape[1]
    xb = synthetic_vectors(n, centres, seed=seed)
    xq = synthetic_vectors(n_queries, centres, seed=seed + 1000)
    ids = np.arange(n, dtype=np.int64)
    rows = []

    def step(what):
        if progress is not None:
            progress.set_postfix_str(f"n={n} {what}")
            progress.update(1)

    # exact: the reference
    t0 = time.perf_counter()
    exact = VectorIndex.build(xb, ids, IndexSpec("flat"))
    build_s = time.perf_counter() - t0
    _, truth = exact.index.search(xq, k)
    lat = _latencies(exact, xq[:n_exact_timed], k)
    exact_row = {"index": "exact (IndexFlatIP)", "build_s": round(build_s, 2), "memory_mb": round(exact.memory_bytes() / 2**20, 1),
                 "median_ms": round(float(np.median(lat)), 3), "p95_ms": round(float(np.percentile(lat, 95)), 3),
                 "recall_at_10": 1.0, "queries_timed": n_exact_timed}
    rows.append(exact_row)
    nn_cos = float(np.median(exact.index.search(xq[:200], 1)[0][:, 0]))
    step("exact")
    del exact

    default = spec_for(max(n, 50_000))
    # one coarse quantiser for every IVF variant: the k-means is the slow part of the build
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    sample = xb if n <= 200_000 else xb[rng.choice(n, 200_000, replace=False)]
    km = faiss.Kmeans(dim, default.nlist, niter=10, spherical=True, seed=seed, max_points_per_centroid=256)
    km.train(sample)
    kmeans_s = time.perf_counter() - t0
    step("kmeans")
    for codec in codecs:
        quantizer = faiss.IndexFlatIP(dim)
        quantizer.add(km.centroids)
        sq = {"SQfp16": faiss.ScalarQuantizer.QT_fp16, "SQ8": faiss.ScalarQuantizer.QT_8bit}[codec]
        ivf = faiss.IndexIVFScalarQuantizer(quantizer, dim, default.nlist, sq, faiss.METRIC_INNER_PRODUCT)
        t0 = time.perf_counter()
        ivf.train(sample)  # the scalar quantiser's ranges only: the quantiser is already trained
        ivf.add_with_ids(xb, ids)
        add_s = time.perf_counter() - t0
        vi = VectorIndex(dim, IndexSpec("ivf", default.nlist, default.nprobe, codec), ivf)
        vi.quantizer = quantizer  # keep it alive beside the index
        mem = vi.memory_bytes()
        for nprobe in nprobes:
            ivf.nprobe = nprobe
            _, got = ivf.search(xq, k)
            lat = _latencies(vi, xq, k)
            rows.append({"index": f"IVF{default.nlist},{codec} nprobe={nprobe}", "build_s": round(kmeans_s + add_s, 2),
                         "memory_mb": round(mem / 2**20, 1), "median_ms": round(float(np.median(lat)), 3),
                         "p95_ms": round(float(np.percentile(lat, 95)), 3), "recall_at_10": _recall(got, truth),
                         "default": codec == default.codec and nprobe == default.nprobe, "queries_timed": len(xq)})
        step(codec)
        del vi, ivf
    if n <= hnsw_max:
        t0 = time.perf_counter()
        h = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        h.hnsw.efConstruction = 40
        h.add(xb)
        build_s = time.perf_counter() - t0
        for ef in (32, 64, 128):
            h.hnsw.efSearch = ef
            _, got = h.search(xq, k)
            lat = _latencies(h, xq, k)
            rows.append({"index": f"HNSW32,Flat efSearch={ef}", "build_s": round(build_s, 2),
                         "memory_mb": round(faiss.serialize_index(h).nbytes / 2**20, 1),
                         "median_ms": round(float(np.median(lat)), 3), "p95_ms": round(float(np.percentile(lat, 95)), 3),
                         "recall_at_10": _recall(got, truth), "queries_timed": len(xq)})
        step("hnsw")
        del h
    for r in rows[1:]:
        r["speedup_vs_exact"] = round(exact_row["median_ms"] / max(r["median_ms"], 1e-6), 1)
    return {"n": n, "dim": dim, "median_nn_cosine": round(nn_cos, 3), "default_index": default.describe(),
            "rss_mb_after": round(_rss_mb(), 1), "rows": rows}


def _recall(got: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(len(set(g[g >= 0]) & set(t)) for g, t in zip(got, truth))
    return round(hits / truth.size, 4)


def run_bench(sizes: list[int], *, threads: int = 2, n_queries: int = 500, centres: np.ndarray | None = None,
              hnsw_max: int = 200_000, codecs: tuple[str, ...] = ("SQfp16", "SQ8"),
              nprobes: tuple[int, ...] = (8, 16, 32, 64)) -> dict:
    import faiss
    from tqdm import tqdm

    faiss.omp_set_num_threads(threads)
    source = "given"
    if centres is None:
        centres, source = default_centres()
    out = {"threads": threads, "vectors": f"synthetic, clustered around {source}", "sizes": []}
    with tqdm(total=sum(2 + len(codecs) + (n <= hnsw_max) for n in sizes), file=sys.stderr, desc="bench-index") as bar:
        for n in sizes:
            out["sizes"].append(bench_size(n, centres, n_queries=n_queries, hnsw_max=hnsw_max, codecs=codecs,
                                           nprobes=nprobes, progress=bar))
    return out


def format_table(result: dict) -> str:
    lines = [f"threads={result['threads']}; vectors: {result['vectors']}"]
    for size in result["sizes"]:
        lines.append(f"\nn={size['n']:,} dim={size['dim']} (median nearest-neighbour cosine {size['median_nn_cosine']}; "
                     f"default {size['default_index']})")
        lines.append(f"{'index':34} {'build s':>8} {'mem MB':>8} {'med ms':>8} {'p95 ms':>8} {'rec@10':>7} {'speed-up':>8}")
        for r in size["rows"]:
            lines.append(f"{r['index'] + (' *' if r.get('default') else ''):34} {r['build_s']:8.1f} {r['memory_mb']:8.1f} "
                         f"{r['median_ms']:8.3f} {r['p95_ms']:8.3f} {r['recall_at_10']:7.4f} {r.get('speedup_vs_exact', 1.0):8.1f}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="index sizes (vectors) to build and query")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads and CPUs (2)")
    parser.add_argument("--queries", type=int, default=500, help="queries timed per configuration")
    parser.add_argument("--codecs", nargs="+", default=["SQfp16", "SQ8"], choices=["SQfp16", "SQ8"], help="vector codecs to compare")
    parser.add_argument("--nprobes", type=int, nargs="+", default=[8, 16, 32, 64], help="IVF lists probed per query")
    parser.add_argument("--hnsw-max", type=int, default=200_000, help="HNSW is built only up to this size (slow)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")


def run(args: argparse.Namespace) -> int:
    result = run_bench(args.sizes, threads=args.threads, n_queries=args.queries, hnsw_max=args.hnsw_max,
                       codecs=tuple(args.codecs), nprobes=tuple(args.nprobes))
    print(format_table(result))
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
