"""jobs: screenings whose documents a job worker reads (OCR off the request path)

Revision ID: 0007
Revises: 0006

A queue table claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (and a conditional
UPDATE on SQLite, whose single writer makes the claim atomic). The partial unique index keeps
one live job per submission and content: a resend while the first is queued or running joins it.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LIVE = "state IN ('queued', 'running')"


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "jobs",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submission_json", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("worker", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_jobs_state_id", "jobs", ["state", "id"])
    op.create_index("uq_jobs_live", "jobs", ["submission_id", "content_hash"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index("uq_jobs_live", table_name="jobs")
    op.drop_index("ix_jobs_state_id", table_name="jobs")
    op.drop_table("jobs")
