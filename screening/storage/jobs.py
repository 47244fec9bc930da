"""The job queue: a table in the service's own database, claimed with row locks.

Why not Celery, Dramatiq or procrastinate: the jobs are few and slow (an OCR run of seconds),
the database is already the one truth every process and host shares, and a queue in it needs
no broker to start, back up or lose: enqueueing commits with the same guarantees as a report.
On PostgreSQL a worker claims with ``SELECT … FOR UPDATE SKIP LOCKED`` (workers never wait on
each other); on SQLite, whose single writer serialises the claims, a conditional UPDATE decides.

A claimed job holds a lease that its worker renews; a worker killed mid-job stops renewing, and
the job is claimed again once the lease runs out. Running a job twice is harmless: the
screening records one revision per form and files, and the second run returns the first's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound
from .db import session_factory
from .tables import JobRow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
LIVE = (QUEUED, RUNNING)
# a job that failed this often (its worker died each time, or the screening kept raising) stops
MAX_ATTEMPTS = 3


@dataclass
class Job:
    id: int
    submission_id: str
    content_hash: str
    state: str
    submission_json: str
    files: dict[str, str]  # name -> sha256 of its blob
    actor: str
    attempts: int
    worker: str | None
    revision: int | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    def to_dict(self) -> dict:
        return {"job_id": self.id, "submission_id": self.submission_id, "state": self.state,
                "attempts": self.attempts, "revision": self.revision, "error": self.error,
                "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
                "finished_at": _iso(self.finished_at)}


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat()


def _job(row: JobRow) -> Job:
    return Job(id=row.id, submission_id=row.submission_id, content_hash=row.content_hash, state=row.state,
               submission_json=row.submission_json, files=dict(row.files), actor=row.actor,
               attempts=row.attempts, worker=row.worker, revision=row.revision, error=row.error,
               created_at=row.created_at, started_at=row.started_at, finished_at=row.finished_at)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class JobQueue:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.Session = session_factory(engine)
        self._skip_locked = engine.dialect.name == "postgresql"

    def enqueue(self, *, submission_id: str, content_hash: str, submission_json: str, files: dict[str, str],
                actor: str) -> tuple[Job, bool]:
        """The live job for this form and files, or a new one. Returns (job, created)."""
        for _ in range(3):
            live = self._live(submission_id, content_hash)
            if live is not None:
                return live, False
            try:
                with self.Session.begin() as s:
                    row = JobRow(submission_id=submission_id, content_hash=content_hash, state=QUEUED,
                                 submission_json=submission_json, files=files, actor=actor, attempts=0,
                                 created_at=_now())
                    s.add(row)
                    s.flush()
                    return _job(row), True
            except IntegrityError:  # an identical resend enqueued it a moment ago: join that one
                continue
        live = self._live(submission_id, content_hash)
        if live is None:  # it finished between our tries: a resend now finds its report stored
            raise Conflict("the same submission was screened meanwhile; send it again for its report",
                           field="submission_id")
        return live, False

    def _live(self, submission_id: str, content_hash: str) -> Job | None:
        with self.Session() as s:
            row = s.execute(select(JobRow).where(JobRow.submission_id == submission_id,
                                                 JobRow.content_hash == content_hash,
                                                 JobRow.state.in_(LIVE))).scalar_one_or_none()
            return _job(row) if row else None

    def get(self, job_id: int) -> Job:
        with self.Session() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                raise NotFound(f"no job {job_id}", field="job_id")
            return _job(row)

    def claim(self, worker: str, *, lease_s: float, job_id: int | None = None) -> Job | None:
        """Take the oldest claimable job (or ``job_id`` if it is claimable): queued, or running
        under a lease that ran out. None when there is nothing to do."""
        now = _now()
        claimable = or_(JobRow.state == QUEUED, and_(JobRow.state == RUNNING, JobRow.lease_until < now))
        with self.Session.begin() as s:
            query = select(JobRow.id).where(claimable)
            if job_id is not None:
                query = query.where(JobRow.id == job_id)
            query = query.order_by(JobRow.id).limit(1)
            if self._skip_locked:
                query = query.with_for_update(skip_locked=True)
            found = s.execute(query).scalar_one_or_none()
            if found is None:
                return None
            # the condition again: on SQLite another process may have claimed it since the SELECT
            done = s.execute(update(JobRow).where(JobRow.id == found, claimable).values(
                state=RUNNING, worker=worker, lease_until=now + timedelta(seconds=lease_s),
                attempts=JobRow.attempts + 1, started_at=now, error=None))
            if done.rowcount != 1:
                return None
            return _job(s.get(JobRow, found))

    def renew(self, job_id: int, worker: str, *, lease_s: float) -> bool:
        """Extend the lease; False when the job is no longer this worker's (it was re-claimed)."""
        with self.Session.begin() as s:
            done = s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.worker == worker,
                                                  JobRow.state == RUNNING)
                             .values(lease_until=_now() + timedelta(seconds=lease_s)))
            return done.rowcount == 1

    def finish(self, job_id: int, worker: str, *, revision: int) -> None:
        with self.Session.begin() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == RUNNING, JobRow.worker == worker)
                      .values(state=DONE, revision=revision, finished_at=_now(), lease_until=None))

    def fail(self, job_id: int, worker: str, *, error: str, retry: bool) -> str:
        """Record a failure: back to the queue while attempts remain and ``retry``, else failed."""
        with self.Session.begin() as s:
            row = s.get(JobRow, job_id)
            if row is None or row.state != RUNNING or row.worker != worker:
                return row.state if row else FAILED
            state = QUEUED if retry and row.attempts < MAX_ATTEMPTS else FAILED
            row.state, row.error, row.lease_until = state, error[:2000], None
            if state == FAILED:
                row.finished_at = _now()
            return state

    def counts(self) -> dict[str, int]:
        with self.Session() as s:
            rows = s.execute(select(JobRow.state, func.count()).group_by(JobRow.state)).all()
        return {state: n for state, n in rows}

    def recent(self, limit: int = 100) -> list[Job]:
        """The newest jobs, newest first."""
        with self.Session() as s:
            return [_job(r) for r in s.execute(select(JobRow).order_by(JobRow.id.desc()).limit(limit)).scalars()]

    def unfinished(self, job_ids: list[int]) -> list[int]:
        if not job_ids:
            return []
        with self.Session() as s:
            return list(s.execute(select(JobRow.id).where(JobRow.id.in_(job_ids), JobRow.state.in_(LIVE))).scalars())
