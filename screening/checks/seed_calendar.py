"""The platform's calendar, in Beijing time (seed 000 七, seed 002 三(一), 八(二)).

The platform runs on Beijing time: a submission at 2027-03-31T23:30Z is one of 1 April there.
Dates come from ``submitted_at`` (its own offset; a naive time is taken as Beijing time), or
the screening day when the pipeline sent none.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

from ..pipeline import ScreeningContext

BEIJING = timezone(timedelta(hours=8))


def beijing_day(ctx: ScreeningContext) -> date:
    at = ctx.submission.submitted_at
    if at is None:
        return ctx.today
    if at.tzinfo is None:
        at = at.replace(tzinfo=BEIJING)
    return at.astimezone(BEIJING).date()


def in_update_window(day: date) -> bool:
    """1 January – 31 March: "每年的一季度，即 1 月 1 日至 3 月 31 日"."""
    return day.month <= 3


def asset_deferral_open(day: date) -> bool:
    """Until 30 April the previous year's asset figures may wait ("延后填报的截止时间为每年的4月30日")."""
    return day.month <= 4


def deferral_note(day: date) -> str:
    """What the filer may still do about last year's asset figures, right for ``day``."""
    if asset_deferral_open(day):
        return f"{day.year - 1}年度资产信息可延后填写，截止{day.year}年4月30日"
    return f"{day.year}年4月30日延后填报期已过，须先更新{day.year - 1}年度资产信息"


def required_figures_year(day: date) -> int:
    """The oldest asset-figure year a filer may still stand on at ``day``: last year's from 1 May,
    the year before until then (last year's may wait until 30 April)."""
    return day.year - 1 if not asset_deferral_open(day) else day.year - 2
