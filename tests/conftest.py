"""Fixtures shared by every test package.

Real data is read from the settings' real-data folder (``../shared/realdata``, or
``PRESCREEN_REALDATA``), never copied into the repo; tests that need it skip with a reason
where it is absent.
"""

from __future__ import annotations

import os
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.examples import CONTRACT_EXAMPLE

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def realdata() -> Path:
    from screening.settings import realdata_dir

    path = realdata_dir()
    if not path.is_dir():
        pytest.skip(f"real data folder {path} is absent (set PRESCREEN_REALDATA)")
    return path


# ---------------------------------------------------------------- databases
# Every test that touches the database runs twice: on SQLite (the embedded default) and on
# PostgreSQL (PRESCREEN_TEST_POSTGRES_URL, an admin URL; .ci/run starts a server on loopback).
# Each PostgreSQL test gets a database of its own, dropped afterwards.

def _postgres_admin_url() -> str | None:
    url = os.environ.get("PRESCREEN_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must test on PostgreSQL: set PRESCREEN_TEST_POSTGRES_URL (see .ci/run)")
    return url


@contextmanager
def _database(kind: str, sqlite_path: Path):
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    admin = _postgres_admin_url()
    if not admin:
        pytest.skip("no PostgreSQL server: set PRESCREEN_TEST_POSTGRES_URL to run the PostgreSQL half")
    import uuid

    import sqlalchemy as sa

    from screening.settings import Settings

    admin_sa = Settings(database_url=admin).sqlalchemy_url
    name = f"prescreen_t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_sa, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_sa.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    with _database(request.param, tmp_path / "prescreen.db") as url:
        yield url


@pytest.fixture
def new_database(tmp_path):
    """More databases for one test: ``new_database("sqlite" | "postgresql")`` gives a fresh, empty
    one's URL (a PostgreSQL one is dropped afterwards; the test is skipped without a server)."""
    with ExitStack() as stack:
        made = []

        def make(kind: str) -> str:
            made.append(kind)
            return stack.enter_context(_database(kind, tmp_path / f"extra-{len(made)}.db"))

        yield make


@pytest.fixture
def store(database_url, tmp_path):
    from screening.storage import open_store

    s = open_store(database_url, tmp_path / "files")
    yield s
    s.engine.dispose()


# ---------------------------------------------------------------- the contract's example
@pytest.fixture
def contract_example() -> dict:
    import copy

    return copy.deepcopy(CONTRACT_EXAMPLE)
