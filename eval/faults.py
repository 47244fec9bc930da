"""Fault benchmark: ``kill -9`` of the whole server (supervisor and workers) under load.

    prescreen eval faults --database-url postgresql://… --rounds 5

Each round: clients send submissions (most waiting for the report, some with ``?wait=false``),
a marker product is filed and acknowledged, and after a random moment every server process is
killed with SIGKILL. The server is restarted on the same database and data directory, and:

- every acknowledged submission (200, or 202 with a job) is stored exactly once, with a report
  (jobs acknowledged before the kill are finished by the restarted workers);
- one sent but not acknowledged is either absent or whole (never a revision without a report);
- the duplicate index agrees with the database: a copy of the round's marker product, sent under
  a new id after the restart, is found as a duplicate of it.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from pathlib import Path

from .bench_batch import make_submissions
from .load import _fresh_database
from .server_process import Client, ServerProcess, pipeline_key

HELP = "fault benchmark: kill -9 of the server under load, restart, check nothing acknowledged is lost or doubled"


def _marker(round_: int) -> dict:
    s = make_submissions(1)[0]
    s["submission_id"] = f"R{round_}-MARKER"
    s["product"]["name"] = f"第{round_ + 3}代超声波眼镜清洗机"
    s["product"]["models"] = [f"UC-{round_}{round_ + 7}0X"]
    s["product"]["intro"] = f"超声波频率{40 + round_}千赫，不锈钢内胆，适用于眼镜、首饰的日常清洗。"
    return s


def _load(port: int, key: str, round_: int, stop: threading.Event, acked: dict, sent: set, lock) -> None:
    c = Client(port, key, timeout=30)
    forms = make_submissions(400, seed=round_)
    for i, s in enumerate(forms):
        if stop.is_set():
            break
        sid = f"R{round_}-{threading.get_ident() % 10_000}-{i}"
        s["submission_id"] = sid
        wait = i % 5 != 0
        with lock:
            sent.add(sid)
        try:
            status, body = c.post_submission(s, wait=wait)
        except OSError:  # the server died under this request: not acknowledged
            c.close()
            time.sleep(0.2)
            continue
        if status in (200, 202):
            with lock:
                acked[sid] = body.get("status_url") if status == 202 else None
    c.close()


def run_faults(*, rounds: int, clients: int, admin_url: str | None, workers: int = 2, seed: int = 0) -> dict:
    rng = random.Random(seed)
    result = {"rounds": rounds, "acknowledged": 0, "lost": 0, "doubled": 0, "half_written": 0,
              "jobs_not_done": 0, "index_misses": 0, "unacknowledged_stored": 0}
    with tempfile.TemporaryDirectory(prefix="prescreen-faults-") as tmp:
        url, drop = _fresh_database(admin_url, Path(tmp))
        try:
            key = pipeline_key(url, Path(tmp))
            env = {"PRESCREEN_JOB_LEASE_S": "3"}  # a dead worker's job is re-run 3 s later
            server = ServerProcess(url, Path(tmp), workers=workers, extra_env=env).start()
            for round_ in range(rounds):
                acked: dict[str, str | None] = {}
                sent: set[str] = set()
                lock = threading.Lock()
                marker = _marker(round_)
                status, _ = Client(server.port, key).post_submission(marker)
                if status == 200:
                    acked[marker["submission_id"]] = None
                stop = threading.Event()
                threads = [threading.Thread(target=_load, args=(server.port, key, round_, stop, acked, sent, lock))
                           for _ in range(clients)]
                for t in threads:
                    t.start()
                time.sleep(rng.uniform(1.0, 4.0))
                server.kill()  # kill -9, mid-load
                stop.set()
                for t in threads:
                    t.join()
                server = ServerProcess(url, Path(tmp), workers=workers, extra_env=env).start()
                result |= _check(server.port, key, acked, sent, marker, round_, result)
            server.stop()
        finally:
            drop()
    return result


def _check(port: int, key: str, acked: dict, sent: set, marker: dict, round_: int, totals: dict) -> dict:
    c = Client(port, key)
    out = dict(totals)
    out["acknowledged"] += len(acked)
    deadline = time.monotonic() + 120
    for sid, job_url in acked.items():
        while job_url:
            status, job = c.get(job_url)
            if status == 200 and job["state"] == "done":
                break
            if (status == 200 and job["state"] == "failed") or time.monotonic() > deadline:
                out["jobs_not_done"] += 1
                break
            time.sleep(0.25)
        status, body = c.get(f"/v1/screenings/{sid}")
        if status == 404:
            out["lost"] += 1
        elif status == 200 and len(body["revisions"]) != 1:
            out["doubled"] += 1
    for sid in sent - set(acked):
        status, body = c.get(f"/v1/screenings/{sid}")
        if status == 200:
            out["unacknowledged_stored"] += 1
            if "priority" not in body or len(body["revisions"]) != 1:
                out["half_written"] += 1
    copy = json.loads(json.dumps(marker))
    copy["submission_id"] = f"R{round_}-MARKER-COPY"
    status, report = c.post_submission(copy)
    if status != 200 or marker["submission_id"] not in {d["submission_id"] for d in report.get("duplicates", [])}:
        out["index_misses"] += 1
    c.close()
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL admin URL (a database is created for the run); default: SQLite")
    parser.add_argument("--rounds", type=int, default=5, help="kill -9 rounds (default 5)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients sending during each round")
    parser.add_argument("--workers", type=int, default=2, help="server processes (serve --workers N)")
    parser.add_argument("--seed", type=int, default=0, help="when in each round the kill falls")


def run(args: argparse.Namespace) -> int:
    result = run_faults(rounds=args.rounds, clients=args.clients, admin_url=args.database_url,
                        workers=args.workers, seed=args.seed)
    print(json.dumps(result, indent=2))
    bad = result["lost"] + result["doubled"] + result["half_written"] + result["jobs_not_done"] + result["index_misses"]
    print(f"{result['rounds']} kill -9 rounds, {result['acknowledged']} acknowledged submissions: "
          f"lost {result['lost']}, doubled {result['doubled']}, half-written {result['half_written']}, "
          f"jobs not finished {result['jobs_not_done']}, index misses {result['index_misses']} (targets 0)")
    return 0 if bad == 0 else 1
