"""Decisions in the store, the gaps the API tests leave: revisions, supersession chains, feedback by code."""

from __future__ import annotations

import pytest

from screening.contract import Decision, Finding, FindingFeedback, Priority, Report
from screening.errors import InvalidInput
from screening.parsing import parse_submission

SID = "2026-P-000123"


def _record(store, example, name, findings):
    form = dict(example, product={**example["product"], "name": name})
    report = Report(SID, "complete", Priority(10, 0.1, []), findings)
    return store.record_screening(parse_submission(form), {}, report, actor="t")


@pytest.fixture
def two_revisions(store, contract_example):
    twice = [Finding("NAME_BRAND", "high", "product.name", "m"), Finding("NAME_BRAND", "high", "product.trademark", "m")]
    assert _record(store, contract_example, "海尔电冰箱", twice) == 1
    assert _record(store, contract_example, "家用电冰箱", [Finding("SALES_ZERO", "block", "product.figures_wan.sales", "m")]) == 2
    return store


def test_a_decision_on_an_older_revision_leaves_the_newer_one_open(two_revisions):
    store = two_revisions
    store.record_decision(SID, Decision("returned", ["NAME_BRAND"], revision=1), actor="t")
    assert store.counts()["open"] == 1
    latest = store.record_decision(SID, Decision("rejected", ["SALES_ZERO"]), actor="t")
    assert latest["revision"] == 2 and latest["supersedes"] is None  # another revision: nothing superseded
    assert store.counts() == {"open": 0, "decided": 1}


def test_a_new_revision_reopens_a_decided_submission(two_revisions, contract_example):
    store = two_revisions
    store.record_decision(SID, Decision("returned", ["SALES_ZERO"]), actor="t")
    assert store.counts()["open"] == 0
    _record(store, contract_example, "家用电冰箱（修改）", [])
    assert store.counts()["open"] == 1


def test_supersession_is_a_chain_and_nothing_is_erased(two_revisions):
    store = two_revisions
    ids = [store.record_decision(SID, Decision(kind, codes), actor=f"r{i}")["id"]
           for i, (kind, codes) in enumerate([("approved", []), ("returned", ["SALES_ZERO"]), ("rejected", ["SALES_ZERO"])])]
    rows = store.decisions(SID)
    assert [d["id"] for d in rows] == ids
    assert [d["supersedes"] for d in rows] == [None, ids[0], ids[1]]
    assert [d["reviewer"] for d in rows] == ["r0", "r1", "r2"]
    assert [d["id"] for d in store.decisions(since_id=ids[0])] == ids[1:]
    assert [d["id"] for d in store.decisions(since_id=ids[0], limit=1)] == ids[1:2]


def test_feedback_by_code_must_be_unambiguous(two_revisions):
    store = two_revisions
    with pytest.raises(InvalidInput) as exc:
        store.record_decision(SID, Decision("approved", [], [FindingFeedback("false_positive", code="NAME_BRAND")],
                                            revision=1), actor="t")
    assert exc.value.field == "feedback[0]"
    d = store.record_decision(SID, Decision("approved", [], [
        FindingFeedback("false_positive", code="NAME_BRAND", field="product.trademark")], revision=1), actor="t")
    assert d["feedback"] == [{"finding": 1, "code": "NAME_BRAND", "field": "product.trademark",
                              "verdict": "false_positive", "source": "rules"}]
    with pytest.raises(InvalidInput):  # a code the decided revision's report does not hold
        store.record_decision(SID, Decision("approved", [], [FindingFeedback("confirmed", code="NAME_BRAND")]),
                              actor="t")
    assert len(store.decisions(SID)) == 1  # refused decisions leave nothing behind
