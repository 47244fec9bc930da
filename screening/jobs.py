"""Job workers: threads that take screenings off the queue (``storage.jobs``) and run them.

Every ``prescreen serve`` process runs a few (``PRESCREEN_JOB_THREADS``); ``prescreen worker``
runs them alone on another host against the same database. A request that waits for its own
job asks this process's workers to take it first (``expedite``), so a quiet service answers as
fast as it did when the request read the documents itself.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from .errors import InvalidInput, NotFound, PrescreenError, Unavailable
from .parsing import parse_submission_json
from .storage.jobs import FAILED, Job, JobQueue
from .uploads import UploadedFile

log = logging.getLogger(__name__)


def worker_name(thread: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{thread}"


class JobRunner:
    """``threads`` workers over one queue; ``screen(job)`` returns the recorded revision."""

    def __init__(self, queue: JobQueue, screen: Callable[[Job, dict[str, UploadedFile]], int], blobs, *,
                 threads: int = 2, lease_s: float = 30.0, poll_s: float = 0.5) -> None:
        self.queue = queue
        self._screen = screen
        self.blobs = blobs
        self.threads = threads
        self.lease_s = lease_s
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._asked: deque[int] = deque()  # jobs a waiting request of this process asked for
        self._running: dict[int, str] = {}  # job id -> worker, for the lease keeper
        self._guard = threading.Lock()
        self._threads: list[threading.Thread] = []

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, args=(worker_name(i),), name=f"prescreen-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        keeper = threading.Thread(target=self._keep_leases, name="prescreen-job-leases", daemon=True)
        keeper.start()
        self._threads.append(keeper)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the jobs in hand and stop; an unfinished one is re-run elsewhere after its lease."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads = []

    @property
    def started(self) -> bool:
        return bool(self._threads)

    def expedite(self, job_id: int) -> None:
        with self._wake:
            self._asked.append(job_id)
            self._wake.notify()

    def wake(self) -> None:
        with self._wake:
            self._wake.notify()

    # ---------------------------------------------------------------- work
    def _loop(self, worker: str) -> None:
        while not self._stop.is_set():
            try:
                did = self.run_one(worker)
            except Exception:  # the database away: wait and try again, never die
                log.exception("job worker could not reach the queue")
                did = False
            if not did:
                with self._wake:
                    if not self._asked and not self._stop.is_set():
                        self._wake.wait(self.poll_s)

    def run_one(self, worker: str, job_id: int | None = None) -> bool:
        """Claim one job (an asked-for one first) and run it. False when there was none."""
        job = None
        if job_id is None:
            while job is None:
                with self._wake:
                    asked = self._asked.popleft() if self._asked else None
                if asked is None:
                    break
                job = self.queue.claim(worker, lease_s=self.lease_s, job_id=asked)
        if job is None:
            job = self.queue.claim(worker, lease_s=self.lease_s, job_id=job_id)
        if job is None:
            return False
        self.run(job, worker)
        return True

    def run(self, job: Job, worker: str) -> None:
        with self._guard:
            self._running[job.id] = worker
        started = time.perf_counter()
        try:
            files = {name: UploadedFile(name=name, data=self.blobs.get(sha)) for name, sha in job.files.items()}
            revision = self._screen(job, files)
        except (InvalidInput, NotFound) as exc:  # the job itself is at fault: running it again cannot help
            state = self.queue.fail(job.id, worker, error=f"{exc.message} (field: {exc.field})", retry=False)
            log.warning("job failed", extra={"job_id": job.id, "state": state, "error": type(exc).__name__})
        except Exception as exc:
            reason = exc.message if isinstance(exc, PrescreenError) else type(exc).__name__
            state = self.queue.fail(job.id, worker, error=reason, retry=True)
            if isinstance(exc, Unavailable):
                log.warning("job deferred", extra={"job_id": job.id, "state": state, "error": reason})
            else:
                log.exception("job failed", extra={"job_id": job.id, "state": state})
            if state != FAILED:
                self._stop.wait(min(self.poll_s * 4, 2.0))  # let what was unavailable come back
        else:
            self.queue.finish(job.id, worker, revision=revision)
            log.info("job done", extra={"job_id": job.id, "attempt": job.attempts, "revision": revision,
                                        "ms": round((time.perf_counter() - started) * 1000, 1)})
        finally:
            with self._guard:
                self._running.pop(job.id, None)

    def drain(self, worker: str | None = None) -> int:
        """Run jobs in this thread until none is claimable; how many ran."""
        worker = worker or worker_name(0)
        n = 0
        while self.run_one(worker):
            n += 1
        return n

    def _keep_leases(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            with self._guard:
                held = list(self._running.items())
            for job_id, worker in held:
                try:
                    if not self.queue.renew(job_id, worker, lease_s=self.lease_s):
                        log.warning("job lease lost", extra={"job_id": job_id})
                except Exception:
                    log.exception("job lease could not be renewed")


def job_submission(job: Job):
    """The submission a job carries, parsed as it was when it was accepted."""
    return parse_submission_json(job.submission_json)
