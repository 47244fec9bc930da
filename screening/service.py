"""Screening as the API and the CLI both do it: check the request, screen, record.

The HTTP routes and the ``prescreen screen`` command call the same ``ScreeningService``, so a
submission screened from the command line is recorded exactly like one sent over HTTP.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from .checks.documents import READ_KINDS
from .contract import Decision, Report, Submission
from .errors import InvalidInput, Unavailable
from .jobs import JobRunner, job_submission
from .pipeline import Pipeline, UploadedFile
from .storage import Store
from .storage.jobs import DONE, FAILED, Job, JobQueue
from .storage.store import Recorded
from .uploads import content_hash

log = logging.getLogger(__name__)

# An upload is bounded at the edge well above the largest per-kind limit (20 MB), so that an
# over-limit file still gets its FILE_TOO_LARGE finding instead of a bare 413.
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_FILES = 30


def check_files_match(submission: Submission, files: dict[str, UploadedFile]) -> None:
    """Every document names a file that was sent, and every file sent is named by a document."""
    if len(files) > MAX_FILES:
        raise InvalidInput(f"at most {MAX_FILES} files per submission", field="documents")
    named = {d.file for d in submission.documents}
    for i, doc in enumerate(submission.documents):
        if doc.file not in files:
            raise InvalidInput(f"document {doc.kind} names file {doc.file!r}, which was not sent",
                               field=f"documents[{i}].file")
    for name in files:
        if name not in named:
            raise InvalidInput(f"file {name!r} was sent but no document names it", field=name)


class _KeyedLocks:
    """One lock per key while anyone holds or waits for it (no table that only grows)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[object, list] = {}  # key -> [lock, holders and waiters]

    @contextmanager
    def hold(self, key: object):
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._guard:
                entry[1] -= 1
                if not entry[1]:
                    del self._locks[key]


@dataclass
class Outcome:
    """What a screening request gets: the report (complete, or ``pending`` with the job that
    finishes it), and whether a new revision was recorded for it."""

    report: dict
    new: bool
    job: Job | None = None


class ScreeningService:
    def __init__(self, pipeline: Pipeline, store: Store, on_recorded: list[Callable[[], None]] | None = None) -> None:
        self.pipeline = pipeline
        self.store = store
        self.jobs = JobQueue(store.engine)
        self.runner: JobRunner | None = None  # this process's job workers, once started
        self._in_flight = _KeyedLocks()
        # called after each new revision is committed (e.g. to let the duplicate index catch up)
        self.on_recorded = on_recorded or []

    # ---------------------------------------------------------------- the job queue
    def make_runner(self, *, threads: int, lease_s: float = 30.0, poll_s: float = 0.5) -> JobRunner:
        self.runner = JobRunner(self.jobs, self._run_job, self.store.blobs, threads=threads, lease_s=lease_s,
                                poll_s=poll_s)
        return self.runner

    def _run_job(self, job: Job, files: dict[str, UploadedFile]) -> int:
        report, _ = self.screen(job_submission(job), files, actor=job.actor)
        return report["revision"]

    def reads_documents(self, submission: Submission) -> bool:
        """Whether screening it runs OCR (the slow part that job workers take off the request)."""
        return self.pipeline.resources.ocr is not None and any(d.kind in READ_KINDS for d in submission.documents)

    def enqueue(self, submission: Submission, files: dict[str, UploadedFile], submission_json: str | bytes, *,
                actor: str) -> Outcome:
        """Accept for a job worker: stored (blobs, then the job) before the caller is answered.
        An unchanged resend gets its stored report and no job."""
        check_files_match(submission, files)
        digest = content_hash(submission, files)
        stored = self.store.unchanged_report(submission, files, digest)
        if stored is not None:
            return Outcome(stored, False)
        for f in files.values():  # blobs first: a job never points at a missing file
            self.store.blobs.put(f.data)
        text = submission_json.decode("utf-8") if isinstance(submission_json, bytes) else submission_json
        job, _ = self.jobs.enqueue(submission_id=submission.submission_id, content_hash=digest,
                                   submission_json=text, files={n: f.sha256 for n, f in files.items()}, actor=actor)
        if self.runner is not None:
            self.runner.wake()
        return Outcome({}, False, job=job)

    def screen_within(self, submission: Submission, files: dict[str, UploadedFile], submission_json: str | bytes, *,
                      actor: str, wait_s: float) -> Outcome:
        """The synchronous answer, bounded: documents are read by a job worker; when it has not
        finished within ``wait_s`` the answer is the rest of the report, ``pending`` for the
        documents, and the job goes on. Without documents to read, or in a process that runs no
        job queue (a service built without one, or an app whose lifespan never started), it
        screens here, as it always did. With ``PRESCREEN_JOB_THREADS=0`` the job waits for a
        ``prescreen worker`` elsewhere."""
        runner = self.runner
        queued_here = runner is not None and (runner.started or runner.threads == 0)
        if not self.reads_documents(submission) or not queued_here:
            report, new = self.screen(submission, files, actor=actor)
            return Outcome(report, new)
        queued = self.enqueue(submission, files, submission_json, actor=actor)
        if queued.job is None:
            return queued
        if runner.started:  # this process's workers take it first
            runner.expedite(queued.job.id)
        job = self.wait_for(queued.job.id, wait_s)
        if job.state == DONE:
            return Outcome(self.store.latest_report(job.submission_id, job.revision), True, job=job)
        if job.state == FAILED:
            raise Unavailable(f"the screening could not be completed ({job.error}); send it again")
        partial = self.pipeline.screen(submission, files, skip_parts=frozenset({"ocr"})).to_dict()
        partial.update(status="pending", pending=["documents"], job=job.to_dict())
        return Outcome(partial, False, job=job)

    def wait_for(self, job_id: int, wait_s: float) -> Job:
        deadline = time.monotonic() + wait_s
        pause = 0.02
        while True:
            job = self.jobs.get(job_id)
            if job.finished or time.monotonic() >= deadline:
                return job
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 1.5, 0.25)

    def screen(
        self, submission: Submission, files: dict[str, UploadedFile], *, actor: str, today: date | None = None
    ) -> tuple[dict, bool]:
        """Screen and record. Returns the report and whether it is new (False: an unchanged resend)."""
        check_files_match(submission, files)
        digest = content_hash(submission, files)
        # identical requests racing in this process wait for the first and get its report (one
        # OCR run); across processes the store's write-time check keeps it to one revision
        with self._in_flight.hold((submission.submission_id, digest)):
            stored = self.store.unchanged_report(submission, files, digest)
            if stored is not None:
                return stored, False
            watch = self._watches_duplicates(submission)
            # the duplicate search catches up to at least this before it looks
            seen = self.store.last_commit_seq() if watch else None
            report = self.pipeline.screen(submission, files, today=today)
            recorded = self._record(submission, files, report, digest, seen, actor=actor, today=today)
        if recorded.stored is not None:
            return recorded.stored, False
        report = recorded.report
        for hook in self.on_recorded:
            try:
                hook()
            except Exception:  # an index that fails to catch up rebuilds later; the record stands
                log.exception("post-record hook failed")
        log.info(
            "screened",
            extra={"submission_id": submission.submission_id, "revision": report.revision, "status": report.status,
                   "codes": sorted({f.code for f in report.findings}), "timings_ms": report.timings_ms},
        )
        return report.to_dict(), True

    def _watches_duplicates(self, submission: Submission) -> bool:
        return self.pipeline.resources.duplicates is not None and submission.stage in ("product", "annual_update")

    def _record(self, submission, files, report, digest, seen, *, actor, today) -> Recorded:
        """Record, looking again for duplicates among filings committed while this one was
        screened (two copies of one product sent together would otherwise both miss the other):
        once before writing, outside the store's lock, for most of them, and then under the
        lock for those committed while its rows were written."""
        def recheck(r):
            return self.pipeline.recheck(r, submission, files, part="duplicates", today=today)

        if seen is not None and (newest := self.store.last_commit_seq()) > seen:
            report, seen = recheck(report), newest
        return self.store.record_if_changed(submission, files, report, actor=actor, digest=digest,
                                            seen_revision_id=seen, recheck=recheck)

    def screen_only(self, submission: Submission, files: dict[str, UploadedFile], *, today: date | None = None) -> Report:
        """Screen without recording (dry runs, benchmarks)."""
        check_files_match(submission, files)
        return self.pipeline.screen(submission, files, today=today)

    def decide(self, submission_id: str, decision: Decision, *, actor: str, client: str | None = None) -> dict:
        return self.store.record_decision(submission_id, decision, actor=actor, client=client)
