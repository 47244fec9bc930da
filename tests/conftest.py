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
