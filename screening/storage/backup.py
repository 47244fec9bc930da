"""``prescreen backup PATH``: one archive holding the database in a portable form, the uploaded
files and the model registry (``restore.py`` reads it back).

The archive is a tar (gzip-compressed when its name ends in ``.gz`` or ``.tgz``)::

    db/<table>.jsonl        one JSON object per row, by primary key; times as ISO 8601 in UTC
    blobs/ab/cd/<sha256>    every uploaded file the snapshot's ``blobs`` table names
    models/<path>           the model registry: registered versions, aliases, events
    manifest.json           written last: format, versions, migration, tables (columns, rows),
                            and the sha256 and size of every other member

Rows are plain JSON, not SQL, so a SQLite backup restores into PostgreSQL and the other way
round. The tables are read in one read-only transaction (repeatable read on PostgreSQL, one
WAL read transaction on SQLite), so a backup taken while the service records screenings is one
consistent moment; the files are copied after it, which is safe because a blob is on disk before
the transaction that names it commits and is never changed afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import JSON, Connection, DateTime, Engine, Integer, MetaData, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..errors import InvalidInput, PrescreenError, Unavailable
from .blobs import BlobStore
from .db import alembic_config, make_engine
from .tables import Base

FORMAT = "prescreen-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STAGING = ".restoring-"  # a restore's staging folder in the model registry: never backed up
BLOB_MEMBER = re.compile(r"^blobs/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")
_BATCH = 1000


# ---------------------------------------------------------------- backup
def backup(path: Path, *, database_url: str, files_dir: Path, registry_dir: Path) -> dict:
    """Write the archive to ``path`` (refused if it exists); returns what it holds, with
    ``warnings`` for blobs the database names that were missing or damaged on disk."""
    path = Path(path)
    if path.exists():
        raise InvalidInput(f"{path} already exists; name a new file", field="path")
    if not path.parent.is_dir():
        raise InvalidInput(f"{path.parent} is not a folder", field="path")
    engine = open_engine(database_url, must_exist=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise InvalidInput(f"cannot write in {path.parent}: {exc.strerror}", field="path") from None
    members: dict[str, dict] = {}
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz" if path.name.endswith((".gz", ".tgz")) else "w") as tar:
                with _snapshot(engine) as conn:
                    migration, tables, shas = _dump_database(conn, tar, members)
                blobs, warnings = _add_blobs(tar, members, BlobStore(files_dir), shas)
                model_files = _add_models(tar, members, Path(registry_dir))
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION, "prescreen_version": _version(),
                    "created_at": datetime.now(timezone.utc).isoformat(), "source_dialect": engine.dialect.name,
                    "migration": migration, "tables": tables, "members": members,
                    "blobs_missing": warnings["missing"], "blobs_damaged": warnings["damaged"],
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                _add_bytes(tar, MANIFEST, body)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)  # the name appears only for a whole archive
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}", field="path") from None
    except SQLAlchemyError as exc:
        raise Unavailable(f"the database could not be read ({reason(getattr(exc, 'orig', None) or exc)})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
        engine.dispose()
    notes = [f"blob {sha} is named by the database but missing from the files folder" for sha in warnings["missing"]]
    notes += [f"blob {sha} is damaged on disk (its content has another sha256); left out" for sha in warnings["damaged"]]
    return {"path": str(path), "bytes": path.stat().st_size, "migration": migration,
            "rows": {name: t["rows"] for name, t in tables.items()}, "blobs": blobs, "model_files": model_files,
            "warnings": notes}


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction every table is read in."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True) as conn:
            with conn.begin():
                yield conn
        return
    with engine.connect() as conn:
        # pysqlite opens no transaction for SELECTs (each would see the latest commit):
        # an explicit BEGIN holds one WAL snapshot from the first read to the rollback
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _dump_database(conn: Connection, tar: tarfile.TarFile, members: dict) -> tuple[str, dict, list[str]]:
    migration = MigrationContext.configure(conn).get_current_revision()
    if migration is None:
        raise InvalidInput("the database holds no prescreen schema (no migration recorded)", field="database")
    known_revision(migration, "the database's schema", "back it up with the prescreen version that serves it")
    meta = MetaData()
    meta.reflect(conn, only=sorted(prescreen_tables() & set(inspect(conn).get_table_names())))
    tables: dict[str, dict] = {}
    shas: list[str] = []
    with tempfile.TemporaryFile() as tmp:
        for table in meta.sorted_tables:  # parents before children: the order a restore inserts in
            columns = [c.name for c in table.columns]
            tmp.seek(0)
            tmp.truncate()
            rows = 0
            result = conn.execute(select(table).order_by(*table.primary_key.columns).execution_options(yield_per=_BATCH))
            for row in result:
                values = dict(zip(columns, row))
                if table.name == "blobs":
                    shas.append(values["sha256"])
                tmp.write(json.dumps({c: _portable(v, table.name, c) for c, v in values.items()},
                                     ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
                rows += 1
            size = tmp.tell()
            tmp.seek(0)
            member = f"db/{table.name}.jsonl"
            members[member] = _add_file(tar, member, tmp, size)
            tables[table.name] = {"member": member, "rows": rows,
                                  "columns": {c.name: _kind(c.type) for c in table.columns}}
    return migration, tables, shas


def _portable(value: Any, table: str, column: str) -> Any:
    if isinstance(value, datetime):
        # SQLite hands timezone-aware columns back naive; prescreen stores UTC in them
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    raise PrescreenError(f"{table}.{column} holds a {type(value).__name__}, which backups do not know how to write")


def _kind(type_) -> str:
    for kind, cls in (("datetime", DateTime), ("json", JSON), ("integer", Integer)):
        if isinstance(type_, cls):
            return kind
    return type(type_).__name__.lower()


def _add_blobs(tar, members: dict, blobs: BlobStore, shas: list[str]) -> tuple[int, dict]:
    warnings: dict[str, list[str]] = {"missing": [], "damaged": []}
    n = 0
    for sha in shas:
        src = blobs.path_for(sha)
        try:
            fh = open(src, "rb")
        except FileNotFoundError:
            warnings["missing"].append(sha)
            continue
        with fh:
            member = f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"
            members[member] = entry = _add_file(tar, member, fh, os.fstat(fh.fileno()).st_size)
        if entry["sha256"] != sha:  # already in the tar; a restore leaves it out, as the manifest says
            warnings["damaged"].append(sha)
        n += 1
    return n, warnings


def _add_models(tar, members: dict, root: Path) -> int:
    n = 0
    if not root.is_dir():
        return 0
    for folder, dirs, files in os.walk(root):
        # a registration's copy in progress (.incoming-…) and an alias being replaced (.serving.json.…)
        # are the registry's temporaries: the version and the alias appear whole by a rename
        dirs[:] = sorted(d for d in dirs if not d.startswith((".incoming-", STAGING)))
        for name in sorted(files):
            src = Path(folder) / name
            if name.startswith(".serving.json.") or not src.is_file() or src.is_symlink():
                continue
            member = "models/" + src.relative_to(root).as_posix()
            with open(src, "rb") as fh:
                members[member] = _add_file(tar, member, fh, os.fstat(fh.fileno()).st_size)
            n += 1
    return n


class _Hashing:
    """Hands tarfile the bytes it asks for and hashes them on the way: every file is read once."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sha.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, fh: IO[bytes], size: int) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o644
    reader = _Hashing(fh)
    tar.addfile(info, reader)
    return {"sha256": reader.sha.hexdigest(), "size": size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    tar.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------- shared
def open_engine(database_url: str, *, must_exist: bool) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and must_exist and url.database not in (None, "", ":memory:") \
            and not Path(url.database).is_file():
        raise InvalidInput(f"no database at {url.database}", field="database")
    return make_engine(database_url)


def prescreen_tables() -> set[str]:
    from . import register, user_tables  # noqa: F401  (their tables join Base.metadata on import)

    return set(Base.metadata.tables)


def known_revision(revision: str, what: str, advice: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise InvalidInput(f"{what} is at migration {revision}, newer than this prescreen knows "
                           f"({script.get_current_head()}): {advice}", field="migration")


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("prescreen")
    except PackageNotFoundError:
        return "unknown"


def reason(exc: BaseException) -> str:
    """An exception's message on one line (drivers' span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__
