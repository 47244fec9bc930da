"""initial schema: submissions, revisions, files, reports, findings, decisions, keys, audit

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(64), nullable=False, unique=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("latest_revision", sa.Integer, nullable=False),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("priority_score", sa.Float, nullable=False),
        sa.Column("p_reject", sa.Float, nullable=True),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_submissions_queue", "submissions", ["open", "priority_score"])
    op.create_table(
        "revisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("submission_pk", BigId, sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("form", JSONType, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("submission_pk", "revision", name="uq_revision"),
    )
    op.create_index("ix_revisions_submission_pk", "revisions", ["submission_pk"])
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "revision_files",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("revision_id", BigId, sa.ForeignKey("revisions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    )
    op.create_index("ix_revision_files_revision_id", "revision_files", ["revision_id"])
    op.create_index("ix_revision_files_sha256", "revision_files", ["sha256"])
    op.create_table(
        "reports",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("revision_id", BigId, sa.ForeignKey("revisions.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority_score", sa.Float, nullable=False),
        sa.Column("report", JSONType, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("report_id", BigId, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.String(48), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("field", sa.String(255), nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("source", sa.String(96), nullable=False),
    )
    op.create_index("ix_findings_report_id", "findings", ["report_id"])
    op.create_index("ix_findings_code", "findings", ["code"])
    op.create_table(
        "decisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("submission_pk", BigId, sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision_id", BigId, sa.ForeignKey("revisions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason_codes", JSONType, nullable=False),
        sa.Column("feedback", JSONType, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("supersedes_id", BigId, sa.ForeignKey("decisions.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_decisions_submission_pk", "decisions", ["submission_pk"])
    op.create_index("ix_decisions_revision_id", "decisions", ["revision_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_table(
        "verified_codes",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("verified_by", sa.String(128), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=True),
        sa.Column("detail", JSONType, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in ("audit_log", "verified_codes", "api_keys", "decisions", "findings", "reports",
                  "revision_files", "blobs", "revisions", "submissions"):
        op.drop_table(table)
