"""The reviewer queue's pages in today's order, read from an index instead of sorting the queue.

The queue is ordered by the score as it stands today: 100 · (0.8 · p_reject + 0.2 · pressure),
the pressure a step function of the submission time per stage (``priority.pressure_steps``),
the stored score where no p_reject was recorded; ties by submission time, then row id. No
index holds that order (it moves with the clock), so one ordered query scores and sorts every
open submission: 169 ms for the first page at 100k on PostgreSQL, and a cursor spares only the
skipped rows. But inside one step of one stage the pressure is a single number, and the order
there is p_reject's, which an index holds (migration 0008: open, stage, p_reject DESC,
submitted_at, id). So a page is the merge of every step's first rows after the cursor: about
twenty short index seeks, then one query for the reports of the rows that made the page.

Pages by number (OFFSET) keep the one ordered query (``Store.queue_page``); the two orders are
the same (tested page by page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..contract import STAGES
from ..priority import PRESSURE_WEIGHT, P_WEIGHT, STAGES_WITH_TARGETS, pressure_steps
from .tables import SubmissionRow, aware

# p_reject bound of a seek, widened by this much: the exact cursor test follows in SQL
SEEK_SLACK = 1e-9


@dataclass(frozen=True)
class Step:
    stage: str
    rows: ColumnElement  # which submissions of the stage are in this step
    pressure: float | None  # None: the rows without p_reject, ordered by their stored score


def steps(now: datetime) -> list[Step]:
    """Every (stage, pressure step) of the queue at ``now``, and each stage's rows without a p_reject."""
    out = []
    for stage in STAGES:
        upper = None
        for since, value in (pressure_steps(stage, now) if stage in STAGES_WITH_TARGETS else []):
            since = since.astimezone(timezone.utc)  # bound values in UTC: SQLite compares wall times
            rows = [SubmissionRow.submitted_at >= since] + ([SubmissionRow.submitted_at < upper] if upper else [])
            out.append(Step(stage, and_(*rows), value))
            upper = since
        out.append(Step(stage, SubmissionRow.submitted_at < upper if upper else literal(True), 1.0))
        out.append(Step(stage, literal(True), None))
    return out


def _score(step: Step):
    if step.pressure is None:
        return SubmissionRow.priority_score
    # the same arithmetic, in the same order, as the ordered query's (Store._score_today_sql)
    return 100 * (P_WEIGHT * SubmissionRow.p_reject + PRESSURE_WEIGHT * literal(step.pressure))


def page_rows(session, conds: list, now: datetime, limit: int, after: dict | None, *,
              stage: str | None = None) -> list[tuple[int, float]]:
    """(row id, today's score) of the page's submissions, in queue order: each step's first
    ``limit`` rows after the cursor ``after`` ({s, t, i}), merged."""
    found = []
    for step in steps(now):
        if stage and step.stage != stage:
            continue
        score = _score(step)
        where = [*conds, SubmissionRow.stage == step.stage, step.rows]
        if step.pressure is None:
            where.append(SubmissionRow.p_reject.is_(None))
            order = [SubmissionRow.priority_score.desc()]
        else:
            where.append(SubmissionRow.p_reject.is_not(None))
            order = [SubmissionRow.p_reject.desc()]
        if after is not None:
            if step.pressure is None:
                where.append(SubmissionRow.priority_score <= after["s"] + SEEK_SLACK)
            else:  # a seek on the index: the p_reject that gives the cursor's score in this step
                bound = (after["s"] / 100 - PRESSURE_WEIGHT * step.pressure) / P_WEIGHT
                where.append(SubmissionRow.p_reject <= bound + SEEK_SLACK)
            where.append(or_(score < after["s"],
                             and_(score == after["s"], SubmissionRow.submitted_at > after["t"]),
                             and_(score == after["s"], SubmissionRow.submitted_at == after["t"],
                                  SubmissionRow.id > after["i"])))
        q = (select(SubmissionRow.id, score.label("score_now"), SubmissionRow.submitted_at)
             .where(and_(*where)).order_by(*order, SubmissionRow.submitted_at, SubmissionRow.id).limit(limit))
        found += session.execute(q).all()
    found.sort(key=lambda r: (-r.score_now, aware(r.submitted_at), r.id))
    return [(r.id, r.score_now) for r in found[:limit]]
