"""The reviewers' queue as ``Store`` reads it: open submissions ordered by today's score, a page
at a time (keyset cursors: no OFFSET at depth), with who filed what and the counts per stage.
The order itself is ``queue_order.py``'s."""

from __future__ import annotations

import base64
import json
import math
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, exists, func, select

from ..errors import InvalidInput
from ..priority import PRESSURE_WEIGHT, P_WEIGHT, STAGES_WITH_TARGETS, pressure_counts, pressure_steps, score_today
from . import queue_order
from .tables import FindingRow, ReportRow, RevisionRow, SubmissionRow, aware, utcnow


class QueueReads:
    """The queue part of ``Store`` (it brings ``Session``)."""

    def queue(self, *, stage: str | None = None, code: str | None = None, min_age_days: float | None = None,
              max_age_days: float | None = None, limit: int = 50, offset: int = 0,
              now: datetime | None = None) -> tuple[int, list[dict]]:
        total, items, _ = self.queue_page(stage=stage, code=code, min_age_days=min_age_days,
                                          max_age_days=max_age_days, limit=limit, offset=offset, now=now)
        return total, items

    def queue_page(self, *, stage: str | None = None, code: str | None = None, min_age_days: float | None = None,
                   max_age_days: float | None = None, limit: int = 50, offset: int = 0, cursor: str | None = None,
                   now: datetime | None = None) -> tuple[int, list[dict], str | None]:
        """(total, items, the cursor of the next page or None). With ``cursor`` the page starts
        after the item it names (keyset: the database seeks, it skips nothing); the cursor
        carries the time its first page was ordered at, so the order holds across pages."""
        after = _read_cursor(cursor) if cursor else None
        if after is not None:
            now = after["now"]
        now = (now or utcnow()).astimezone(timezone.utc)  # bound values too: SQLite compares wall times
        score = _score_today_sql(now)
        conds = [SubmissionRow.open.is_(True)]
        if stage:
            conds.append(SubmissionRow.stage == stage)
        if min_age_days is not None:
            conds.append(SubmissionRow.submitted_at <= now - _days(min_age_days))
        if max_age_days is not None:
            conds.append(SubmissionRow.submitted_at >= now - _days(max_age_days))
        if code:
            conds.append(exists(
                select(FindingRow.id)
                .join(ReportRow, FindingRow.report_id == ReportRow.id)
                .join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                .where(RevisionRow.submission_pk == SubmissionRow.id,
                       RevisionRow.revision == SubmissionRow.latest_revision,
                       FindingRow.code == code)
            ))
        with self.Session() as s:
            total = s.execute(select(func.count()).select_from(SubmissionRow).where(and_(*conds))).scalar_one()
            latest = (select(SubmissionRow, ReportRow.report)
                      .join(RevisionRow, and_(RevisionRow.submission_pk == SubmissionRow.id,
                                              RevisionRow.revision == SubmissionRow.latest_revision))
                      .join(ReportRow, ReportRow.revision_id == RevisionRow.id))
            if offset and after is None:  # a page by number: the one ordered query, skipping rows
                q = (latest.add_columns(score.label("score_now")).where(and_(*conds))
                     .order_by(score.desc(), SubmissionRow.submitted_at, SubmissionRow.id).limit(limit).offset(offset))
                rows = s.execute(q).all()
            else:  # the first page, or the one after a cursor: merged from index seeks (queue_order.py)
                page = queue_order.page_rows(s, conds, now, limit, after, stage=stage)
                got = {sub.id: (sub, report) for sub, report in
                       s.execute(latest.where(SubmissionRow.id.in_([pk for pk, _ in page]))).all()}
                rows = [(*got[pk], score_now) for pk, score_now in page if pk in got]
        nxt = None
        if len(rows) == limit:
            last, _, last_score = rows[-1]
            nxt = _write_cursor(now, last_score, aware(last.submitted_at), last.id)
        items = []
        for sub, report, _ in rows:
            findings = report.get("findings", [])
            submitted = aware(sub.submitted_at)
            items.append({
                "submission_id": sub.submission_id, "stage": sub.stage, "revision": sub.latest_revision,
                "priority": _priority_today(report.get("priority", {}), sub, now),
                "submitted_at": submitted.isoformat(),
                "age_days": round((now - submitted).total_seconds() / 86400, 2),
                "codes": sorted({f["code"] for f in findings if f.get("severity") != "info"}),
                "status": report.get("status"),
            })
        return total, items, nxt

    def names(self, submission_ids: list[str]) -> dict[str, dict[str, str]]:
        """{id: {"entity": 单位名称, "product": 产品名称}} from each submission's latest revision, in one
        query: the queue shows who filed what beside the ids."""
        if not submission_ids:
            return {}
        form = RevisionRow.form
        with self.Session() as s:
            rows = s.execute(  # the two names only, extracted in the database: not 50 whole forms
                select(SubmissionRow.submission_id, form[("entity", "name")].as_string(),
                       form[("product", "name")].as_string())
                .join(RevisionRow, and_(RevisionRow.submission_pk == SubmissionRow.id,
                                        RevisionRow.revision == SubmissionRow.latest_revision))
                .where(SubmissionRow.submission_id.in_(list(submission_ids)))
            ).all()
        return {sid: {"entity": entity or "", "product": product or ""} for sid, entity, product in rows}

    def counts(self) -> dict[str, int]:
        with self.Session() as s:
            rows = s.execute(select(SubmissionRow.stage, SubmissionRow.open, func.count())
                             .group_by(SubmissionRow.stage, SubmissionRow.open)).all()
        out: dict[str, int] = {"open": 0, "decided": 0}
        for stage, is_open, n in rows:
            out["open" if is_open else "decided"] += n
            if is_open:
                out[f"open_{stage}"] = out.get(f"open_{stage}", 0) + n
        return out


def _score_today_sql(now: datetime):
    """``score_today`` as a SQL expression, for ordering the queue by the score as it stands now:
    the stored p_reject with today's time pressure (a submission screened on Monday has more
    pressure on Thursday), the pressure as ``pressure_steps`` (bounds in UTC: SQLite compares
    wall times); the stored score only where no p_reject was recorded."""
    steps = [(stage, since.astimezone(timezone.utc), value)
             for stage in STAGES_WITH_TARGETS for since, value in pressure_steps(stage, now)]
    pressure = case(*[(and_(SubmissionRow.stage == stage, SubmissionRow.submitted_at >= since), value)
                      for stage, since, value in steps], else_=1.0)
    return func.coalesce(100 * (P_WEIGHT * SubmissionRow.p_reject + PRESSURE_WEIGHT * pressure),
                         SubmissionRow.priority_score)


def _priority_today(stored: dict, sub: SubmissionRow, now: datetime) -> dict:
    """The stored priority with today's score (and TIME_PRESSURE among the reasons once it counts)."""
    if sub.p_reject is None:
        return stored
    score, pressure = score_today(sub.p_reject, sub.stage, aware(sub.submitted_at), now)
    out = {**stored, "score": score, "time_pressure": pressure}
    if "score" in stored:
        out["score_at_screening"] = stored["score"]
    reasons = [r for r in stored.get("reasons", []) if r != "TIME_PRESSURE"]
    if pressure_counts(pressure):
        reasons.append("TIME_PRESSURE")
    out["reasons"] = reasons
    return out


def _write_cursor(now: datetime, score: float, submitted_at: datetime, pk: int) -> str:
    body = json.dumps({"now": now.isoformat(), "s": score, "t": submitted_at.astimezone(timezone.utc).isoformat(),
                       "i": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> dict:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        out = {"now": datetime.fromisoformat(raw["now"]), "s": float(raw["s"]), "i": int(raw["i"]),
               "t": datetime.fromisoformat(raw["t"]).astimezone(timezone.utc)}
        if out["now"].tzinfo is None or not math.isfinite(out["s"]) or not 0 <= out["i"] < 2**62:
            raise ValueError("out of range")
        return out
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        raise InvalidInput("not a cursor this service gave out; start from the first page", field="cursor") from None


def _days(n: float) -> timedelta:
    return timedelta(days=n)
