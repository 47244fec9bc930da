"""Fixtures shared by every test package.

Real data is read from ``../shared/realdata`` (or ``PRESCREEN_REALDATA``), never copied into
the repo; tests that need it skip with a reason where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def realdata_dir() -> Path:
    return Path(os.environ.get("PRESCREEN_REALDATA", REPO.parent / "shared" / "realdata"))


@pytest.fixture(scope="session")
def realdata() -> Path:
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'prescreen.db'}"
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


@pytest.fixture
def store(database_url, tmp_path):
    from screening.storage import open_store

    s = open_store(database_url if not database_url.startswith("postgresql://") else database_url, tmp_path / "files")
    yield s
    s.engine.dispose()


# ---------------------------------------------------------------- the contract's example
CONTRACT_EXAMPLE = {
    "submission_id": "2026-P-000123",
    "stage": "product",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "entity": {
        "uscc": "91440300MA5H3E0T3W",
        "name": "深圳市雄楚速通国际物流有限公司",
        "kind": "enterprise",
        "figures_year": 2025,
        "figures_wan": {
            "total_cost": 5200.0, "ip_investment": 310.0, "net_profit": 820.0,
            "operating_revenue": 6890.5, "total_product_sales": 6500.0,
            "fixed_assets": 2100.0, "total_output": 7000.0, "selling_expense": 300.0,
            "admin_expense": 420.0, "finance_expense": 35.0,
            "patent_assets": 450.0, "total_assets": 12000.0,
        },
        "employees": 230,
    },
    "product": {
        "name": "家用电冰箱",
        "models": ["BCD-520W"],
        "models_reason": None,
        "trademark": "雄楚",
        "category": {"code": "3951010100", "name": "家用电冰箱"},
        "industry": {"code": "C3851", "name": "家用制冷电器具制造"},
        "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构。",
        "exported": False,
        "export_destinations": [],
        "figures_wan": {"sales": 2300.0, "export": 0.0, "profit": 310.0, "ip_investment": 45.0, "total_cost": 1900.0},
        "market_share_pct": 1.2,
        "patents": [
            {"number": "CN201710601862.3", "core": True, "litigated": False, "case_number": None,
             "holder": "深圳市雄楚速通国际物流有限公司"}
        ],
    },
    "documents": [],
}


@pytest.fixture
def contract_example() -> dict:
    import copy

    return copy.deepcopy(CONTRACT_EXAMPLE)
