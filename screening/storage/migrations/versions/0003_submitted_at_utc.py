"""submissions.submitted_at in UTC on SQLite

Revision ID: 0003
Revises: 0002

SQLite keeps no time zone: a submission made at 10:00+08:00 was stored as "10:00" and read
back as 10:00 UTC, eight hours late (ages, age filters and time pressure on the queue were
off by the offset). The store now converts to UTC before writing; this re-derives the column
from the latest revision's form, which keeps the filer's original timestamp. PostgreSQL
(timestamptz) was always right and is not touched.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc(text):
    try:
        dt = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None  # stored as given: already read as UTC
    return dt.astimezone(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    import json

    rows = bind.execute(sa.text(
        "SELECT s.id, r.form FROM submissions s JOIN revisions r "
        "ON r.submission_pk = s.id AND r.revision = s.latest_revision")).all()
    for sub_id, form in rows:
        form = json.loads(form) if isinstance(form, str) else form
        value = _utc((form or {}).get("submitted_at"))
        if value is not None:
            bind.execute(sa.text("UPDATE submissions SET submitted_at = :v WHERE id = :i"), {"v": value, "i": sub_id})


def downgrade() -> None:
    pass  # the UTC values are right; nothing to undo
