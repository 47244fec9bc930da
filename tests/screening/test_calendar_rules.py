"""ANNUAL_UPDATE_OUT_OF_WINDOW, ASSET_UPDATE_OVERDUE and date-aware messages, in Beijing dates."""

from __future__ import annotations

import copy

import pytest

from screening.checks.calendar_rules import RULE_ASSETS, RULE_WINDOW
from screening.checks.rules import rule_checks
from screening.parsing import parse_submission
from screening.pipeline import Pipeline
from tests.examples import CONTRACT_EXAMPLE


def screen(stage: str, submitted_at: str | None, *, figures_year=2025, figures=True, entity=True):
    data = copy.deepcopy(CONTRACT_EXAMPLE)
    data.update(stage=stage, submitted_at=submitted_at)
    if not entity:
        del data["entity"]
    else:
        data["entity"]["figures_year"] = figures_year
        if not figures:
            data["entity"]["figures_wan"] = None
    return Pipeline(rule_checks()).screen(parse_submission(data), {})


def found(report, code):
    return [f for f in report.findings if f.code == code]


# ---------------------------------------------------------------- the annual update window

def test_an_annual_update_in_july_is_out_of_the_window():
    (f,) = found(screen("annual_update", "2026-07-15T10:00:00+08:00"), "ANNUAL_UPDATE_OUT_OF_WINDOW")
    assert f.severity == "medium" and f.field == "submitted_at"
    assert "2026-07-15" in f.message and "2026年1月1日至3月31日" in f.message and "2026年度" in f.message
    assert f.evidence["rule"] == RULE_WINDOW and f.evidence["window"] == ["2026-01-01", "2026-03-31"]


def test_an_annual_update_in_march_is_in_the_window():
    assert found(screen("annual_update", "2026-03-31T23:59:00+08:00", figures_year=2024), "ANNUAL_UPDATE_OUT_OF_WINDOW") == []


def test_the_window_closes_at_midnight_in_beijing_not_utc():
    # 16:30 UTC on 31 March is 00:30 on 1 April in Beijing
    assert found(screen("annual_update", "2026-03-31T16:30:00Z"), "ANNUAL_UPDATE_OUT_OF_WINDOW")
    assert not found(screen("annual_update", "2026-03-31T15:30:00Z", figures_year=2024), "ANNUAL_UPDATE_OUT_OF_WINDOW")


def test_a_product_filing_has_no_window():
    assert found(screen("product", "2026-07-15T10:00:00+08:00"), "ANNUAL_UPDATE_OUT_OF_WINDOW") == []


# ---------------------------------------------------------------- asset figures

def test_product_filing_in_june_on_the_year_before_last_figures_is_overdue():
    (f,) = found(screen("product", "2026-06-02T09:00:00+08:00", figures_year=2024), "ASSET_UPDATE_OVERDUE")
    assert f.severity == "high" and f.field == "entity.figures_year"
    assert "仍为2024年度" in f.message and "2025年度资产信息须在2026年4月30日前更新" in f.message
    assert f.evidence["rule"] == RULE_ASSETS and f.evidence["required_year"] == 2025


def test_the_same_filing_in_april_may_still_stand_on_them():
    assert found(screen("product", "2026-04-30T20:00:00+08:00", figures_year=2024), "ASSET_UPDATE_OVERDUE") == []


def test_last_years_figures_are_up_to_date_after_1_may():
    assert found(screen("product", "2026-06-02T09:00:00+08:00", figures_year=2025), "ASSET_UPDATE_OVERDUE") == []


def test_figures_two_years_old_are_overdue_even_in_february():
    (f,) = found(screen("annual_update", "2027-02-01T09:00:00+08:00", figures_year=2024), "ASSET_UPDATE_OVERDUE")
    assert f.evidence["required_year"] == 2025 and "2026年4月30日前" in f.message


def test_real_name_verification_still_deferring_after_30_april_is_overdue():
    report = screen("entity", "2026-05-01T00:10:00+08:00", figures_year=None, figures=False)
    (f,) = found(report, "ASSET_UPDATE_OVERDUE")
    assert f.field == "entity.figures_wan" and "延后填报截止2026年4月30日" in f.message
    # and nothing in the report says the figures may still wait
    assert not [x for x in report.findings if "可延后" in x.message]


def test_real_name_verification_deferring_in_april_is_told_until_when():
    report = screen("entity", "2026-04-10T10:00:00+08:00", figures_year=None, figures=False)
    assert found(report, "ASSET_UPDATE_OVERDUE") == []
    (skip,) = [f for f in report.findings if f.code == "CHECK_SKIPPED" and f.field == "entity.figures_wan"]
    assert "可延后填写，截止2026年4月30日" in skip.message


@pytest.mark.parametrize("stage", ["product", "annual_update"])
def test_figures_without_their_year_after_april_are_said_unchecked(stage):
    report = screen(stage, "2026-07-01T10:00:00+08:00", figures_year=None)
    assert found(report, "ASSET_UPDATE_OVERDUE") == []
    assert [f for f in report.findings if f.code == "CHECK_SKIPPED" and f.field == "entity.figures_year"]


def test_a_revocation_is_not_held_back_by_stale_figures():
    report = screen("revocation", "2026-07-01T10:00:00+08:00", figures_year=2023)
    assert found(report, "ASSET_UPDATE_OVERDUE") == []
