"""The filed records an annual update or a revocation refers to, read from the store.

An annual update (or revocation) is a submission of its own; the product's earlier filing is
found either by the ``filed_submission_id`` the pipeline sends, or by the entity's USCC: every
product filing and annual update of that entity (the latest revision of each), with the
standing reviewer decision on it. Which of those is the same product is the check's question
(``screening.checks.filed_record``), not the store's.

The USCC is read from the stored form's JSON (``json_extract`` on SQLite, ``#>>`` on
PostgreSQL): one entity's filings are few, and the submissions table's stage filter keeps the
scan to product filings.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..contract import PRODUCT_STAGES
from .store import Store
from .tables import DecisionRow, RevisionFileRow, RevisionRow, SubmissionRow

MAX_CANDIDATES = 200


@dataclass
class FiledRecord:
    submission_id: str
    revision: int
    revision_id: int
    stage: str
    form: dict
    files: list[dict]  # {"name", "kind", "sha256"}
    decision: str | None  # the standing decision on that revision: approved / returned / rejected, or None

    def files_of(self, kind: str) -> list[dict]:
        return [f for f in self.files if f["kind"] == kind]


class FiledRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    def by_submission_id(self, submission_id: str, *, stages: tuple[str, ...] = PRODUCT_STAGES) -> FiledRecord | None:
        """The latest revision of ``submission_id`` whose stage is one of ``stages`` (None: no such record)."""
        with self.store.Session() as s:
            q = (select(RevisionRow, SubmissionRow.submission_id)
                 .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                 .where(SubmissionRow.submission_id == submission_id)
                 .order_by(RevisionRow.revision.desc()))
            for rev, sid in s.execute(q).all():
                if rev.form.get("stage") in stages:
                    return self._records(s, [(rev, sid)])[0]
        return None

    def of_entity(self, uscc: str, *, exclude_submission_id: str | None = None) -> list[FiledRecord]:
        """The entity's product filings and annual updates (latest revision of each), newest first."""
        with self.store.Session() as s:
            q = (select(RevisionRow, SubmissionRow.submission_id)
                 .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                 .where(RevisionRow.revision == SubmissionRow.latest_revision,
                        SubmissionRow.stage.in_(PRODUCT_STAGES),
                        RevisionRow.form[("entity", "uscc")].as_string() == uscc)
                 .order_by(RevisionRow.id.desc())
                 .limit(MAX_CANDIDATES))
            if exclude_submission_id is not None:
                q = q.where(SubmissionRow.submission_id != exclude_submission_id)
            return self._records(s, s.execute(q).all())

    @staticmethod
    def _records(s, rows) -> list[FiledRecord]:
        ids = [rev.id for rev, _ in rows]
        if not ids:
            return []
        files: dict[int, list[dict]] = {i: [] for i in ids}
        for f in s.execute(select(RevisionFileRow).where(RevisionFileRow.revision_id.in_(ids))).scalars():
            files[f.revision_id].append({"name": f.name, "kind": f.kind, "sha256": f.sha256})
        decided: dict[int, str] = {}
        for rid, decision in s.execute(select(DecisionRow.revision_id, DecisionRow.decision)
                                       .where(DecisionRow.revision_id.in_(ids)).order_by(DecisionRow.id)):
            decided[rid] = decision  # append-only: the last one stands
        return [FiledRecord(submission_id=sid, revision=rev.revision, revision_id=rev.id,
                            stage=str(rev.form.get("stage")), form=rev.form, files=files[rev.id],
                            decision=decided.get(rev.id)) for rev, sid in rows]
