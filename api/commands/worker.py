"""prescreen worker: job workers without a server (another host, or more document readers)."""

from __future__ import annotations

import argparse
import signal
import threading

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("worker", help="run job workers (document reading) against the database, without a server")
    p.add_argument("--threads", type=int, default=None, metavar="N", help="default PRESCREEN_JOB_THREADS (2)")
    p.add_argument("--until-idle", action="store_true", help="stop when no job is left (batches, tests)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from screening.resources import build_pipeline, settle_loaded
    from screening.service import ScreeningService
    from screening.storage.service_lock import hold_service_lock

    settings = setup()
    service_lock = hold_service_lock(settings.data_dir)  # noqa: F841 (restore refuses while held)
    store = store_for(settings)
    pipeline, _ = build_pipeline(settings, store)
    service = ScreeningService(pipeline, store)
    threads = args.threads if args.threads is not None else settings.job_threads
    runner = service.make_runner(threads=max(1, threads), lease_s=settings.job_lease_s)
    settle_loaded()
    if args.until_idle:
        ran = runner.drain()
        print(f"prescreen worker: {ran} jobs run, none left", flush=True)
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner.start()
    print(f"prescreen worker: {runner.threads} job workers on {settings.sqlalchemy_url.split('@')[-1]}", flush=True)
    stop.wait()
    runner.stop()  # the jobs in hand finish; an interrupted one is re-run after its lease
    return 0
