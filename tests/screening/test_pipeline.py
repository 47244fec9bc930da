"""The pipeline runs checks in order, degrades on a crash, and never loses the report."""

from __future__ import annotations

from screening.parsing import parse_submission
from screening.pipeline import Check, Pipeline, Resources


class Boom(Check):
    name, part, codes = "boom", "text", ()

    def run(self, ctx):
        raise RuntimeError("model exploded")


class Flags(Check):
    name, part, codes = "flags", "rules", ("NAME_BRAND", "SALES_ZERO")

    def run(self, ctx):
        ctx.add("NAME_BRAND", "product.name", "产品名称含有品牌", evidence={"span": [0, 2]}, confidence=0.9)
        ctx.add("SALES_ZERO", "product.figures_wan.sales")


def test_a_crashing_check_degrades_the_report(contract_example):
    report = Pipeline([Flags(), Boom()], Resources()).screen(parse_submission(contract_example), {})
    assert report.status == "degraded"
    failed = [f for f in report.findings if f.code == "CHECK_FAILED"]
    assert failed and failed[0].evidence == {"check": "boom", "error": "RuntimeError"}
    assert "model exploded" not in failed[0].message  # no internals in reviewer text
    assert {"rules", "text", "priority", "total"} <= set(report.timings_ms)


def test_findings_are_sorted_by_severity_and_carry_their_source(contract_example):
    report = Pipeline([Flags()], Resources()).screen(parse_submission(contract_example), {})
    assert [f.code for f in report.findings] == ["SALES_ZERO", "NAME_BRAND"]
    assert report.findings[1].severity == "high" and report.findings[1].source == "rules"
    assert report.status == "complete"
    assert report.models["priority"] == "severity-prior@1"


def test_unknown_codes_are_a_programming_error(contract_example):
    class Typo(Check):
        name = "typo"

        def run(self, ctx):
            ctx.add("NAME_BRANDS", "product.name")

    report = Pipeline([Typo()], Resources()).screen(parse_submission(contract_example), {})
    assert report.status == "degraded"  # caught like any crash, and visible


def test_declared_codes_cover_what_checks_emit():
    from screening.checks import default_checks
    from screening.codes import CODES

    for check in default_checks():
        assert check.codes, check.name
        assert set(check.codes) <= set(CODES), check.name
