"""The patent register snapshot in the database (migration ``0004_patent_register``).

One snapshot at a time: an import replaces every row in one transaction (a failure leaves the
previous snapshot whole) and records when, from where and by whom in ``patent_register_imports``.
The screening reads it through ``PatentRegisterStore.lookup`` and ``snapshot`` (the pipeline's
``Resources.patent_register``). Works on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Engine, Integer, String, Text, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from ..register import RegisterPatent
from .db import session_factory
from .tables import AuditRow, Base, BigId, utcnow

_CHUNK = 5_000


class PatentRegisterRow(Base):
    __tablename__ = "patent_register"
    number: Mapped[str] = mapped_column(String(16), primary_key=True)  # normalised: 201710601862.3
    status: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    type: Mapped[str | None] = mapped_column(String(16), nullable=True)


class PatentRegisterImportRow(Base):
    __tablename__ = "patent_register_imports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rows: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(255), nullable=True)
    actor: Mapped[str] = mapped_column(String(128))


class PatentRegisterStore:
    def __init__(self, engine: Engine) -> None:
        self.Session = session_factory(engine)

    def replace(self, patents: list[RegisterPatent], *, source: str | None, actor: str) -> dict:
        """The new snapshot, all or nothing."""
        now = datetime.now(timezone.utc)
        with self.Session.begin() as s:
            s.execute(delete(PatentRegisterRow))
            rows = [{"number": p.number, "status": p.status, "holder": p.holder, "title": p.title, "type": p.type}
                    for p in patents]
            for i in range(0, len(rows), _CHUNK):
                s.execute(insert(PatentRegisterRow), rows[i:i + _CHUNK])
            s.add(PatentRegisterImportRow(imported_at=now, rows=len(rows), source=source, actor=actor))
            s.add(AuditRow(at=now, actor=actor, action="register.patents.imported", subject=source,
                           detail={"rows": len(rows)}))
        return {"rows": len(patents), "imported_at": now.isoformat(), "source": source}

    def snapshot(self) -> dict | None:
        """The snapshot in use (when, how many rows, from where), or None before the first import."""
        with self.Session() as s:
            row = s.scalars(select(PatentRegisterImportRow).order_by(PatentRegisterImportRow.id.desc()).limit(1)).first()
            if row is None:
                return None
            return {"imported_at": row.imported_at.isoformat(), "rows": row.rows, "source": row.source}

    def lookup(self, numbers: list[str]) -> dict[str, RegisterPatent]:
        """The register's entries for these normalised numbers (absent ones are left out)."""
        if not numbers:
            return {}
        with self.Session() as s:
            rows = s.scalars(select(PatentRegisterRow).where(PatentRegisterRow.number.in_(sorted(set(numbers))))).all()
            return {r.number: RegisterPatent(r.number, r.status, r.holder, r.title, r.type) for r in rows}
