"""``prescreen screen --batch --workers N``: a batch spread over processes through the job queue.

Every line is validated here and queued (a bad line is reported at once, as without workers);
then N ``prescreen worker --until-idle`` processes take the jobs, as would any worker on another
host on the same database. The reports are written in the order of the lines once all are done.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from screening.errors import PrescreenError
from screening.service import ScreeningService

from .screen import line_error, parse_line, read_lines


def batch_over_workers(service: ScreeningService, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    src = args.batch
    lines = read_lines(src)
    results: dict[int, dict] = {}  # line number -> report or error, for the lines done now
    jobs: dict[int, int] = {}  # line number -> job id
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            submission, files = parse_line(line, src.parent)
            outcome = service.enqueue(submission, files, line, actor="cli:batch")
        except PrescreenError as exc:
            results[lineno] = line_error(lineno, exc)
            continue
        if outcome.job is None:
            results[lineno] = outcome.report  # an unchanged resend: its stored report
        else:
            jobs[lineno] = outcome.job.id
    workers = [subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--until-idle", "--threads", "1"],
                                stdout=subprocess.DEVNULL) for _ in range(args.workers if jobs else 0)]
    ids = list(jobs.values())
    with tqdm(total=len(ids), desc="screening", unit="sub", file=sys.stderr) as bar:
        while True:
            left = len(service.jobs.unfinished(ids))
            bar.update(len(ids) - left - bar.n)
            if not left:
                break
            if all(w.poll() is not None for w in workers):
                # the workers are gone with jobs left (one died holding a lease): finish them here
                service.make_runner(threads=1).drain()
                if service.jobs.unfinished(ids):
                    time.sleep(1.0)  # a lease still running out
                continue
            time.sleep(0.2)
    for w in workers:
        w.wait()
    bad = sum(1 for r in results.values() if "error" in r)
    for lineno, job_id in jobs.items():
        job = service.jobs.get(job_id)
        if job.state == "done":
            results[lineno] = service.store.latest_report(job.submission_id, job.revision)
        else:
            bad += 1
            results[lineno] = {"line": lineno, "error": "job_failed", "message": job.error, "field": None}
            print(f"prescreen: line {lineno}: the screening failed ({job.error})", file=sys.stderr)
    with open(args.out, "w", encoding="utf-8") as out:
        for lineno in sorted(results):
            out.write(json.dumps(results[lineno], ensure_ascii=False) + "\n")
    if bad:
        print(f"prescreen: {bad} of {len(lines)} lines were not screened (see above)", file=sys.stderr)
        return 2
    return 0
