"""eval/bench_pages.py refuses a database that already holds submissions (it would time a
queue it did not build), before it seeds or starts anything."""

import pytest

from eval.bench_pages import bench
from screening.errors import InvalidInput
from screening.storage import open_store
from training.pages_data import seed_many


def test_a_used_database_is_refused_before_anything_is_seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'used.db'}"
    store = open_store(url, tmp_path / "files")
    seed_many(store, 3)
    with pytest.raises(InvalidInput) as err:
        bench(10, 1, url, data_dir=tmp_path / "data")
    assert err.value.field == "--database-url" and "3 submissions" in str(err.value)
    assert store.counts()["open"] + store.counts()["decided"] == 3
