"""The severity prior and time pressure."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from screening.contract import Finding
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources
from screening.priority import (
    BEIJING,
    SeverityPrior,
    p_reject_prior,
    pressure_steps,
    time_pressure,
    working_days_between,
)

TZ = timezone(timedelta(hours=8))


def f(code, sev, conf=1.0):
    return Finding(code=code, severity=sev, field=None, message="", confidence=conf)


def test_working_days_skip_weekends():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 23)) == 1  # Fri -> Mon
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 27)) == 4
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


def test_p_reject_orders_by_severity_and_confidence():
    block, _ = p_reject_prior([f("PATENT_MISSING", "block")])
    high, _ = p_reject_prior([f("NAME_BRAND", "high")])
    weak, _ = p_reject_prior([f("NAME_BRAND", "high", 0.3)])
    medium, _ = p_reject_prior([f("NAME_ADJECTIVE", "medium")])
    none, reasons = p_reject_prior([f("CHECK_SKIPPED", "info")])
    assert block > high > medium > none == 0 and high > weak
    assert reasons == []
    both, reasons = p_reject_prior([f("NAME_ADJECTIVE", "medium"), f("NAME_BRAND", "high")])
    assert both > high and reasons == ["NAME_BRAND", "NAME_ADJECTIVE"]


def test_time_pressure_grows_with_working_days():
    sub = datetime(2026, 11, 16, 9, tzinfo=TZ)  # a Monday
    assert time_pressure("entity", sub, sub) == 0
    assert time_pressure("entity", sub, sub + timedelta(days=1)) == 0.5
    assert time_pressure("entity", sub, sub + timedelta(days=3)) == 1.0
    assert time_pressure("product", sub, sub + timedelta(days=1)) == 0.2
    # annual updates feel the 31 March deadline
    march = datetime(2026, 3, 27, 9, tzinfo=TZ)
    assert time_pressure("annual_update", march, march) == 1.0
    assert time_pressure("annual_update", None, march) == 0.0


def test_score_and_reasons_in_a_screening(contract_example):
    contract_example["product"]["patents"] = []
    sub = parse_submission(contract_example)
    now = sub.submitted_at + timedelta(days=7)
    from screening.contract import Finding as F

    class OneFinding:
        name, part, codes = "one", "rules", ("PATENT_MISSING",)

        def applies(self, ctx):
            return True

        def run(self, ctx):
            ctx.add("PATENT_MISSING", "product.patents")

    report = Pipeline([OneFinding()], Resources(prioritizer=SeverityPrior(now=now))).screen(sub, {})
    assert report.priority.reasons == ["PATENT_MISSING", "TIME_PRESSURE"]
    assert report.priority.p_reject == 0.95
    assert report.priority.score == round(100 * (0.8 * 0.95 + 0.2 * 1.0), 2)
    assert isinstance(report.findings[0], F)


def test_pressure_steps_equal_time_pressure_for_every_submission_time():
    """The queue orders in SQL by these steps; they must agree with time_pressure to the minute."""
    rng = random.Random(3)
    for _ in range(3000):
        now = datetime(2026, 1, 1, tzinfo=BEIJING) + timedelta(minutes=rng.randrange(60 * 24 * 400))
        submitted = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
        stage = rng.choice(["entity", "product", "annual_update"])
        steps = pressure_steps(stage, now)
        assert [s for s, _ in steps] == sorted((s for s, _ in steps), reverse=True)
        from_steps = next((v for since, v in steps if submitted >= since), 1.0)
        assert from_steps == time_pressure(stage, submitted, now), (stage, submitted, now, steps)
