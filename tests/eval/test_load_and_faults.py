"""Small runs of the load and fault benchmarks against a real `prescreen serve --workers 2`
(PostgreSQL when the tests have one, else SQLite): nothing acknowledged is lost or doubled."""

from __future__ import annotations

import os

import pytest

from eval.faults import run_faults
from eval.load import run_load

pytestmark = pytest.mark.slow  # server processes that each load the models


def _admin_url() -> str | None:
    return os.environ.get("PRESCREEN_TEST_POSTGRES_URL")


def test_a_small_load_on_two_workers_loses_and_doubles_nothing(realdata):
    result = run_load(workers=2, clients=4, text_n=30, licence_n=2, admin_url=_admin_url(), realdata=realdata)
    for key in ("workers_1", "workers_2"):
        row = result[key]
        assert row["errors"] == row["missing"] == row["more_than_one_revision"] == 0, result
    assert result["licences"] == 2 and result["workers_2"]["licence_jobs_not_done"] == 0
    assert result["workers_2"]["text_per_s"] > 0 and result["throughput_ratio"] > 0


def test_kill_9_under_load_loses_nothing_acknowledged():
    result = run_faults(rounds=1, clients=3, admin_url=_admin_url())
    assert result["acknowledged"] > 10, result  # the load ran before the kill
    assert result["lost"] == result["doubled"] == result["half_written"] == 0, result
    assert result["jobs_not_done"] == result["index_misses"] == 0, result
