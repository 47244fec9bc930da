"""The job queue and its workers, on SQLite and PostgreSQL: one live job per form and files,
each job claimed by one worker at a time, a dead worker's job re-run once its lease runs out,
and a re-run after a crash records nothing twice."""

from __future__ import annotations

import json
import threading
import time

import pytest

from screening.checks import default_checks
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources
from screening.service import ScreeningService
from screening.storage.jobs import DONE, FAILED, MAX_ATTEMPTS, QUEUED, RUNNING


def _enqueue(service, form: dict):
    return service.enqueue(parse_submission(form), {}, json.dumps(form, ensure_ascii=False), actor="t").job


@pytest.fixture
def service(store):
    return ScreeningService(Pipeline(default_checks(), Resources(verified_codes=store.is_code_verified)), store)


def _form(example: dict, sid: str) -> dict:
    form = json.loads(json.dumps(example))
    form["submission_id"] = sid
    form["documents"] = []
    return form


def test_an_identical_resend_joins_the_live_job(service, contract_example):
    first = _enqueue(service, _form(contract_example, "J-1"))
    again = _enqueue(service, _form(contract_example, "J-1"))
    assert first.state == QUEUED and again.id == first.id
    other = _form(contract_example, "J-1")
    other["product"]["name"] = other["product"]["name"] + "二代"
    assert _enqueue(service, other).id != first.id  # changed content: a job of its own


def test_racing_workers_claim_each_job_once(service, contract_example):
    ids = {_enqueue(service, _form(contract_example, f"J-{i}")).id for i in range(12)}
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (job := service.jobs.claim(name, lease_s=60)) is not None:
            with lock:
                claimed.append((name, job.id))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for _, j in claimed) == sorted(ids)  # every job, none twice
    assert service.jobs.counts() == {RUNNING: 12}


def test_a_dead_workers_job_is_claimed_again_after_its_lease(service, contract_example):
    job = _enqueue(service, _form(contract_example, "J-1"))
    assert service.jobs.claim("dead", lease_s=0.2).id == job.id
    assert service.jobs.claim("alive", lease_s=60) is None  # leased: nobody else takes it
    time.sleep(0.3)
    again = service.jobs.claim("alive", lease_s=60)
    assert again.id == job.id and again.attempts == 2 and again.worker == "alive"
    assert not service.jobs.renew(job.id, "dead", lease_s=60)  # the dead worker lost it
    assert service.jobs.renew(job.id, "alive", lease_s=60)


def test_failures_retry_until_the_attempts_run_out(service, contract_example):
    job = _enqueue(service, _form(contract_example, "J-1"))
    states = []
    for _ in range(MAX_ATTEMPTS):
        claimed = service.jobs.claim("w", lease_s=60)
        states.append(service.jobs.fail(claimed.id, "w", error="boom", retry=True))
    assert states == [QUEUED] * (MAX_ATTEMPTS - 1) + [FAILED]
    final = service.jobs.get(job.id)
    assert final.state == FAILED and final.error == "boom" and final.finished_at is not None


def test_the_runner_screens_and_records_the_job(service, store, contract_example):
    form = _form(contract_example, "J-1")
    job = _enqueue(service, form)
    runner = service.make_runner(threads=1, lease_s=5)
    assert runner.drain() == 1
    done = service.jobs.get(job.id)
    assert done.state == DONE and done.revision == 1 and done.attempts == 1
    assert store.latest_report("J-1")["revision"] == 1
    # an unchanged resend now gets the stored report, not a job
    outcome = service.enqueue(parse_submission(form), {}, json.dumps(form), actor="t")
    assert outcome.job is None and outcome.report["revision"] == 1


def test_a_job_rerun_after_a_crash_records_one_revision(service, store, contract_example):
    """The worker died after recording the report but before marking the job done: the next
    worker runs it again, finds the stored report, and only then is the job done."""
    form = _form(contract_example, "J-1")
    job = _enqueue(service, form)
    claimed = service.jobs.claim("dying", lease_s=0.2)
    report, new = service.screen(parse_submission(form), {}, actor=claimed.actor)  # ... and then kill -9
    assert new and report["revision"] == 1
    time.sleep(0.3)
    runner = service.make_runner(threads=1, lease_s=5)
    assert runner.drain() == 1
    done = service.jobs.get(job.id)
    assert done.state == DONE and done.revision == 1 and done.attempts == 2
    assert [r["revision"] for r in store.revisions("J-1")] == [1]


def test_a_job_whose_files_are_gone_fails_without_retrying(service, store, contract_example):
    form = _form(contract_example, "J-1")
    job, _ = service.jobs.enqueue(submission_id="J-1", content_hash="0" * 64, submission_json=json.dumps(form),
                                  files={"licence.jpg": "f" * 64}, actor="t")
    service.make_runner(threads=1).drain()
    failed = service.jobs.get(job.id)
    assert failed.state == FAILED and failed.attempts == 1 and "f" * 64 in failed.error


def test_started_workers_take_queued_jobs_and_stop_cleanly(service, store, contract_example):
    runner = service.make_runner(threads=2, lease_s=5, poll_s=0.05)
    runner.start()
    try:
        ids = [_enqueue(service, _form(contract_example, f"J-{i}")).id for i in range(4)]
        deadline = time.monotonic() + 30
        while service.jobs.unfinished(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
    assert not runner.started
    assert [service.jobs.get(i).state for i in ids] == [DONE] * 4
    assert sorted(store.counts().items()) and all(store.latest_report(f"J-{i}")["revision"] == 1 for i in range(4))
