"""The repository: every read and write prescreen makes to its database.

Each public method is one transaction. A screening is recorded in one transaction
(revision, file references, report, findings, audit entry) after its blobs are on disk, so a
failure leaves nothing half-written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from ..contract import Report, Submission, to_jsonable
from ..errors import Conflict, NotFound
from ..uploads import UploadedFile, content_hash
from .blobs import BlobStore
from .db import session_factory
from .decisions import DecisionRecords
from .keys import KeysAndAudit
from .queue_reads import QueueReads
from .tables import (
    AuditRow,
    BlobRow,
    FindingRow,
    OnceMarkerRow,
    ReportRow,
    RevisionFileRow,
    RevisionRow,
    SubmissionRow,
    aware,
)

@dataclass
class StoredRevision:
    id: int
    submission_id: str
    revision: int
    form: dict
    files: list[dict]  # {"name", "kind", "sha256"}
    created_at: datetime
    seq: int | None = None  # its place in commit order (``revisions_since``)


RECORD_ATTEMPTS = 8
SCREENING_LOCK = 72150002  # PostgreSQL advisory lock: recording screenings (72150001: migrations)


@dataclass
class Recorded:
    """What ``record_if_changed`` did: wrote ``revision`` (with ``report``, as stored), or found
    the identical latest revision (``stored``, its report; nothing written)."""

    revision: int | None = None
    report: Report | None = None
    stored: dict | None = None


def same_answer(a: Report, b: Report) -> bool:
    """Two reports that tell the reviewer the same (their timings aside)."""
    da, db = a.to_dict(), b.to_dict()
    da.pop("timings_ms", None), db.pop("timings_ms", None)
    return da == db


class _ReportRows:
    """A revision's report and its findings, as one transaction writes them; ``replace`` puts a
    re-checked report in their place before the commit."""

    def __init__(self, s, sub: SubmissionRow, rev: RevisionRow, revision_no: int, now: datetime) -> None:
        self.s, self.sub, self.rev, self.revision_no, self.now = s, sub, rev, revision_no, now
        self.row: ReportRow | None = None

    def add(self, report: Report) -> None:
        report.revision = self.revision_no
        self.row = ReportRow(revision_id=self.rev.id, status=report.status, priority_score=report.priority.score,
                             report=report.to_dict(), created_at=self.now)
        self.s.add(self.row)
        self.s.flush()
        self._findings(report)

    def replace(self, report: Report) -> None:
        report.revision = self.revision_no
        self.s.execute(delete(FindingRow).where(FindingRow.report_id == self.row.id))
        self.row.status, self.row.priority_score, self.row.report = \
            report.status, report.priority.score, report.to_dict()
        self._findings(report)

    def _findings(self, report: Report) -> None:
        self.s.add_all(
            FindingRow(report_id=self.row.id, position=i, code=f.code, severity=f.severity, field=f.field,
                       confidence=f.confidence, source=f.source[:96])
            for i, f in enumerate(report.findings)
        )
        self.sub.priority_score = report.priority.score
        self.sub.p_reject = report.priority.p_reject


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Store(DecisionRecords, QueueReads, KeysAndAudit):
    """Screenings here; decisions, the queue, keys and the audit log in the mixins' modules."""

    def __init__(self, engine: Engine, blobs: BlobStore) -> None:
        self.engine = engine
        self.blobs = blobs
        self.Session = session_factory(engine)

    # ---------------------------------------------------------------- screenings
    def unchanged_report(self, submission: Submission, files: dict[str, UploadedFile],
                         digest: str | None = None) -> dict | None:
        """The stored report when this exact form and files were screened last (an idempotent retry)."""
        digest = digest or content_hash(submission, files)
        with self.Session() as s:
            row = s.execute(
                select(ReportRow.report, RevisionRow.revision)
                .join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                .where(
                    SubmissionRow.submission_id == submission.submission_id,
                    RevisionRow.revision == SubmissionRow.latest_revision,
                    RevisionRow.content_hash == digest,
                )
            ).first()
        return row[0] if row else None

    def record_screening(
        self, submission: Submission, files: dict[str, UploadedFile], report: Report, *, actor: str,
        digest: str | None = None,
    ) -> int:
        """Store a new revision with its files and report; returns the revision number."""
        return self.record_if_changed(submission, files, report, actor=actor, digest=digest,
                                      check_unchanged=False).revision

    def record_if_changed(
        self, submission: Submission, files: dict[str, UploadedFile], report: Report, *, actor: str,
        digest: str | None = None, check_unchanged: bool = True, seen_revision_id: int | None = None,
        recheck: Callable[[Report], Report] | None = None,
    ) -> "Recorded":
        """Store a new revision, deciding at write time:

        - an identical latest revision (same form and files) is returned and nothing is written,
          however many identical requests raced here (``check_unchanged``; the submission's row
          lock);
        - with ``seen_revision_id`` (the commit place of the newest revision the caller's
          duplicate search had seen, ``last_commit_seq``) and ``recheck``: when revisions were
          committed since, the report is re-made by ``recheck`` under the lock every committer
          takes (nothing can commit meanwhile) and, if that changed it, stored changed."""
        kinds = {d.file: d.kind for d in submission.documents}
        for f in files.values():  # blobs first: a failed transaction leaves only unreferenced content
            self.blobs.put(f.data)
        digest = digest or content_hash(submission, files)
        submitted_at = submission.submitted_at or _now()
        if submitted_at.tzinfo is None:
            submitted_at = submitted_at.replace(tzinfo=timezone.utc)
        submitted_at = submitted_at.astimezone(timezone.utc)  # SQLite keeps no offset: store UTC
        # writers racing for the same submission: each round one of them takes the next revision
        # number and the others retry, so n concurrent writers need up to n attempts
        for attempt in range(RECORD_ATTEMPTS):
            try:
                return self._record(submission, files, report, kinds, digest, submitted_at, actor,
                                    check_unchanged, seen_revision_id, recheck)
            except IntegrityError:
                if attempt == RECORD_ATTEMPTS - 1:
                    raise Conflict("the submission changed while it was being recorded; send it again",
                                   field="submission_id") from None
                time.sleep(random.uniform(0.0, 0.005 * (attempt + 1)))  # de-synchronise the retries
        raise AssertionError("unreachable")

    def _write_lock(self, s) -> None:
        """One committer of screenings at a time, across processes: on PostgreSQL a
        transaction-scoped advisory lock; SQLite has one writer anyway (a marker row's update
        takes its lock now, if this transaction holds none yet)."""
        if s.bind.dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCREENING_LOCK})
        else:
            s.execute(update(OnceMarkerRow).where(OnceMarkerRow.name == "(screening lock)").values(at=OnceMarkerRow.at))

    def _commit_place(self, s, revision_id: int) -> int:
        """Under the lock, the revision's place in commit order (one statement): the next number
        after every committed revision's. Held until the commit, so places follow commits."""
        taken = select(func.coalesce(func.max(RevisionRow.commit_seq), 0) + 1).scalar_subquery()
        return s.execute(update(RevisionRow).where(RevisionRow.id == revision_id).values(commit_seq=taken)
                         .returning(RevisionRow.commit_seq)).scalar_one()

    def _record(self, submission, files, report, kinds, digest, submitted_at, actor, check_unchanged=False,
                seen_revision_id=None, recheck=None) -> "Recorded":
        """One transaction. On PostgreSQL the global lock is taken last, for what must be serial
        (the commit place, and the look at what committed since the caller's search), so
        concurrent screenings write their rows side by side and queue only to commit. A re-check
        that changes nothing (the usual case: the filings committed meanwhile are other
        products) leaves the rows as written."""
        now = _now()
        with self.Session.begin() as s:
            serial = s.bind.dialect.name != "postgresql"  # SQLite: one writer, whose lock is best taken first
            if serial:
                self._write_lock(s)  # else what is read next could change before the first write
            sub = s.execute(
                select(SubmissionRow).where(SubmissionRow.submission_id == submission.submission_id).with_for_update()
            ).scalar_one_or_none()
            if check_unchanged and sub is not None:
                stored = s.execute(
                    select(ReportRow.report).join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                    .where(RevisionRow.submission_pk == sub.id, RevisionRow.revision == sub.latest_revision,
                           RevisionRow.content_hash == digest)
                ).scalar_one_or_none()
                if stored is not None:
                    return Recorded(stored=stored)
            if sub is None:
                sub = SubmissionRow(
                    submission_id=submission.submission_id, stage=submission.stage, latest_revision=0,
                    open=True, priority_score=0.0, submitted_at=submitted_at, created_at=now, updated_at=now,
                )
                s.add(sub)
                s.flush()
            revision_no = sub.latest_revision + 1
            rev = RevisionRow(submission_pk=sub.id, revision=revision_no, form=to_jsonable(submission),
                              content_hash=digest, created_at=now)
            s.add(rev)
            s.flush()
            for name, f in files.items():
                if s.get(BlobRow, f.sha256) is None:
                    s.add(BlobRow(sha256=f.sha256, size=f.size, created_at=now))
                s.add(RevisionFileRow(revision_id=rev.id, name=name, kind=kinds.get(name, "unknown"), sha256=f.sha256))
            sub.stage = submission.stage
            sub.latest_revision = revision_no
            sub.open = True
            sub.submitted_at = submitted_at
            sub.updated_at = now
            written = _ReportRows(s, sub, rev, revision_no, now)
            written.add(report)
            s.flush()
            if not serial:
                self._write_lock(s)
            place = self._commit_place(s, rev.id)
            if seen_revision_id is not None and recheck is not None and place - 1 > seen_revision_id:
                rechecked = recheck(report)  # filings committed since the search: looked at under the lock
                if not same_answer(rechecked, report):
                    written.replace(rechecked)
                report = rechecked
            s.add(AuditRow(at=now, actor=actor, action="screening.recorded", subject=submission.submission_id,
                           detail={"revision": revision_no, "status": report.status,
                                   "codes": sorted({f.code for f in report.findings})}))
        return Recorded(revision=revision_no, report=report)

    def latest_report(self, submission_id: str, revision: int | None = None) -> dict:
        """The report of the latest revision, or of ``revision``."""
        wanted = SubmissionRow.latest_revision if revision is None else revision
        with self.Session() as s:
            row = s.execute(
                select(ReportRow.report)
                .join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                .where(SubmissionRow.submission_id == submission_id, RevisionRow.revision == wanted)
            ).first()
        if row is None:
            raise NotFound(f"no submission {submission_id!r}" if revision is None
                           else f"no revision {revision} of {submission_id!r}", field="submission_id")
        return row[0]

    def revisions(self, submission_id: str) -> list[dict]:
        """Every revision's number, time, status, priority and finding codes, oldest first."""
        with self.Session() as s:
            rows = s.execute(
                select(RevisionRow.revision, RevisionRow.created_at, ReportRow.status, ReportRow.priority_score,
                       ReportRow.report)
                .join(ReportRow, ReportRow.revision_id == RevisionRow.id)
                .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                .where(SubmissionRow.submission_id == submission_id)
                .order_by(RevisionRow.revision)
            ).all()
        if not rows:
            raise NotFound(f"no submission {submission_id!r}", field="submission_id")
        return [
            {"revision": r.revision, "screened_at": aware(r.created_at).isoformat(), "status": r.status,
             "priority_score": r.priority_score, "codes": [f["code"] for f in r.report.get("findings", [])]}
            for r in rows
        ]

    def revision(self, submission_id: str, revision: int | None = None) -> StoredRevision:
        with self.Session() as s:
            q = (select(RevisionRow, SubmissionRow.submission_id)
                 .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                 .where(SubmissionRow.submission_id == submission_id))
            q = q.where(RevisionRow.revision == (revision if revision is not None else SubmissionRow.latest_revision))
            row = s.execute(q).first()
            if row is None:
                raise NotFound(f"no revision {revision or 'latest'} of {submission_id!r}", field="revision")
            rev = row[0]
            files = s.execute(select(RevisionFileRow).where(RevisionFileRow.revision_id == rev.id)).scalars().all()
            return StoredRevision(id=rev.id, submission_id=submission_id, revision=rev.revision, form=rev.form,
                                  files=[{"name": f.name, "kind": f.kind, "sha256": f.sha256} for f in files],
                                  created_at=aware(rev.created_at))

    def revisions_since(self, last_seq: int, limit: int = 10_000) -> list[StoredRevision]:
        """Revisions committed after the one in place ``last_seq``, in commit order: how indexes
        catch up with the database (a revision's ``seq`` is given as it commits, so none is ever
        placed behind one already read).

        Columns, not ORM objects: every search runs this, and mapping whole rows cost more than
        the query (a third of a screening's database time, measured under load)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(RevisionRow.id, SubmissionRow.submission_id, RevisionRow.revision, RevisionRow.form,
                       RevisionRow.created_at, RevisionRow.commit_seq)
                .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                .where(RevisionRow.commit_seq > last_seq)
                .order_by(RevisionRow.commit_seq)
                .limit(limit)
            ).all()
            files: dict[int, list[dict]] = {r.id: [] for r in rows}
            if rows:
                for f in conn.execute(select(RevisionFileRow.revision_id, RevisionFileRow.name, RevisionFileRow.kind,
                                             RevisionFileRow.sha256).where(RevisionFileRow.revision_id.in_(list(files)))):
                    files[f.revision_id].append({"name": f.name, "kind": f.kind, "sha256": f.sha256})
        return [StoredRevision(id=r.id, submission_id=r.submission_id, revision=r.revision, form=r.form,
                               files=files[r.id], created_at=aware(r.created_at), seq=r.commit_seq) for r in rows]

    def last_commit_seq(self) -> int:
        """The place of the last committed revision (0: none)."""
        with self.Session() as s:
            return s.execute(select(func.coalesce(func.max(RevisionRow.commit_seq), 0))).scalar_one()

    def iter_reports(self, batch: int = 1000) -> Iterator[tuple[str, int, dict]]:
        """(submission_id, revision, report) of every stored report, oldest first."""
        last = 0
        while True:
            with self.Session() as s:
                rows = s.execute(
                    select(ReportRow.id, SubmissionRow.submission_id, RevisionRow.revision, ReportRow.report)
                    .join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                    .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                    .where(ReportRow.id > last).order_by(ReportRow.id).limit(batch)
                ).all()
            if not rows:
                return
            for r in rows:
                yield r.submission_id, r.revision, r.report
            last = rows[-1].id
