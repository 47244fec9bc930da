"""The whole duplicate search at scale: latency and the process's memory, with the filings'
metadata in the filing table (now) and as Python objects (before), measured in one run.

    prescreen eval bench-duplicates-scale --sizes 100000 1000000 --old-size 100000 --out scale.json

Each measurement runs in a fresh process, so its RSS is its own: the embedder, the pair
scorer and an (empty) SQLite store are loaded first (the base), then the filings are held,
then the faiss index is built (``spec_for(n)``: IVF2048,SQfp16 at 1M, its lists trained on a
sample of ``--train-sample`` vectors, added a chunk at a time). A search is ``find()`` as a
screening calls it: the catch-up query, the query's embedding, candidates, their metadata,
the pair scorer. For the largest size the search is also saved and opened from its snapshot
in another fresh process (how a server starts), and measured there.

Filings are SYNTHETIC: both sides of generated labelled pairs (``training/pairs.py``: real
goods names, car series and company names when the real data is at hand), so names, codes,
introductions, patents and photo hashes have the sizes and overlaps of the pair set. Their
vectors are drawn as in ``bench-index`` (mixtures of embedded goods names plus noise),
independent of their text. Queries are the other sides of further pairs whose first side is
indexed. The object layout is measured at a smaller size and extrapolated per filing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Iterator

import numpy as np

HELP = "duplicate search at scale: latency and process RSS, filing table vs object metadata (synthetic filings)"

NEW_FILINGS = 5000  # held by the served search after its searches
CHUNK = 50_000  # vectors generated and added at a time (the benchmark's own peak stays small)


def status_mb() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    return out


def _fallback_vocab():
    """A few products and companies, for when the real data is absent (tests, CI without it)."""
    from training.pairs import Vocab

    goods = ["家用电冰箱", "空气净化器", "电动牙刷", "吸尘器", "电饭煲", "洗衣机", "微波炉", "电热水壶", "加湿器", "榨汁机",
             "剃须刀", "电风扇", "扫地机器人", "咖啡机", "电烤箱", "吹风机", "台灯", "电磁炉", "饮水机", "净水器"] * 2
    goods = [g + s for g, s in zip(goods, [""] * 20 + ["组件"] * 20)]
    companies = [(f"示例{i}号科技有限公司", f"91440300MA5H{i:05d}W") for i in range(400)]
    return Vocab(goods=goods, goods_group={g: g[:2] for g in goods}, car_series={"奥迪": ["奥迪A4", "奥迪A4L", "奥迪A6L"]},
                 companies=companies)


def generator(seed: int):
    from training.pairs import PairGenerator, load_vocab

    try:
        vocab = load_vocab()
    except FileNotFoundError:
        vocab = _fallback_vocab()
    return PairGenerator(vocab, "train", seed=seed)


def synthetic_filings(gen, n: int, *, first_id: int = 1) -> Iterator:
    """``n`` filings: both sides of generated pairs (kinds in their usual shares), revision ids
    from ``first_id`` on, a submission id each."""
    from training.pairs import PAIR_KINDS

    kinds, weights = list(PAIR_KINDS), list(PAIR_KINDS.values())
    made = 0
    while made < n:
        a, b, _ = gen.pair(gen.rng.choices(kinds, weights)[0])
        for f in (a, b)[: n - made]:
            f.revision_id = first_id + made
            f.submission_id = f"S-{f.revision_id:08d}"
            made += 1
            yield f


def queries(gen, n_queries: int, first_id: int) -> tuple[list, list]:
    """(filings to index, queries): each query is the second side of a pair whose first is indexed."""
    from training.pairs import PAIR_KINDS

    kinds, weights = list(PAIR_KINDS), list(PAIR_KINDS.values())
    held, asked = [], []
    for i in range(n_queries):
        a, b, _ = gen.pair(gen.rng.choices(kinds, weights)[0])
        a.revision_id, a.submission_id = first_id + i, f"S-{first_id + i:08d}"
        b.revision_id, b.submission_id = 0, f"Q-{i:08d}"
        held.append(a)
        asked.append(b)
    return held, asked


def _latencies(search, asked: list) -> dict:
    """find() per query as a screening calls it (catch-up, the query's embedding, candidates,
    their metadata, scoring), then at once again: the embedder keeps its recent single-text
    results, so the second call is the search without the query's embedding."""
    cold, warm, found = [], [], []
    for q in asked:
        t0 = time.perf_counter()
        out = search.find(q)
        t1 = time.perf_counter()
        search.find(q)
        warm.append((time.perf_counter() - t1) * 1000)
        cold.append((t1 - t0) * 1000)
        found.append(len(out))
    return {"median_ms": round(float(np.median(cold)), 3), "p95_ms": round(float(np.percentile(cold, 95)), 3),
            "median_ms_embedded": round(float(np.median(warm)), 3),
            "p95_ms_embedded": round(float(np.percentile(warm, 95)), 3),
            "candidates_mean": round(float(np.mean(found)), 1), "queries": len(asked)}


def _paired(searches: dict, asked: list) -> dict:
    """Several searches over the same filings and index, timed query by query in turns (so that
    other jobs' load falls on each alike), the query's embedding made beforehand."""
    times: dict[str, list[float]] = {name: [] for name in searches}
    for i, q in enumerate(asked):
        names = list(searches)[:: 1 if i % 2 else -1]
        searches[names[0]].find(q)  # embeds the query; the embedder keeps it for the others
        for name in names:
            t0 = time.perf_counter()
            searches[name].find(q)
            times[name].append((time.perf_counter() - t0) * 1000)
    return {name: {"median_ms_embedded": round(float(np.median(t)), 3), "p95_ms_embedded": round(float(np.percentile(t, 95)), 3)}
            for name, t in times.items()}


def _open_parts(work: Path, threads: int):
    import faiss

    from models.embedder import SentenceEmbedder
    from models.pair_scorer import PairScorer
    from screening.storage import open_store

    faiss.omp_set_num_threads(threads)
    store = open_store(f"sqlite:///{work / 'prescreen.db'}", work / "files")
    return store, SentenceEmbedder.load_default(), PairScorer.load_default()


def measure(layout: str, n: int, centres: np.ndarray, work: str, *, n_queries: int = 300, threads: int = 2,
            train_sample: int = 100_000, seed: int = 0, save: bool = False, pair: bool = False) -> dict:
    """Build the search over ``n`` synthetic filings with ``layout`` ("table" or "objects") and
    time ``n_queries`` searches; with ``save``, write its snapshot under ``work``; with ``pair``,
    then hold the same filings in the other layout too and time both, query by query."""
    from eval.bench_index import synthetic_vectors
    from eval.object_filings import ObjectFilings
    from screening.duplicates.filing_table import FilingTable
    from screening.duplicates.search import DuplicateSearch
    from screening.duplicates.vector_index import VectorIndex, spec_for

    work = Path(work)
    store, embedder, scorer = _open_parts(work, threads)
    search = DuplicateSearch(work / "data", store, embedder, scorer,
                             table={"table": FilingTable, "objects": ObjectFilings}[layout])
    out = {"layout": layout, "n": n, "base": status_mb(), "load_average": [os.getloadavg()[0]]}
    gen = generator(seed)
    held, asked = queries(gen, n_queries, first_id=n - n_queries + 1)
    t0 = time.perf_counter()
    for f in synthetic_filings(gen, n - n_queries):
        search.table.hold(f)
    for f in held:
        search.table.hold(f)
    out["hold_s"] = round(time.perf_counter() - t0, 1)
    out["with_metadata"] = status_mb()
    t0 = time.perf_counter()
    spec = spec_for(n)
    search.vectors = VectorIndex.trained(synthetic_vectors(min(train_sample, n), centres, seed=seed + 1, batch=CHUNK), spec)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        ids = np.arange(start + 1, start + m + 1, dtype=np.int64)
        search.vectors.add(synthetic_vectors(m, centres, seed=seed + 2 + start // CHUNK, batch=CHUNK), ids)
    out["index_s"] = round(time.perf_counter() - t0, 1)
    out["index"] = spec.describe()
    out["index_mb"] = round(search.vectors.memory_bytes() / 2**20, 1)
    out["with_index"] = status_mb()
    out["search"] = _latencies(search, asked)
    out["after_search"] = status_mb()
    out["metadata_bytes_per_filing"] = round((out["with_metadata"]["VmRSS"] - out["base"]["VmRSS"]) * 2**20 / n)
    if pair:
        other = DuplicateSearch(work / "other", store, embedder, scorer,
                                table={"table": ObjectFilings, "objects": FilingTable}[layout])
        gen = generator(seed)
        queries(gen, n_queries, first_id=n - n_queries + 1)
        for f in [*synthetic_filings(gen, n - n_queries), *held]:
            other.table.hold(f)
        other.vectors = search.vectors
        out["paired"] = _paired({layout: search, "objects" if layout == "table" else "table": other}, asked)
    out["load_average"].append(os.getloadavg()[0])
    if save:
        t0 = time.perf_counter()
        search.save()
        out["save_s"] = round(time.perf_counter() - t0, 1)
        out["snapshot_mb"] = round((work / "data" / "index" / "duplicates.npz").stat().st_size / 2**20, 1)
        out["asked"] = asked
    return out


def serve(work: str, asked: list, *, threads: int = 2) -> dict:
    """A fresh process opening the saved search (as a server starts), then the same searches."""
    from screening.duplicates.search import DuplicateSearch

    work = Path(work)
    store, embedder, scorer = _open_parts(work, threads)
    out = {"base": status_mb()}
    t0 = time.perf_counter()
    search = DuplicateSearch.open(work / "data", store, embedder, scorer)
    out["open_s"] = round(time.perf_counter() - t0, 1)
    out["n"] = len(search)
    out["opened"] = status_mb()
    out["search"] = _latencies(search, asked)
    out["after_search"] = status_mb()
    # then new filings arrive, a few at a time as catch-ups add them (vectors drawn at random),
    # and the search saves its snapshot as it does after 500 new revisions
    fresh = list(synthetic_filings(generator(1), NEW_FILINGS, first_id=out["n"] + 10**7))
    vecs = np.random.default_rng(1).normal(size=(len(fresh), embedder.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for start in range(0, len(fresh), 10):
        batch = fresh[start : start + 10]
        search.vectors.add(vecs[start : start + 10], np.array([f.revision_id for f in batch]))
        for f in batch:
            search.table.hold(f)
    out["after_new"] = status_mb()
    search.save()
    out["after_save"] = status_mb()
    return out


def _call(isolate: bool, fn, *args, **kw):
    if not isolate:
        return fn(*args, **kw)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kw).result()


def run_bench(sizes: list[int], old_size: int, *, n_queries: int = 300, threads: int = 2, train_sample: int = 100_000,
              seed: int = 0, centres: np.ndarray | None = None, isolate: bool = True, progress=print) -> dict:
    from eval.bench_index import default_centres

    source = "given"
    if centres is None:
        centres, source = default_centres()
    kw = {"n_queries": n_queries, "threads": threads, "train_sample": train_sample, "seed": seed}
    out = {"threads": threads, "vectors": f"synthetic, clustered around {source}", "runs": []}
    with tempfile.TemporaryDirectory(prefix="bench-dup-") as tmp:
        for layout, n in [("objects", old_size)] + [("table", n) for n in sorted(sizes)]:
            progress(f"bench-duplicates-scale: {layout} at {n:,}")
            work = Path(tmp) / f"{layout}-{n}"
            work.mkdir()
            largest = layout == "table" and n == max(sizes)
            out["runs"].append(_call(isolate, measure, layout, n, centres, str(work), save=largest,
                                     pair=layout == "objects", **kw))
        largest = out["runs"][-1]
        asked = largest.pop("asked")
        progress(f"bench-duplicates-scale: opening the {largest['n']:,} snapshot in a fresh process")
        out["served"] = _call(isolate, serve, str(Path(tmp) / f"table-{largest['n']}"), asked, threads=threads)
    old, served = out["runs"][0], out["served"]
    n = largest["n"]
    # a loaded index takes about its serialised size; a freshly built one more (its lists' spare room)
    served["metadata_bytes_per_filing"] = round(
        (served["opened"]["VmRSS"] - served["base"]["VmRSS"] - largest["index_mb"]) * 2**20 / n)
    out["objects_extrapolated"] = {
        "n": n, "metadata_mb": round(old["metadata_bytes_per_filing"] * n / 2**20, 1),
        "rss_mb": round(old["base"]["VmRSS"] + largest["index_mb"] + old["metadata_bytes_per_filing"] * n / 2**20, 1)}
    return out


def format_table(result: dict) -> str:
    lines = [f"threads={result['threads']}; vectors: {result['vectors']}",
             "find(): median / p95 ms as a screening calls it; 'embedded': the query's embedding already made",
             f"{'metadata':10} {'filings':>10} {'B/filing':>9} {'meta MB':>8} {'RSS MB':>8} {'HWM MB':>8} "
             f"{'median':>7} {'p95':>7} {'embedded':>8} {'p95':>7}  index"]
    for r in result["runs"]:
        s = r["search"]
        lines.append(f"{r['layout']:10} {r['n']:10,} {r['metadata_bytes_per_filing']:9,} "
                     f"{r['with_metadata']['VmRSS'] - r['base']['VmRSS']:8,.0f} {r['after_search']['VmRSS']:8,.0f} "
                     f"{r['after_search']['VmHWM']:8,.0f} {s['median_ms']:7.2f} {s['p95_ms']:7.2f} "
                     f"{s['median_ms_embedded']:8.2f} {s['p95_ms_embedded']:7.2f}  {r['index']}")
    x = result["objects_extrapolated"]
    lines.append(f"{'objects':10} {x['n']:10,} {'(x n)':>9} {x['metadata_mb']:8,.0f} {x['rss_mb']:8,.0f}"
                 "  extrapolated: its base + the index's size + its bytes per filing x n")
    sv = result["served"]
    s = sv["search"]
    lines.append(f"served: the {sv['n']:,}-filing snapshot opened in a fresh process in {sv['open_s']} s "
                 f"({sv['metadata_bytes_per_filing']:,} B/filing beside the index): "
                 f"RSS {sv['after_search']['VmRSS']:,.0f} MB, HWM {sv['after_search']['VmHWM']:,.0f} MB "
                 f"(then {NEW_FILINGS:,} new filings: {sv['after_new']['VmRSS']:,.0f} MB, "
                 f"after the next save {sv['after_save']['VmRSS']:,.0f} MB, HWM {sv['after_save']['VmHWM']:,.0f} MB); "
                 f"find() median {s['median_ms']:.2f} ms, p95 {s['p95_ms']:.2f} ms; "
                 f"embedded {s['median_ms_embedded']:.2f} / {s['p95_ms_embedded']:.2f} ms")
    p = result["runs"][0]["paired"]
    lines.append(f"the same {result['runs'][0]['n']:,} filings in both layouts in one process, timed in turns, "
                 f"query embedded: objects {p['objects']['median_ms_embedded']:.2f} / {p['objects']['p95_ms_embedded']:.2f} ms,"
                 f" table {p['table']['median_ms_embedded']:.2f} / {p['table']['p95_ms_embedded']:.2f} ms (median / p95)")
    lines.append("load average (1 min) at each run's start and end: "
                 + ", ".join(f"{r['layout']}@{r['n']:,} {r['load_average'][0]:.1f}-{r['load_average'][1]:.1f}"
                             for r in result["runs"]))
    lines.append("base RSS (embedder, scorer, store; no filings): "
                 + ", ".join(f"{r['layout']}@{r['n']:,} {r['base']['VmRSS']:,.0f} MB" for r in result["runs"]))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="filings, with the filing table")
    parser.add_argument("--old-size", type=int, default=100_000, help="filings, with the object metadata (extrapolated)")
    parser.add_argument("--queries", type=int, default=300, help="searches timed per size")
    parser.add_argument("--threads", type=int, default=1,
                        help="faiss OpenMP threads (1, as served: PRESCREEN_INDEX_THREADS)")
    parser.add_argument("--train-sample", type=int, default=100_000, help="vectors the IVF lists are trained on")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated filings and vectors")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")


def run(args: argparse.Namespace) -> int:
    result = run_bench(args.sizes, args.old_size, n_queries=args.queries, threads=args.threads,
                       train_sample=args.train_sample, seed=args.seed,
                       progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(format_table(result))
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
