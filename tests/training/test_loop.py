"""The whole loop, small: simulate → screen (recorded) → decide → train → promote → screen again."""

from __future__ import annotations

import pytest

from models.registry import Registry
from screening.resources import _loaders
from screening.service import ScreeningService
from screening.settings import Settings
from training.priority import build_snapshot, train_priority
from training.simulator import World, review, run_loop, simulated_pipeline


def _served_prioritizer(settings, store):
    [loader] = [loader for name, loader in _loaders(settings, store, False) if name == "prioritizer"]
    return loader()


@pytest.mark.slow
def test_decisions_train_a_model_that_the_running_service_picks_up(store, tmp_path):
    settings = Settings(data_dir=tmp_path, ocr_enabled=False)
    registry = Registry(settings.registry_dir)
    world = World(seed=71)
    # nothing promoted yet: the served prioritizer scores with the severity prior
    prioritizer = _served_prioritizer(settings, store)
    prioritizer._source.check_s = 0.0

    from screening.pipeline import Resources

    service = ScreeningService(simulated_pipeline(world, resources=Resources(prioritizer=prioritizer)), store)
    decided = run_loop(world, world.cases(300), service)
    assert len(decided) == 300 and store.counts()["decided"] == 300
    first_report = store.latest_report(decided[0]["submission_id"])
    assert first_report["priority"]["model"] == "severity-prior@1"

    rows = build_snapshot(store)
    assert len(rows) == 300
    summary = train_priority(rows, registry, promote=True)
    assert summary["promoted"] and summary["fixed"]["sim-v1"]["roc_auc"] > 0.85

    # the prioritizer loaded before the first promotion picks the promoted model up without a restart
    case = world.case(300)
    report, _ = service.screen(case.submission, {}, actor="simulator")
    assert report["priority"]["model"] == f"priority@{summary['version']}"
    assert 0 <= report["priority"]["p_reject"] <= 1
    service.decide(case.submission_id, review(case, report["findings"]), actor="simulator")

    # more decisions → a second candidate; once promoted, the running service swaps without a restart
    run_loop(world, world.cases(40), service)
    second = train_priority(build_snapshot(store), registry)
    assert second["rows"] == 341 and second["serving"] == summary["version"]
    registry.promote("priority", second["version"], force=True)
    case = world.case(300)
    report, _ = service.screen(case.submission, {}, actor="simulator")
    assert report["priority"]["model"] == f"priority@{second['version']}"
    registry.rollback("priority")
    case = world.case(300)
    report, _ = service.screen(case.submission, {}, actor="simulator")
    assert report["priority"]["model"] == f"priority@{summary['version']}"
