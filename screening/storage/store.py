# Over 400 lines: every read and write the service makes to its database, one transaction per method, in one place.
"""The repository: every read and write prescreen makes to its database.

Each public method is one transaction. A screening is recorded in one transaction
(revision, file references, report, findings, audit entry) after its blobs are on disk, so a
failure leaves nothing half-written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, and_, case, delete, exists, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from ..contract import Decision, Report, Submission, to_jsonable
from ..errors import Conflict, InvalidInput, NotFound
from ..priority import PRESSURE_WEIGHT, P_WEIGHT, STAGES_WITH_TARGETS, pressure_counts, pressure_steps, score_today
from ..uploads import UploadedFile, content_hash
from . import queue_order
from .blobs import BlobStore
from .db import session_factory
from .tables import (
    ApiKeyRow,
    AuditRow,
    BlobRow,
    DecisionRow,
    FindingRow,
    OnceMarkerRow,
    ReportRow,
    RevisionFileRow,
    RevisionRow,
    SubmissionRow,
    VerifiedCodeRow,
    aware,
)

KEY_PREFIX = "psk_"


@dataclass
class StoredRevision:
    id: int
    submission_id: str
    revision: int
    form: dict
    files: list[dict]  # {"name", "kind", "sha256"}
    created_at: datetime
    seq: int | None = None  # its place in commit order (``revisions_since``)


# what a key may do: the pipeline screens and reads; reviewers' actions need a scope of their own
SCOPES = ("screen", "read", "decisions", "verified_codes")
PIPELINE_SCOPES = ("screen", "read")


@dataclass
class ApiKey:
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    scopes: tuple[str, ...] = PIPELINE_SCOPES
    expires_at: datetime | None = None


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(row.id, row.name, row.prefix, aware(row.created_at), aware(row.revoked_at) if row.revoked_at else None,
                  tuple((row.scopes or "").split()), aware(row.expires_at) if row.expires_at else None)


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


class Store:
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

    # ---------------------------------------------------------------- decisions
    def record_decision(self, submission_id: str, decision: Decision, *, actor: str, client: str | None = None) -> dict:
        with self.Session.begin() as s:
            return self._record_decision(s, submission_id, decision, actor, None, client)

    def record_decisions(self, items: Sequence[tuple[str, Decision, str]], *, actor: str) -> tuple[int, int]:
        """(submission_id, decision, content hash) in one transaction: all are stored or none.
        A decision whose hash is already stored is skipped (re-importing a file is idempotent).
        An error carries ``index`` (the item's position) so the caller can name its line.
        Returns (stored, skipped)."""
        stored = skipped = 0
        with self.Session.begin() as s:
            seen: set[str] = set()
            for index, (submission_id, decision, content_hash) in enumerate(items):
                if content_hash in seen or s.execute(select(DecisionRow.id).where(
                        DecisionRow.content_hash == content_hash)).first() is not None:
                    skipped += 1
                    continue
                seen.add(content_hash)
                try:
                    self._record_decision(s, submission_id, decision, actor, content_hash, None)
                except (InvalidInput, NotFound) as exc:
                    exc.index = index
                    raise
                stored += 1
        return stored, skipped

    def _record_decision(self, s, submission_id: str, decision: Decision, actor: str,
                         content_hash: str | None, client: str | None) -> dict:
        now = _now()
        sub = s.execute(
            select(SubmissionRow).where(SubmissionRow.submission_id == submission_id).with_for_update()
        ).scalar_one_or_none()
        if sub is None:
            raise NotFound(f"no submission {submission_id!r}", field="submission_id")
        number = decision.revision if decision.revision is not None else sub.latest_revision
        rev = s.execute(select(RevisionRow).where(RevisionRow.submission_pk == sub.id,
                                                  RevisionRow.revision == number)).scalar_one_or_none()
        if rev is None:
            raise NotFound(f"{submission_id!r} has no revision {number}", field="revision")
        report = s.execute(select(ReportRow.report).where(ReportRow.revision_id == rev.id)).scalar_one()
        feedback = _resolve_feedback(decision, report.get("findings", []))
        previous = s.execute(
            select(DecisionRow.id).where(DecisionRow.revision_id == rev.id).order_by(DecisionRow.id.desc()).limit(1)
        ).scalar_one_or_none()
        row = DecisionRow(submission_pk=sub.id, revision_id=rev.id, decision=decision.decision,
                          reason_codes=list(decision.reason_codes), feedback=feedback, comment=decision.comment,
                          reviewer=decision.reviewer or actor, supersedes_id=previous, created_at=now,
                          content_hash=content_hash)
        s.add(row)
        s.flush()
        if number == sub.latest_revision:
            sub.open = False  # decided; a new revision from the filer reopens it
            sub.updated_at = now
        s.add(AuditRow(at=now, actor=actor, action="decision.recorded", subject=submission_id,
                       detail={"decision_id": row.id, "revision": number, "decision": decision.decision,
                               "supersedes": previous}, client=client))
        return _decision_dict(row, submission_id, number)

    def decisions(self, submission_id: str | None = None, *, since_id: int = 0, limit: int = 100_000) -> list[dict]:
        with self.Session() as s:
            q = (select(DecisionRow, SubmissionRow.submission_id, RevisionRow.revision)
                 .join(SubmissionRow, DecisionRow.submission_pk == SubmissionRow.id)
                 .join(RevisionRow, DecisionRow.revision_id == RevisionRow.id)
                 .where(DecisionRow.id > since_id).order_by(DecisionRow.id).limit(limit))
            if submission_id is not None:
                q = q.where(SubmissionRow.submission_id == submission_id)
            return [_decision_dict(d, sid, rev) for d, sid, rev in s.execute(q).all()]

    # ---------------------------------------------------------------- the queue
    def queue(self, *, stage: str | None = None, code: str | None = None, min_age_days: float | None = None,
              max_age_days: float | None = None, limit: int = 50, offset: int = 0,
              now: datetime | None = None) -> tuple[int, list[dict]]:
        total, items, _ = self.queue_page(stage=stage, code=code, min_age_days=min_age_days,
                                          max_age_days=max_age_days, limit=limit, offset=offset, now=now)
        return total, items

    def queue_page(self, *, stage: str | None = None, code: str | None = None, min_age_days: float | None = None,
                   max_age_days: float | None = None, limit: int = 50, offset: int = 0, cursor: str | None = None,
                   now: datetime | None = None) -> tuple[int, list[dict], str | None]:
        """(total, items, the cursor of the next page or None). With ``cursor`` the page starts
        after the item it names (keyset: the database seeks, it skips nothing); the cursor
        carries the time its first page was ordered at, so the order holds across pages."""
        after = _read_cursor(cursor) if cursor else None
        if after is not None:
            now = after["now"]
        now = (now or _now()).astimezone(timezone.utc)  # bound values too: SQLite compares wall times
        score = _score_today_sql(now)
        conds = [SubmissionRow.open.is_(True)]
        if stage:
            conds.append(SubmissionRow.stage == stage)
        if min_age_days is not None:
            conds.append(SubmissionRow.submitted_at <= now - _days(min_age_days))
        if max_age_days is not None:
            conds.append(SubmissionRow.submitted_at >= now - _days(max_age_days))
        if code:
            conds.append(exists(
                select(FindingRow.id)
                .join(ReportRow, FindingRow.report_id == ReportRow.id)
                .join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                .where(RevisionRow.submission_pk == SubmissionRow.id,
                       RevisionRow.revision == SubmissionRow.latest_revision,
                       FindingRow.code == code)
            ))
        with self.Session() as s:
            total = s.execute(select(func.count()).select_from(SubmissionRow).where(and_(*conds))).scalar_one()
            latest = (select(SubmissionRow, ReportRow.report)
                      .join(RevisionRow, and_(RevisionRow.submission_pk == SubmissionRow.id,
                                              RevisionRow.revision == SubmissionRow.latest_revision))
                      .join(ReportRow, ReportRow.revision_id == RevisionRow.id))
            if offset and after is None:  # a page by number: the one ordered query, skipping rows
                q = (latest.add_columns(score.label("score_now")).where(and_(*conds))
                     .order_by(score.desc(), SubmissionRow.submitted_at, SubmissionRow.id).limit(limit).offset(offset))
                rows = s.execute(q).all()
            else:  # the first page, or the one after a cursor: merged from index seeks (queue_order.py)
                page = queue_order.page_rows(s, conds, now, limit, after, stage=stage)
                got = {sub.id: (sub, report) for sub, report in
                       s.execute(latest.where(SubmissionRow.id.in_([pk for pk, _ in page]))).all()}
                rows = [(*got[pk], score_now) for pk, score_now in page if pk in got]
        nxt = None
        if len(rows) == limit:
            last, _, last_score = rows[-1]
            nxt = _write_cursor(now, last_score, aware(last.submitted_at), last.id)
        items = []
        for sub, report, _ in rows:
            findings = report.get("findings", [])
            submitted = aware(sub.submitted_at)
            items.append({
                "submission_id": sub.submission_id, "stage": sub.stage, "revision": sub.latest_revision,
                "priority": _priority_today(report.get("priority", {}), sub, now),
                "submitted_at": submitted.isoformat(),
                "age_days": round((now - submitted).total_seconds() / 86400, 2),
                "codes": sorted({f["code"] for f in findings if f.get("severity") != "info"}),
                "status": report.get("status"),
            })
        return total, items, nxt

    def names(self, submission_ids: list[str]) -> dict[str, dict[str, str]]:
        """{id: {"entity": 单位名称, "product": 产品名称}} from each submission's latest revision, in one
        query: the queue shows who filed what beside the ids."""
        if not submission_ids:
            return {}
        form = RevisionRow.form
        with self.Session() as s:
            rows = s.execute(  # the two names only, extracted in the database: not 50 whole forms
                select(SubmissionRow.submission_id, form[("entity", "name")].as_string(),
                       form[("product", "name")].as_string())
                .join(RevisionRow, and_(RevisionRow.submission_pk == SubmissionRow.id,
                                        RevisionRow.revision == SubmissionRow.latest_revision))
                .where(SubmissionRow.submission_id.in_(list(submission_ids)))
            ).all()
        return {sid: {"entity": entity or "", "product": product or ""} for sid, entity, product in rows}

    def counts(self) -> dict[str, int]:
        with self.Session() as s:
            rows = s.execute(select(SubmissionRow.stage, SubmissionRow.open, func.count())
                             .group_by(SubmissionRow.stage, SubmissionRow.open)).all()
        out: dict[str, int] = {"open": 0, "decided": 0}
        for stage, is_open, n in rows:
            out["open" if is_open else "decided"] += n
            if is_open:
                out[f"open_{stage}"] = out.get(f"open_{stage}", 0) + n
        return out

    # ---------------------------------------------------------------- API keys
    def create_api_key(self, name: str, *, actor: str, scopes: Sequence[str] = PIPELINE_SCOPES,
                       expires_at: datetime | None = None) -> str:
        """A new key; only its SHA-256 is stored (keys are 256-bit random, so no KDF is needed)."""
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.Session.begin() as s:
            self._add_key(s, token, name, scopes, expires_at, actor)
        return token

    def create_bootstrap_key(self, *, actor: str) -> str | None:
        """The first start's key, made once per database however many processes start together:
        the marker's primary key lets one of them win; the others get None."""
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.Session.begin() as s:
                s.add(OnceMarkerRow(name="bootstrap_api_key", at=_now()))
                s.flush()  # the losing process stops here, before it adds a key
                if s.execute(select(func.count()).select_from(ApiKeyRow)).scalar_one():
                    return None  # keys were made by hand before this database's first serve
                self._add_key(s, token, "bootstrap", PIPELINE_SCOPES, None, actor)
        except IntegrityError:
            return None
        return token

    def _add_key(self, s, token: str, name: str, scopes: Sequence[str], expires_at: datetime | None,
                 actor: str) -> None:
        unknown = [x for x in scopes if x not in SCOPES]
        if unknown or not scopes:
            raise InvalidInput(f"scopes are some of {', '.join(SCOPES)}", field="scopes")
        if expires_at is not None and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        ordered = " ".join(x for x in SCOPES if x in scopes)
        s.add(ApiKeyRow(name=name, prefix=token[:12], key_hash=_sha(token), created_at=_now(), scopes=ordered,
                        expires_at=expires_at))
        s.add(AuditRow(at=_now(), actor=actor, action="api_key.created", subject=name,
                       detail={"prefix": token[:12], "scopes": ordered,
                               "expires_at": expires_at.isoformat() if expires_at else None}))

    def verify_api_key(self, token: str, *, now: datetime | None = None) -> ApiKey | None:
        """The key, when it is known, not revoked and not expired."""
        if not token.startswith(KEY_PREFIX) or len(token) > 100:
            return None
        with self.Session() as s:
            row = s.execute(select(ApiKeyRow).where(ApiKeyRow.key_hash == _sha(token))).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        key = _key(row)
        if key.expires_at is not None and key.expires_at <= (now or _now()):
            return None
        return key

    def list_api_keys(self) -> list[ApiKey]:
        with self.Session() as s:
            rows = s.execute(select(ApiKeyRow).order_by(ApiKeyRow.id)).scalars().all()
        return [_key(r) for r in rows]

    def revoke_api_key(self, prefix: str, *, actor: str) -> int:
        with self.Session.begin() as s:
            n = s.execute(update(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.revoked_at.is_(None))
                          .values(revoked_at=_now())).rowcount
            if not n:
                raise NotFound(f"no active key with prefix {prefix!r}", field="prefix")
            s.add(AuditRow(at=_now(), actor=actor, action="api_key.revoked", subject=prefix, detail={}))
        return n

    # ---------------------------------------------------------------- verified codes
    def mark_code_verified(self, uscc: str, *, actor: str, note: str | None = None, client: str | None = None) -> None:
        uscc = uscc.strip().upper()
        if len(uscc) != 18:
            raise InvalidInput("a USCC has 18 characters", field="uscc")
        with self.Session.begin() as s:
            if s.get(VerifiedCodeRow, uscc) is None:
                s.add(VerifiedCodeRow(uscc=uscc, verified_by=actor, note=note, created_at=_now()))
            s.add(AuditRow(at=_now(), actor=actor, action="uscc.verified", subject=uscc, detail={"note": note},
                           client=client))

    def is_code_verified(self, uscc: str) -> bool:
        with self.Session() as s:
            return s.get(VerifiedCodeRow, uscc.strip().upper()) is not None

    # ---------------------------------------------------------------- audit
    def audit(self, actor: str, action: str, subject: str | None = None, detail: dict | None = None, *,
              client: str | None = None) -> None:
        with self.Session.begin() as s:
            s.add(AuditRow(at=_now(), actor=actor, action=action, subject=subject, detail=detail or {},
                           client=client))

    def audit_log(self, subject: str | None = None, limit: int = 100, *, before_id: int | None = None,
                  action: str | None = None, actor: str | None = None) -> list[dict]:
        """Newest first; ``before_id`` pages on by id (keyset: no OFFSET)."""
        with self.Session() as s:
            q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if subject is not None:
                q = q.where(AuditRow.subject == subject)
            if before_id is not None:
                q = q.where(AuditRow.id < before_id)
            if action is not None:
                q = q.where(AuditRow.action == action)
            if actor is not None:
                q = q.where(AuditRow.actor == actor)
            return [{"id": r.id, "at": aware(r.at).isoformat(), "actor": r.actor, "action": r.action,
                     "subject": r.subject, "detail": r.detail, "client": r.client} for r in s.execute(q).scalars()]

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


def _resolve_feedback(decision: Decision, findings: Sequence[dict[str, Any]]) -> list[dict]:
    out = []
    for i, fb in enumerate(decision.feedback):
        if fb.finding is not None:
            if not 0 <= fb.finding < len(findings):
                raise InvalidInput(f"the report has {len(findings)} findings; no finding {fb.finding}",
                                   field=f"feedback[{i}].finding")
            position = fb.finding
        else:
            matches = [j for j, f in enumerate(findings)
                       if f["code"] == fb.code and (fb.field is None or f.get("field") == fb.field)]
            if not matches:
                raise InvalidInput(f"the report has no finding {fb.code}" + (f" on {fb.field}" if fb.field else ""),
                                   field=f"feedback[{i}].finding")
            if len(matches) > 1:
                raise InvalidInput(f"{fb.code} occurs {len(matches)} times; name it by 'field' or 'finding'",
                                   field=f"feedback[{i}]")
            position = matches[0]
        f = findings[position]
        out.append({"finding": position, "code": f["code"], "field": f.get("field"), "verdict": fb.verdict,
                    "source": f.get("source")})
    return out


def _decision_dict(row: DecisionRow, submission_id: str, revision: int) -> dict:
    return {"id": row.id, "submission_id": submission_id, "revision": revision, "decision": row.decision,
            "reason_codes": row.reason_codes, "feedback": row.feedback, "comment": row.comment,
            "reviewer": row.reviewer, "supersedes": row.supersedes_id,
            "created_at": aware(row.created_at).isoformat()}


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _score_today_sql(now: datetime):
    """``score_today`` as a SQL expression, for ordering the queue by the score as it stands now:
    the stored p_reject with today's time pressure (a submission screened on Monday has more
    pressure on Thursday), the pressure as ``pressure_steps`` (bounds in UTC: SQLite compares
    wall times); the stored score only where no p_reject was recorded."""
    steps = [(stage, since.astimezone(timezone.utc), value)
             for stage in STAGES_WITH_TARGETS for since, value in pressure_steps(stage, now)]
    pressure = case(*[(and_(SubmissionRow.stage == stage, SubmissionRow.submitted_at >= since), value)
                      for stage, since, value in steps], else_=1.0)
    return func.coalesce(100 * (P_WEIGHT * SubmissionRow.p_reject + PRESSURE_WEIGHT * pressure),
                         SubmissionRow.priority_score)


def _priority_today(stored: dict, sub: SubmissionRow, now: datetime) -> dict:
    """The stored priority with today's score (and TIME_PRESSURE among the reasons once it counts)."""
    if sub.p_reject is None:
        return stored
    score, pressure = score_today(sub.p_reject, sub.stage, aware(sub.submitted_at), now)
    out = {**stored, "score": score, "time_pressure": pressure}
    if "score" in stored:
        out["score_at_screening"] = stored["score"]
    reasons = [r for r in stored.get("reasons", []) if r != "TIME_PRESSURE"]
    if pressure_counts(pressure):
        reasons.append("TIME_PRESSURE")
    out["reasons"] = reasons
    return out


def _write_cursor(now: datetime, score: float, submitted_at: datetime, pk: int) -> str:
    body = json.dumps({"now": now.isoformat(), "s": score, "t": submitted_at.astimezone(timezone.utc).isoformat(),
                       "i": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> dict:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        out = {"now": datetime.fromisoformat(raw["now"]), "s": float(raw["s"]), "i": int(raw["i"]),
               "t": datetime.fromisoformat(raw["t"]).astimezone(timezone.utc)}
        if out["now"].tzinfo is None or not math.isfinite(out["s"]) or not 0 <= out["i"] < 2**62:
            raise ValueError("out of range")
        return out
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        raise InvalidInput("not a cursor this service gave out; start from the first page", field="cursor") from None


def _days(n: float) -> timedelta:
    return timedelta(days=n)
