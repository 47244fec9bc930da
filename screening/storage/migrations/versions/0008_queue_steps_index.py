"""queue steps index: the reviewer queue read in today's order from an index

Revision ID: 0008
Revises: 0007

Inside one stage and one time-pressure step the queue's order is p_reject's, newest ties last
(screening/storage/queue_order.py): this index lets each step's first rows after a cursor be a
seek instead of scoring and sorting every open submission.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_submissions_queue_steps", "submissions",
                    ["open", "stage", sa.text("p_reject DESC"), "submitted_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_submissions_queue_steps", table_name="submissions")
