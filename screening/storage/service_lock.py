"""Is a prescreen service using this data directory or database? Asked by ``prescreen restore``,
which replaces both and must not do so under a running service.

``prescreen serve`` and ``prescreen worker`` hold a shared lock (``flock``) on ``service.lock``
in the data directory for as long as they run (uvicorn's worker processes and the job threads
run under the process that holds it); a restore asks for the lock exclusively and is refused
while anyone holds it. The lock goes with the process, so a server killed with ``kill -9``
leaves nothing stale behind. A service on another host shares the database, not this
directory's lock: on PostgreSQL the other sessions connected to the target database are counted
as well.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text

LOCK_FILE = "service.lock"


def hold_service_lock(data_dir: Path) -> IO[str]:
    """Take the shared lock; keep the returned file open for as long as the service runs."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = open(data_dir / LOCK_FILE, "a+", encoding="utf-8")
    fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
    return fh


def service_running(data_dir: Path) -> bool:
    """Whether a serve or worker process holds the data directory's lock now."""
    path = Path(data_dir) / LOCK_FILE
    if not path.exists():
        return False
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def other_sessions(engine: Engine) -> int:
    """Sessions on the same PostgreSQL database besides this one (0 on SQLite: no such view)."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                     "AND backend_type = 'client backend'")).scalar_one())
