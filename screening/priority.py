"""Priority, first version: a documented severity prior plus time pressure.

Until reviewers' decisions exist to learn from, the chance that a submission is sent back is
estimated from its findings alone, treating each as an independent reason to return it:

    p_reject = 1 − Π (1 − w(severity) · confidence)      w: block .95, high .70, medium .30, info 0

Time pressure is the share of the review target already used, in working days (Mon–Fri):
2 days for real-name verification (stage ``entity``), 5 for product filings; annual updates
also count the days left to 31 March. The score is

    score = 100 · (0.8 · p_reject + 0.2 · pressure)

so a clean submission that is about to miss its target still rises, but never above one
that will surely be rejected. ``reasons`` lists the codes that drove p_reject, strongest
first, then ``TIME_PRESSURE`` when pressure counts for at least 5 points.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from .codes import Severity, severity_of
from .contract import Finding, Priority

BEIJING = timezone(timedelta(hours=8))
WEIGHTS = {Severity.BLOCK: 0.95, Severity.HIGH: 0.70, Severity.MEDIUM: 0.30, Severity.INFO: 0.0}
# a revocation is reviewed like a product filing (seed 000 七 "经平台审核后，予以撤销"; no target stated)
TARGET_WORKING_DAYS = {"entity": 2, "product": 5, "annual_update": 5, "revocation": 5}
STAGES_WITH_TARGETS = tuple(TARGET_WORKING_DAYS)
P_WEIGHT, PRESSURE_WEIGHT = 0.8, 0.2


def working_days_between(start: date, end: date) -> int:
    """Working days (Mon–Fri) from ``start`` (exclusive) to ``end`` (inclusive)."""
    if end <= start:
        return 0
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def time_pressure(stage: str, submitted_at: datetime | None, now: datetime) -> float:
    """0 when just submitted, 1 when the review target is used up (or the Q1 deadline is near)."""
    if submitted_at is None:
        return 0.0
    target = TARGET_WORKING_DAYS.get(stage, 5)
    start = submitted_at.date()
    used = working_days_between(start, now.date()) / target
    pressure = min(1.0, used)
    if stage == "annual_update":
        deadline = date(now.year, 3, 31)
        if now.date() <= deadline:
            left = working_days_between(now.date(), deadline)
            pressure = max(pressure, min(1.0, target / max(left, 1)))
    return round(pressure, 4)


def score_of(p_reject: float, pressure: float) -> float:
    return round(100 * (P_WEIGHT * p_reject + PRESSURE_WEIGHT * pressure), 2)


def pressure_counts(pressure: float) -> bool:
    """Whether time pressure is a reason (``TIME_PRESSURE``): it adds at least 5 points."""
    return 100 * PRESSURE_WEIGHT * pressure >= 5


def score_today(p_reject: float, stage: str, submitted_at: datetime, now: datetime) -> tuple[float, float]:
    """(score, time pressure) of a stored p_reject as the queue orders it at ``now``: working
    days counted in Beijing time, as ``pressure_steps`` does in SQL."""
    pressure = time_pressure(stage, submitted_at.astimezone(BEIJING), now.astimezone(BEIJING))
    return score_of(p_reject, pressure), pressure


def pressure_steps(stage: str, now: datetime) -> list[tuple[datetime, float]]:
    """Time pressure as a step function of the submission time, for ordering the queue now.

    [(since, pressure), …], newest first: a submission made at or after ``since`` (and before
    the previous step's) has that pressure today; anything older has used its whole target
    (1.0). Days are counted in Beijing time. It equals ``time_pressure(stage,
    submitted_at, now)`` for submissions dated in Beijing time, so the store can order by the
    score *today* in SQL without rewriting stored scores."""
    today = now.astimezone(BEIJING).date()
    target = TARGET_WORKING_DAYS.get(stage, 5)
    floor = 0.0
    if stage == "annual_update":
        deadline = date(today.year, 3, 31)
        if today <= deadline:
            floor = min(1.0, target / max(working_days_between(today, deadline), 1))
    steps: list[tuple[datetime, float]] = []
    day, used = today, 0
    while used < target:
        # the earliest submission day with ``used`` working days to today
        while working_days_between(day - timedelta(days=1), today) == used:
            day -= timedelta(days=1)
        since = datetime(day.year, day.month, day.day, tzinfo=BEIJING)
        steps.append((since, round(max(floor, min(1.0, used / target)), 4)))
        used = working_days_between(day - timedelta(days=1), today)
        day -= timedelta(days=1)
    return steps


def p_reject_prior(findings: Sequence[Finding]) -> tuple[float, list[str]]:
    keep = 1.0
    strength: dict[str, float] = {}
    for f in findings:
        w = WEIGHTS[severity_of(f.code)] * max(0.0, min(1.0, f.confidence))
        if w <= 0:
            continue
        keep *= 1.0 - w
        strength[f.code] = max(strength.get(f.code, 0.0), w)
    reasons = sorted(strength, key=lambda c: -strength[c])
    return 1.0 - keep, reasons


class SeverityPrior:
    version = "severity-prior@1"

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now

    def score(self, ctx, findings: Sequence[Finding]) -> Priority:
        p, reasons = p_reject_prior(findings)
        sub = ctx.submission
        now = self._now or (
            datetime.now(sub.submitted_at.tzinfo) if sub.submitted_at is not None else datetime.now()
        )
        pressure = time_pressure(sub.stage, sub.submitted_at, now)
        if pressure_counts(pressure):
            reasons = reasons + ["TIME_PRESSURE"]
        return Priority(score=score_of(p, pressure), p_reject=round(p, 4), reasons=reasons[:6], model=self.version)
