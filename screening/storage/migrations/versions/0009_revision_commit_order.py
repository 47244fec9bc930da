"""revision commit order: a number given to each revision as its transaction commits

Revision ID: 0009
Revises: 0008

Row ids come from a sequence when a row is inserted, so with several writers a lower id can
commit after a higher one. ``commit_seq`` is assigned under the screening lock as the last
step before the commit (screening/storage/store.py), so it follows commit order exactly: what
the duplicate index and the concurrent-duplicates check read in order. Existing revisions
keep their id as their place (they were written one at a time under the lock), so an index
snapshot's watermark stays valid.
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("commit_seq", sa.BigInteger(), nullable=True))
    op.execute("UPDATE revisions SET commit_seq = id")
    op.create_index("ix_revisions_commit_seq", "revisions", ["commit_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_revisions_commit_seq", table_name="revisions")
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("commit_seq")
