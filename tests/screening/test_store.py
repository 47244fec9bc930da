"""The repository on both databases: revisions, atomicity, decisions, concurrency."""

from __future__ import annotations

import threading

import pytest

from screening.contract import Decision, FindingFeedback, Finding, Priority, Report
from screening.errors import InvalidInput, NotFound
from screening.parsing import parse_submission
from screening.pipeline import UploadedFile


def _report(sub, score=50.0, codes=("NAME_BRAND",)):
    findings = [Finding(code=c, severity="high", field="product.name", message="测试") for c in codes]
    return Report(submission_id=sub.submission_id, status="complete",
                  priority=Priority(score=score, p_reject=score / 100, reasons=list(codes)), findings=findings)


def test_revisions_accumulate_and_the_latest_wins(store, contract_example):
    sub = parse_submission(contract_example)
    assert store.record_screening(sub, {}, _report(sub, 10), actor="t") == 1
    sub.product.name = "电冰箱"
    assert store.record_screening(sub, {}, _report(sub, 90), actor="t") == 2
    assert store.latest_report(sub.submission_id)["priority"]["score"] == 90
    assert [r["revision"] for r in store.revisions(sub.submission_id)] == [1, 2]
    assert store.revision(sub.submission_id, 1).form["product"]["name"] == "家用电冰箱"
    with pytest.raises(NotFound):
        store.revision(sub.submission_id, 3)


def test_unchanged_resend_is_recognised(store, contract_example):
    sub = parse_submission(contract_example)
    files = {"a.png": UploadedFile("a.png", b"\x89PNG fake")}
    sub.documents = []
    assert store.unchanged_report(sub, {}) is None
    store.record_screening(sub, {}, _report(sub), actor="t")
    assert store.unchanged_report(sub, {}) is not None
    assert store.unchanged_report(sub, files) is None  # other files: a new revision


def test_a_failing_record_leaves_nothing(store, contract_example):
    sub = parse_submission(contract_example)
    bad = Report(**{**_report(sub).__dict__, "priority": None})  # fails after the revision row is flushed
    with pytest.raises(AttributeError):
        store.record_screening(sub, {}, bad, actor="t")
    with pytest.raises(NotFound):
        store.latest_report(sub.submission_id)
    assert store.counts() == {"open": 0, "decided": 0}
    assert store.last_commit_seq() == 0


def test_decisions_supersede_and_keep_history(store, contract_example):
    sub = parse_submission(contract_example)
    store.record_screening(sub, {}, _report(sub, codes=("NAME_BRAND", "NAME_HAS_SPEC")), actor="t")
    first = store.record_decision(sub.submission_id, Decision(
        decision="returned", reason_codes=["NAME_BRAND"],
        feedback=[FindingFeedback(verdict="false_positive", code="NAME_HAS_SPEC")]), actor="user:li")
    assert first["feedback"] == [{"finding": 1, "code": "NAME_HAS_SPEC", "field": "product.name",
                                  "verdict": "false_positive", "source": "rules"}]
    second = store.record_decision(sub.submission_id, Decision(decision="approved"), actor="user:wang")
    assert second["supersedes"] == first["id"]
    assert [d["decision"] for d in store.decisions(sub.submission_id)] == ["returned", "approved"]
    assert store.counts()["decided"] == 1
    sub.product.name = "电冰箱"  # the filer resubmits: open again
    store.record_screening(sub, {}, _report(sub), actor="t")
    assert store.counts()["open"] == 1


def test_feedback_must_name_an_existing_finding(store, contract_example):
    sub = parse_submission(contract_example)
    store.record_screening(sub, {}, _report(sub, codes=("NAME_BRAND", "NAME_BRAND")), actor="t")
    with pytest.raises(InvalidInput) as err:
        store.record_decision(sub.submission_id, Decision(
            decision="approved", feedback=[FindingFeedback(verdict="confirmed", code="NAME_BRAND")]), actor="t")
    assert err.value.field == "feedback[0]"  # ambiguous: occurs twice
    with pytest.raises(InvalidInput):
        store.record_decision(sub.submission_id, Decision(
            decision="approved", feedback=[FindingFeedback(verdict="confirmed", code="SALES_ZERO")]), actor="t")
    assert store.decisions() == []


def test_concurrent_first_screenings_of_one_id_make_two_revisions(store, contract_example):
    subs = []
    for name in ("甲产品", "乙产品", "丙产品", "丁产品"):
        s = parse_submission(contract_example)
        s.product.name = name
        subs.append(s)
    errors = []

    def record(s):
        try:
            store.record_screening(s, {}, _report(s), actor="t")
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(s,)) for s in subs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [r["revision"] for r in store.revisions(subs[0].submission_id)] == [1, 2, 3, 4]


def test_blobs_are_content_addressed(store, contract_example):
    sub = parse_submission(contract_example)
    from screening.contract import DocumentRef

    sub.documents = [DocumentRef(kind="product_photo", file="p1.jpg"), DocumentRef(kind="product_image", file="p2.jpg")]
    data = b"\xff\xd8\xff same bytes"
    files = {"p1.jpg": UploadedFile("p1.jpg", data), "p2.jpg": UploadedFile("p2.jpg", data)}
    store.record_screening(sub, files, _report(sub), actor="t")
    rev = store.revision(sub.submission_id)
    assert len({f["sha256"] for f in rev.files}) == 1
    assert store.blobs.get(rev.files[0]["sha256"]) == data
    with pytest.raises(NotFound):
        store.blobs.get("../../etc/passwd")


def test_revisions_since_feeds_indexes_in_order(store, contract_example):
    assert store.revisions_since(0) == []
    for i in range(3):
        contract_example["submission_id"] = f"R-{i}"
        s = parse_submission(contract_example)
        store.record_screening(s, {}, _report(s), actor="t")
    got = store.revisions_since(0)
    assert [r.submission_id for r in got] == ["R-0", "R-1", "R-2"]
    assert [r.seq for r in got] == [1, 2, 3]
    assert [r.submission_id for r in store.revisions_since(got[0].seq)] == ["R-1", "R-2"]
    assert store.last_commit_seq() == got[-1].seq


def test_the_queue_orders_by_todays_time_pressure_and_stores_utc(store, contract_example):
    from datetime import datetime, timedelta, timezone

    from screening.priority import BEIJING, score_of, time_pressure

    now = datetime(2026, 12, 4, 15, 0, tzinfo=BEIJING)  # a Friday
    fresh = dict(contract_example, submission_id="Q-FRESH", submitted_at="2026-12-04T09:00:00+08:00")
    old = dict(contract_example, submission_id="Q-OLD", submitted_at="2026-11-27T23:30:00+08:00")  # 5 working days
    for raw, p in ((fresh, 0.60), (old, 0.45)):
        sub = parse_submission(raw)
        at_screening = score_of(p, time_pressure(sub.stage, sub.submitted_at, sub.submitted_at))
        report = Report(submission_id=sub.submission_id, status="complete",
                        priority=Priority(score=at_screening, p_reject=p, reasons=["NAME_BRAND"]), findings=[])
        store.record_screening(sub, {}, report, actor="test")

    # stored when screened: fresh 48.0 > old 36.0; today the old one has used its whole target
    total, items = store.queue(now=now)
    assert [i["submission_id"] for i in items] == ["Q-OLD", "Q-FRESH"]
    top = items[0]["priority"]
    assert top["score"] == score_of(0.45, 1.0) == 56.0 and top["score_at_screening"] == 36.0
    assert top["reasons"] == ["NAME_BRAND", "TIME_PRESSURE"] and items[1]["priority"]["score"] == 48.0
    # 23:30 in Beijing is 15:30 UTC the same day, whatever the database (SQLite keeps no offset)
    assert items[0]["submitted_at"] == "2026-11-27T15:30:00+00:00"
    assert items[0]["age_days"] == round((now - datetime(2026, 11, 27, 15, 30, tzinfo=timezone.utc))
                                         / timedelta(days=1), 2)
    # the age filter counts from the real instant: 6.65 days old
    assert [i["submission_id"] for i in store.queue(now=now, min_age_days=6.6)[1]] == ["Q-OLD"]
    assert store.queue(now=now, min_age_days=6.7)[0] == 0


def test_names_come_from_the_latest_revision(store, contract_example):
    import copy

    sub = parse_submission(contract_example)
    store.record_screening(sub, {}, _report(sub, 10), actor="t")
    sub.product.name = "电冰箱"
    store.record_screening(sub, {}, _report(sub, 20), actor="t")
    entity_only = copy.deepcopy(contract_example)
    entity_only.update(submission_id="2026-E-000001", stage="entity")
    entity_only.pop("product", None)
    store.record_screening(parse_submission(entity_only), {}, _report(parse_submission(entity_only)), actor="t")
    names = store.names([sub.submission_id, "2026-E-000001", "NO-SUCH"])
    entity = contract_example["entity"]["name"]
    assert names == {sub.submission_id: {"entity": entity, "product": "电冰箱"},
                     "2026-E-000001": {"entity": entity, "product": ""}}
    assert store.names([]) == {}
