"""Screenings racing each other, in one process and across processes (each with its own
engine and duplicate index, on one database): an identical resend is stored once, and two
copies of one new product sent at the same moment are not both missed."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select

from screening.checks import default_checks
from screening.checks.duplicates import DuplicateChecks
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources
from screening.service import ScreeningService
from screening.storage import open_store
from tests.screening.test_duplicates_processes import FILED, REFILED

TODAY = date(2026, 11, 20)


class RacingPipeline(Pipeline):
    """The real pipeline; each screening waits at a barrier after screening, so every racer has
    its report before any of them records it (the widest race the service can meet)."""

    def __init__(self, checks, resources, barrier: threading.Barrier | None) -> None:
        super().__init__(checks, resources)
        self.barrier = barrier
        self.screened = 0
        self.lock = threading.Lock()

    def screen(self, submission, files, *, today=None):
        report = super().screen(submission, files, today=today)
        with self.lock:
            self.screened += 1
        if self.barrier is not None:
            try:
                self.barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass  # the racers were serialised (as they should be, in one process)
        return report


def _revisions(store, sid: str) -> list[int]:
    return [r["revision"] for r in store.revisions(sid)]


def test_concurrent_identical_resends_in_one_process_are_screened_once(store):
    pipeline = RacingPipeline(default_checks(), Resources(verified_codes=store.is_code_verified), None)
    service = ScreeningService(pipeline, store)
    form = json.loads(json.dumps(FILED))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: service.screen(parse_submission(form), {}, actor="t", today=TODAY),
                                range(4)))
    assert _revisions(store, FILED["submission_id"]) == [1]
    assert [r["revision"] for r, _ in results] == [1, 1, 1, 1]
    assert sum(new for _, new in results) == 1
    assert pipeline.screened == 1  # the others waited for the first and got its report


@pytest.mark.slow  # spawns processes: 5 s each on 2 cores
@pytest.mark.parametrize("racers", [2, 4])
def test_concurrent_identical_resends_across_processes_make_one_revision(database_url, tmp_path, racers):
    barrier = threading.Barrier(racers)
    stores = [open_store(database_url, tmp_path / "files") for _ in range(racers)]
    try:
        services = [ScreeningService(RacingPipeline(default_checks(), Resources(verified_codes=s.is_code_verified),
                                                    barrier), s) for s in stores]
        form = json.loads(json.dumps(FILED))
        with ThreadPoolExecutor(racers) as pool:
            results = list(pool.map(lambda svc: svc.screen(parse_submission(form), {}, actor="t", today=TODAY),
                                    services))
        assert _revisions(stores[0], FILED["submission_id"]) == [1]
        assert {r["revision"] for r, _ in results} == {1}
        assert sum(new for _, new in results) == 1
        # a changed form still makes a new revision
        changed = dict(form, product={**form["product"], "name": "智能扫地机器人（二代）"})
        report, new = services[0].screen(parse_submission(changed), {}, actor="t", today=TODAY)
        assert new and report["revision"] == 2
    finally:
        for s in stores:
            s.engine.dispose()


def test_two_copies_of_a_new_product_sent_together_are_not_both_missed(database_url, tmp_path):
    from models.embedder import SentenceEmbedder
    from screening.duplicates import DuplicateSearch

    embedder = SentenceEmbedder.load_default()
    barrier = threading.Barrier(2)
    stores = [open_store(database_url, tmp_path / "files") for _ in range(2)]
    try:
        services = []
        for i, s in enumerate(stores):  # two "processes": their own engine and index directory
            search = DuplicateSearch.open(tmp_path / f"index-{i}", s, embedder)
            services.append(ScreeningService(RacingPipeline([DuplicateChecks()], Resources(duplicates=search),
                                                            barrier), s))
        forms = [FILED, REFILED]
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda i: services[i].screen(parse_submission(json.loads(json.dumps(forms[i]))),
                                                                 {}, actor="t", today=TODAY), range(2)))
        flagged = {r["submission_id"]: {d["submission_id"] for d in r["duplicates"]} for r, _ in results}
        assert flagged[FILED["submission_id"]] == {REFILED["submission_id"]} or \
            flagged[REFILED["submission_id"]] == {FILED["submission_id"]}, flagged
        # what was returned is what was stored
        for r, _ in results:
            assert stores[0].latest_report(r["submission_id"])["duplicates"] == r["duplicates"]
            codes = [f["code"] for f in r["findings"]]
            assert ("DUPLICATE_FILING" in codes) == bool(r["duplicates"])
    finally:
        for s in stores:
            s.engine.dispose()


def test_a_copy_committed_while_the_rows_were_written_is_found_under_the_lock(database_url, tmp_path):
    """The narrowest window: the other copy commits after this screening's last look outside the
    lock and before its commit. The look under the lock finds it and the stored report, findings
    rows included, is the re-checked one."""
    from concurrent.futures import ThreadPoolExecutor

    from models.embedder import SentenceEmbedder
    from screening.duplicates import DuplicateSearch
    from screening.storage.tables import FindingRow, ReportRow, RevisionRow, SubmissionRow

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's single writer holds its lock from the first statement: no such window")
    embedder = SentenceEmbedder.load_default()
    stores = [open_store(database_url, tmp_path / "files") for _ in range(2)]
    try:
        services = [ScreeningService(RacingPipeline([DuplicateChecks()], Resources(
            duplicates=DuplicateSearch.open(tmp_path / f"index-{i}", s, embedder)), None), s)
            for i, s in enumerate(stores)]
        written, go_on = threading.Event(), threading.Event()
        locking = stores[0]._write_lock

        def held_back(s):  # the first screening's rows are written; it waits to take the lock
            written.set()
            assert go_on.wait(10)
            return locking(s)

        stores[0]._write_lock = held_back
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(services[0].screen, parse_submission(json.loads(json.dumps(FILED))), {},
                                actor="t", today=TODAY)
            assert written.wait(10)
            other, _ = services[1].screen(parse_submission(json.loads(json.dumps(REFILED))), {}, actor="t", today=TODAY)
            assert other["duplicates"] == []  # the first was not committed yet
            go_on.set()
            report, new = first.result(timeout=30)
        assert new and [d["submission_id"] for d in report["duplicates"]] == [REFILED["submission_id"]]
        assert "DUPLICATE_FILING" in [f["code"] for f in report["findings"]]
        assert stores[0].latest_report(FILED["submission_id"]) == report
        with stores[0].Session() as s:
            rows = s.execute(
                select(FindingRow.code).join(ReportRow, FindingRow.report_id == ReportRow.id)
                .join(RevisionRow, ReportRow.revision_id == RevisionRow.id)
                .join(SubmissionRow, RevisionRow.submission_pk == SubmissionRow.id)
                .where(SubmissionRow.submission_id == FILED["submission_id"]).order_by(FindingRow.position)
            ).scalars().all()
        assert rows == [f["code"] for f in report["findings"]]
    finally:
        for s in stores:
            s.engine.dispose()
