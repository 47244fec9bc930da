"""decisions.content_hash: an imported decision line is stored once

Revision ID: 0006
Revises: 0005

``prescreen decisions import`` records the sha256 of each line's content; the unique index
makes a re-run of the same file store nothing twice. Decisions made through the API have no
hash (NULL, which a unique index allows many times on SQLite and PostgreSQL alike).
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_decisions_content_hash", ["content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("uq_decisions_content_hash", type_="unique")
        batch.drop_column("content_hash")
