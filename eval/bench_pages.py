"""How fast the reviewer pages answer with a full queue (target: under 300 ms).

Seeds a fresh store with N stored submissions (reports built from the contract's
dataclasses, recorded through ``Store.record_screening`` like any screening), starts
``prescreen serve`` on it as a child process (127.0.0.1, OCR off), signs in as a reviewer and times, over HTTP: the
queue's first page, a filtered queue page, a deep queue page, and the top submission's page.

    prescreen eval bench-pages [--n 10000] [--repeats 40] [--database-url URL]

The queue is seeded by ``training.pages_data`` (the generator the web tests use too).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

HELP = "time the reviewer pages with 10,000 submissions in the queue (target < 300 ms)"
TARGET_MS = 300.0
PAGE_SIZE = 50  # rows on a reviewer queue page (the pages' own constant: eval does not import api)
PASSWORD = "review-pass-2026"


# ---------------------------------------------------------------- signing in
def sign_in(client, base: str, username: str, password: str) -> None:
    import re

    page = client.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(f"{base}/login", data={"username": username, "password": password, "csrf_token": token,
                                           "next": "/queue"}, follow_redirects=False)
    if r.status_code != 303:
        raise RuntimeError(f"sign-in failed: {r.status_code}")


# ---------------------------------------------------------------- the benchmark
def time_pages(base: str, client, paths: dict[str, str], repeats: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for label, path in paths.items():
        client.get(base + path)  # warm: templates compiled, caches filled
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            r = client.get(base + path)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"{path} answered {r.status_code}")
        out[label] = times
    return out


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def bench(n: int, repeats: int, database_url: str | None, data_dir: Path | None = None) -> dict:
    import httpx

    from screening.storage.users import UserStore

    from screening.errors import InvalidInput
    from screening.settings import Settings
    from screening.storage import open_store
    from training.pages_data import seed_many, seed_realistic

    from .server_process import ServerProcess

    data_dir = Path(data_dir or tempfile.mkdtemp(prefix="prescreen-bench-"))
    settings = Settings(data_dir=data_dir, database_url=database_url)
    store = open_store(settings.sqlalchemy_url, settings.files_dir)
    held = store.counts()
    if held["open"] + held["decided"]:  # it would time a queue it did not build
        store.engine.dispose()
        raise InvalidInput(f"the database already holds {held['open'] + held['decided']} submissions: "
                           "give bench-pages an empty one", field="--database-url")
    t0 = time.perf_counter()
    seeded = seed_realistic(store)
    seed_many(store, max(0, n - len(seeded["ids"])), progress=True)
    seed_s = time.perf_counter() - t0
    UserStore(store.engine).create_user("bench", PASSWORD, "reviewer", actor="bench")
    paths = {
        "queue, first page": "/queue",
        "queue, filtered (product + NAME_BRAND + 1–3 days)": "/queue?stage=product&code=NAME_BRAND&age=1to3",
        "queue, page 100": "/queue?page=100",
    }
    # the deepest page a reviewer reaches by 下一页 (keyset cursor) beside the same page by number
    # (offset), in the same run: page 1,000 at 100k submissions
    deep = max(2, min(1000, n // PAGE_SIZE))
    _, _, cursor = store.queue_page(limit=PAGE_SIZE, offset=(deep - 2) * PAGE_SIZE)
    paths |= {
        f"queue, page {deep} by 下一页 (keyset)": f"/queue?page={deep}&cursor={cursor}",
        f"queue, page {deep} by number (offset)": f"/queue?page={deep}",
        "submission page (top item, licence + photo + duplicate)": f"/submissions/{seeded['top']}?pos=0",
        "submission page (a bulk item)": "/submissions/B-P-000010",
    }
    # the service exactly as users start it, OCR off; at start it indexes every seeded filing
    server = ServerProcess(database_url, data_dir, extra_env={"PRESCREEN_OCR_ENABLED": "false"})
    with server.start(timeout=max(180.0, n / 100)), httpx.Client(timeout=30) as client:
        base = server.base
        sign_in(client, base, "bench", PASSWORD)
        open_n = client.get(base + "/queue").text.count("data-href=")
        results = time_pages(base, client, paths, repeats)
    store.engine.dispose()
    return {"n": n, "seed_s": seed_s, "rows_on_first_page": open_n, "database": store.engine.dialect.name,
            "results": {k: {"median_ms": statistics.median(v), "p95_ms": p95(v), "max_ms": max(v)}
                        for k, v in results.items()}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=10_000, help="submissions in the queue (default 10000)")
    parser.add_argument("--repeats", type=int, default=40, help="timed requests per page (default 40)")
    parser.add_argument("--database-url", default=None,
                        help="a fresh, empty database to seed (default: SQLite in a temporary directory)")


def run(args: argparse.Namespace) -> int:
    out = bench(args.n, args.repeats, args.database_url)
    print(f"{out['n']} submissions on {out['database']} (seeded in {out['seed_s']:.0f} s); "
          f"{args.repeats} requests per page over HTTP to `prescreen serve` on 127.0.0.1")
    print(f"{'page':58s} {'median':>9s} {'p95':>9s} {'max':>9s}  target")
    ok = True
    for label, r in out["results"].items():
        good = r["p95_ms"] < TARGET_MS
        ok &= good
        print(f"{label:58s} {r['median_ms']:7.1f}ms {r['p95_ms']:7.1f}ms {r['max_ms']:7.1f}ms  "
              f"< {TARGET_MS:.0f} ms {'ok' if good else 'MISSED'}")
    return 0 if ok else 1
