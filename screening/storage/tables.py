"""The database tables (SQLAlchemy 2). Alembic migrations in ``migrations/`` create them.

The database is the source of truth: every revision of every submission, the files it
came with (by content hash), every report, every decision (append-only), API keys (hashed),
codes reviewers verified by hand, and an audit log.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite autoincrements only INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(dt: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite gives back naive ones for timezone-aware
    columns, and UTC is what is stored."""
    return dt if dt is None or dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class SubmissionRow(Base):
    """One submission (by the pipeline's ``submission_id``), pointing at its latest revision."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    stage: Mapped[str] = mapped_column(String(16))
    latest_revision: Mapped[int] = mapped_column(Integer)
    # denormalised from the latest revision and report, for the queue
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    priority_score: Mapped[float] = mapped_column(Float, default=0.0)
    p_reject: Mapped[float | None] = mapped_column(Float, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_submissions_queue", "open", "priority_score"),
                      # the queue's order within one stage and pressure step (queue_order.py, migration 0008)
                      Index("ix_submissions_queue_steps", "open", "stage", text("p_reject DESC"), "submitted_at", "id"))


class RevisionRow(Base):
    """One screened version of a submission's form. ``commit_seq`` numbers revisions in the order
    their transactions committed (``id`` is taken earlier, at the insert): indexes follow it."""

    __tablename__ = "revisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    form: Mapped[dict] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(64))  # form + file hashes
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    commit_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (UniqueConstraint("submission_pk", "revision", name="uq_revision"),
                      Index("ix_revisions_commit_seq", "commit_seq", unique=True))


class BlobRow(Base):
    """An uploaded file's content, stored once on disk under its SHA-256."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RevisionFileRow(Base):
    __tablename__ = "revision_files"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)


class ReportRow(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    priority_score: Mapped[float] = mapped_column(Float)
    report: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FindingRow(Base):
    """Findings flattened out of reports, for filtering the queue and for feedback statistics."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # index in report["findings"]
    code: Mapped[str] = mapped_column(String(48), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    field: Mapped[str | None] = mapped_column(String(255), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(96))


class DecisionRow(Base):
    """A reviewer's decision. Append-only: a later one supersedes, never overwrites."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("content_hash", name="uq_decisions_content_hash"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason_codes: Mapped[list] = mapped_column(JSONType)
    feedback: Mapped[list] = mapped_column(JSONType)  # [{"position", "code", "verdict"}]
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewer: Mapped[str] = mapped_column(String(128))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # sha256 of an imported line: a re-imported file stores nothing twice (NULL for the HTTP route)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    scopes: Mapped[str] = mapped_column(String(128), default="screen read")  # space-separated
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class VerifiedCodeRow(Base):
    """A USCC a reviewer checked against the registry by hand (real codes with a
    non-conforming check character exist); it is not flagged as invalid again."""

    __tablename__ = "verified_codes"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    verified_by: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(128), nullable=True)
    detail: Mapped[dict] = mapped_column(JSONType)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the caller's address, when known


class SignInAttemptRow(Base):
    """One sign-in attempt, written (and committed) before the password is checked: the count
    of recent attempts is what the lockout reads, in every process alike."""

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = (Index("ix_sign_in_attempts_username_at", "username", "at"),
                      Index("ix_sign_in_attempts_client_at", "client", "at"))


class OnceMarkerRow(Base):
    """Something done once per database; its primary key settles a race between processes."""

    __tablename__ = "once_markers"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobRow(Base):
    """A screening waiting for, or done by, a job worker (documents to read: OCR off the request).

    The submission's JSON is kept as it was received and its files as content hashes (the blobs
    are written before the job), so any worker on any host can run it, and run it again after a
    crash: the screening itself is idempotent (one revision per form and files)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    submission_json: Mapped[str] = mapped_column(Text)
    files: Mapped[dict] = mapped_column(JSONType)  # name -> sha256
    actor: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        # workers look for the oldest claimable job
        Index("ix_jobs_state_id", "state", "id"),
        # one live job per form and files: a resend while it is queued or running joins it
        Index("uq_jobs_live", "submission_id", "content_hash", unique=True,
              sqlite_where=text("state IN ('queued', 'running')"),
              postgresql_where=text("state IN ('queued', 'running')")),
    )
