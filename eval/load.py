"""Load benchmark: concurrent clients against a real ``prescreen serve --workers N``.

    prescreen eval load --database-url postgresql://… --clients 16 --text 2000 --licences 100

Text-only product submissions (eval/bench_batch.py's varied forms) are sent as the pipeline
sends them, waiting for the report; those with a real licence scan (entity stage, the scans in
``realdata/doc_images/business_licenses``) go with ``?wait=false`` and their jobs are followed
to the end. Afterwards every submission is read back: it must exist with exactly one revision.
The text-only load runs against 1 server process and then against N, each on a fresh database
(PostgreSQL: a database of its own; SQLite: a file of its own), so the throughput ratio
compares like with like in one run. The clients run in this process and share the machine's
cores with the server; the figures say how many cores there were.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .bench_batch import make_submissions
from .server_process import Client, ServerProcess, pipeline_key

HELP = "load benchmark: concurrent clients against prescreen serve --workers N (latency, throughput, lost writes)"

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "submission.json"


def licence_submissions(n: int, scans: list[Path], prefix: str) -> list[tuple[dict, dict[str, bytes]]]:
    """Entity-stage submissions, each with one real licence scan (cycled) and the example's pledge."""
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    pledge = (EXAMPLE.parent / "pledge.png").read_bytes()
    out = []
    for i in range(n):
        scan = scans[i % len(scans)]
        s = copy.deepcopy(base)
        s["submission_id"] = f"{prefix}-L-{i:05d}"
        s["documents"] = [{"kind": "business_licence", "file": scan.name}, {"kind": "integrity_pledge", "file": "pledge.png"}]
        out.append((s, {scan.name: scan.read_bytes(), "pledge.png": pledge}))
    return out


def _fresh_database(admin_url: str | None, folder: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database: on PostgreSQL one created beside the admin URL's, else a SQLite file."""
    if not admin_url:
        return f"sqlite:///{folder / 'prescreen.db'}", lambda: None
    import sqlalchemy as sa

    from screening.settings import Settings

    name = f"prescreen_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(Settings(database_url=admin_url).sqlalchemy_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


def _send_all(port: int, key: str, items: list, clients: int, *, wait: bool) -> tuple[list[float], list[dict], int]:
    """Send every (submission, files) over ``clients`` connections; latencies (s), answers, errors."""
    local = threading.local()  # one kept-alive connection per client thread
    opened: list[Client] = []

    def one(item):
        if not hasattr(local, "client"):
            local.client = Client(port, key)
            opened.append(local.client)
        submission, files = item
        t0 = time.perf_counter()
        status, body = local.client.post_submission(submission, files, wait=wait)
        return time.perf_counter() - t0, status, body

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, items))
    for c in opened:
        c.close()
    errors = sum(1 for _, status, _ in results if status not in (200, 202))
    return [t for t, _, _ in results], [b for _, _, b in results], errors


def _follow_jobs(port: int, key: str, answers: list[dict], timeout: float) -> int:
    """Wait for every accepted job; how many did not end done."""
    c = Client(port, key)
    urls = [a["status_url"] for a in answers if a and "status_url" in a]
    deadline = time.monotonic() + timeout
    pending = set(urls)
    while pending and time.monotonic() < deadline:
        for url in list(pending):
            status, job = c.get(url)
            if status == 200 and job["state"] in ("done", "failed"):
                pending.discard(url)
                if job["state"] == "failed":
                    pending.add(url + "#failed")
        time.sleep(0.5)
    c.close()
    return len(pending)


def _read_back(port: int, key: str, ids: list[str]) -> dict:
    """Every submission exists once, with one revision."""
    c = Client(port, key)
    missing = twice = 0
    for sid in ids:
        status, body = c.get(f"/v1/screenings/{sid}")
        if status != 200:
            missing += 1
        elif len(body.get("revisions") or []) != 1:
            twice += 1
    c.close()
    return {"missing": missing, "more_than_one_revision": twice}


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


def run_load(*, workers: int, clients: int, text_n: int, licence_n: int, admin_url: str | None,
             realdata: Path | None, job_threads: int = 1) -> dict:
    scans = sorted((realdata / "doc_images" / "business_licenses").glob("*")) if realdata else []
    scans = [p for p in scans if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    out: dict = {"cores": os.cpu_count(), "clients": clients, "text": text_n, "licences": licence_n if scans else 0,
                 "engine": "postgresql" if admin_url else "sqlite"}
    for n_workers in sorted({1, workers}):
        with tempfile.TemporaryDirectory(prefix="prescreen-load-") as tmp:
            url, drop = _fresh_database(admin_url, Path(tmp))
            try:
                key = pipeline_key(url, Path(tmp))
                server = ServerProcess(url, Path(tmp), workers=n_workers, job_threads=job_threads).start()
                try:
                    prefix = f"W{n_workers}"
                    texts = [(s | {"submission_id": f"{prefix}-{s['submission_id']}"}, {})
                             for s in make_submissions(text_n)]
                    t0, cpu0 = time.perf_counter(), server.cpu_seconds()
                    latencies, _, errors = _send_all(server.port, key, texts, clients, wait=True)
                    elapsed = time.perf_counter() - t0
                    row = {"text_per_s": round(text_n / elapsed, 1), "text_p50_ms": round(_pct(latencies, 50), 1),
                           "text_p95_ms": round(_pct(latencies, 95), 1), "errors": errors,
                           # the server's CPU per submission: less moved by the machine's other load
                           "server_cpu_ms_per_text": round((server.cpu_seconds() - cpu0) / text_n * 1000, 1)}
                    ids = [s["submission_id"] for s, _ in texts]
                    if n_workers == workers and scans and licence_n:
                        docs = licence_submissions(licence_n, scans, prefix)
                        t0 = time.perf_counter()
                        _, answers, doc_errors = _send_all(server.port, key, docs, clients, wait=False)
                        not_done = _follow_jobs(server.port, key, answers, timeout=max(600.0, licence_n * 10.0))
                        row |= {"licence_accept_errors": doc_errors, "licence_jobs_not_done": not_done,
                                "licences_per_s": round(licence_n / (time.perf_counter() - t0), 2)}
                        row["errors"] += doc_errors + not_done
                        ids += [s["submission_id"] for s, _ in docs]
                    row |= _read_back(server.port, key, ids)
                    out[f"workers_{n_workers}"] = row
                finally:
                    server.stop()
            finally:
                drop()
    if workers > 1:
        out["throughput_ratio"] = round(out[f"workers_{workers}"]["text_per_s"] / out["workers_1"]["text_per_s"], 2)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL admin URL (a database is created per run); default: SQLite files")
    parser.add_argument("--workers", type=int, default=2, help="server processes compared with 1 (default 2)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--text", type=int, default=2000, help="text-only submissions per server")
    parser.add_argument("--licences", type=int, default=100, help="submissions with a real licence scan (N workers)")
    parser.add_argument("--out", type=Path, default=None, help="also write the figures as JSON")


def run(args: argparse.Namespace) -> int:
    from screening.settings import realdata_dir

    realdata = realdata_dir() if realdata_dir().is_dir() else None
    result = run_load(workers=args.workers, clients=args.clients, text_n=args.text, licence_n=args.licences,
                      admin_url=args.database_url, realdata=realdata)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    one, many = result["workers_1"], result.get(f"workers_{args.workers}", result["workers_1"])
    print(f"text-only p95: {many['text_p95_ms']} ms with {args.workers} workers (target ≤ 300) vs "
          f"{one['text_p95_ms']} ms with 1; throughput ×{result.get('throughput_ratio', 1.0)} (target ≥ 1.7) "
          f"on {result['cores']} cores shared with the {args.clients} clients")
    lost = sum(r["missing"] + r["more_than_one_revision"] + r["errors"] for k, r in result.items()
               if k.startswith("workers_"))
    print(f"server CPU per text-only submission: {many['server_cpu_ms_per_text']} ms with {args.workers} workers, "
          f"{one['server_cpu_ms_per_text']} ms with 1")
    print(f"errors, missing or doubled submissions: {lost} (target 0)")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if lost == 0 else 1
