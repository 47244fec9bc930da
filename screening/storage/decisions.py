"""Reviewers' decisions: recorded one at a time or as an imported batch (all or none), read back
in id order (how the feedback and priority training read them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from ..contract import Decision
from ..errors import InvalidInput, NotFound
from .tables import AuditRow, DecisionRow, ReportRow, RevisionRow, SubmissionRow, aware, utcnow


class DecisionRecords:
    """The decisions part of ``Store`` (it brings ``Session``)."""

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
        now = utcnow()
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
