"""``prescreen restore PATH``: an archive from ``backup.py`` back into a database, files folder
and model registry.

The whole archive is read and the manifest, every sha256 and every row checked before anything
is written; then the blobs (content-addressed: harmless if what follows fails), the models into a
staging folder, the database in one transaction (the target's tables are rebuilt by the
migrations up to the archive's revision, the rows loaded, PostgreSQL's sequences moved past them,
and the migrations run on to head), and last the staged models moved into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from alembic import command
from sqlalchemy import Connection, DateTime, Engine, Integer, MetaData, func, inspect, select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError, StatementError

from ..errors import Conflict, InvalidInput, Unavailable
from .backup import BLOB_MEMBER, FORMAT, FORMAT_VERSION, MANIFEST, STAGING, head, known_revision, open_engine, \
    prescreen_tables, reason
from .atomic import atomic_file
from .blobs import BlobStore
from .service_lock import other_sessions, service_running
from .db import alembic_config

MIGRATION_LOCK = 72150001  # the advisory lock migrate() takes: no server starts half-way through a restore
# caches under the data directory rebuilt from the database at start-up (the duplicate index,
# screening/duplicates/search.py); after a restore they would describe another database
DERIVED = ("index",)
_BATCH = 1000
_CHUNK = 1 << 20
_MAX_MANIFEST = 256 << 20
_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class Archive:
    """A checked archive: its manifest, and the rows of each table as counted."""

    path: Path
    manifest: dict
    blobs: list[str] = field(default_factory=list)
    model_files: list[str] = field(default_factory=list)

    @property
    def migration(self) -> str:
        return self.manifest["migration"]

    @property
    def tables(self) -> dict[str, dict]:
        return self.manifest["tables"]

    def summary(self) -> dict:
        return {"migration": self.migration, "rows": {n: t["rows"] for n, t in self.tables.items()},
                "blobs": len(self.blobs), "model_files": len(self.model_files),
                "from": {k: self.manifest.get(k) for k in ("prescreen_version", "created_at", "source_dialect")}}


# ---------------------------------------------------------------- checking an archive
def check_archive(path: Path) -> Archive:
    """Read the whole archive once: the manifest, every member's sha256 and size, every row.
    Anything amiss is an InvalidInput naming it; nothing is written."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file", field="path")
    seen: dict[str, dict] = {}
    counted: dict[str, tuple[int, set[str] | None]] = {}
    body = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for m in tar:
                if m.name in seen or (m.name == MANIFEST and body is not None):
                    raise InvalidInput(f"the archive holds {m.name} twice", field="path")
                if not m.isfile():
                    raise InvalidInput(f"the archive holds {m.name!r}, which is not a file", field="path")
                fh = tar.extractfile(m)
                if m.name == MANIFEST:
                    body = fh.read(_MAX_MANIFEST + 1)
                    continue
                sha = hashlib.sha256()
                if m.name.startswith("db/"):
                    counted[m.name] = _check_rows(m.name, fh, sha)
                else:
                    for chunk in iter(lambda: fh.read(_CHUNK), b""):
                        sha.update(chunk)
                seen[m.name] = {"sha256": sha.hexdigest(), "size": m.size}
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise InvalidInput(f"{path} is not a readable archive ({reason(exc)}): damaged or cut short", field="path") from None
    if body is None:
        raise InvalidInput(f"{path} has no manifest.json: not a prescreen backup, or cut short", field="path")
    manifest = _check_manifest(body)
    listed = manifest["members"]
    missing, extra = sorted(set(listed) - set(seen)), sorted(set(seen) - set(listed))
    if missing:
        raise InvalidInput(f"{missing[0]} is missing from the archive: cut short or damaged", field="path")
    if extra:
        raise InvalidInput(f"the archive holds {extra[0]}, which its manifest does not list", field="path")
    for name, want in listed.items():
        if not isinstance(want, dict) or seen[name] != {"sha256": want.get("sha256"), "size": want.get("size")}:
            raise InvalidInput(f"{name} does not match its sha256 in the manifest: the archive is damaged", field="path")
    archive = Archive(path, manifest)
    for name, table in manifest["tables"].items():
        if not _TABLE.match(name) or table.get("member") != f"db/{name}.jsonl" or table["member"] not in listed:
            raise InvalidInput(f"the manifest's table {name!r} names no rows in the archive", field="path")
        rows, columns = counted[table["member"]]
        if rows != table.get("rows"):
            raise InvalidInput(f"{table['member']} holds {rows} rows, the manifest says {table.get('rows')}",
                               field="path")
        if columns is not None and columns != set(table["columns"]):
            raise InvalidInput(f"{table['member']}: its rows' columns are not the manifest's", field="path")
    damaged = set(manifest.get("blobs_damaged") or [])
    for name in listed:
        blob = BLOB_MEMBER.match(name)
        if blob:
            sha = blob.group(3)
            if not (sha.startswith(blob.group(1) + blob.group(2))) or (listed[name]["sha256"] != sha and sha not in damaged):
                raise InvalidInput(f"{name} does not hold the file its name says", field="path")
            archive.blobs.append(name)
        elif name.startswith("models/") and _safe_relative(name[len("models/"):]):
            archive.model_files.append(name)
        elif not (name.startswith("db/") and name[3:-6] in manifest["tables"]):
            raise InvalidInput(f"the archive holds {name!r}, which a backup never writes", field="path")
    return archive


def _check_rows(name: str, fh: IO[bytes], sha) -> tuple[int, set[str] | None]:
    columns = None
    rows = 0
    for line in fh:
        sha.update(line)
        try:
            row = json.loads(line)
        except ValueError:
            raise InvalidInput(f"{name} line {rows + 1} is not JSON: the archive is damaged", field="path") from None
        if not isinstance(row, dict) or (columns is not None and set(row) != columns):
            raise InvalidInput(f"{name} line {rows + 1} is not a row of that table", field="path")
        columns = set(row)
        rows += 1
    return rows, columns


def _check_manifest(body: bytes) -> dict:
    if len(body) > _MAX_MANIFEST:
        raise InvalidInput("the manifest is implausibly large: not a prescreen backup", field="path")
    try:
        manifest = json.loads(body)
    except ValueError:
        raise InvalidInput("manifest.json is not JSON: the archive is damaged", field="path") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput("manifest.json is not a prescreen backup's", field="path")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(f"backup format {manifest.get('format_version')!r}; this prescreen reads format "
                           f"{FORMAT_VERSION} (restore with the version that made it: "
                           f"{manifest.get('prescreen_version')})", field="path")
    if not (isinstance(manifest.get("members"), dict) and isinstance(manifest.get("tables"), dict)
            and isinstance(manifest.get("migration"), str)
            and all(isinstance(t, dict) and isinstance(t.get("columns"), dict) for t in manifest["tables"].values())):
        raise InvalidInput("manifest.json lacks its members, tables or migration", field="path")
    known_revision(manifest["migration"], "the archive's schema",
                   f"restore it with prescreen {manifest.get('prescreen_version')} or newer")
    return manifest


def _safe_relative(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and "\\" not in name \
        and all(p not in ("", ".", "..") for p in parts) and not parts[0].startswith(STAGING)


# ---------------------------------------------------------------- restore
def restore(path: Path, *, database_url: str, data_dir: Path, files_dir: Path, registry_dir: Path,
            force: bool = False) -> dict:
    """Replace the target's database, files and model registry with the archive's. Refused while
    the target's database has rows or its registry has models, unless ``force``; refused always
    while a service uses the data directory or (PostgreSQL) other sessions use the database."""
    archive = check_archive(path)
    registry_dir = Path(registry_dir)
    if service_running(data_dir):
        raise Conflict(f"a prescreen service (serve or worker) is using {data_dir}: stop it before restoring; "
                       "nothing was written", field="data_dir")
    engine = open_engine(database_url, must_exist=False)
    try:
        busy = other_sessions(engine)
        if busy:
            raise Conflict(f"{busy} other session(s) are connected to the target database (a prescreen serve or "
                           "worker on another host?): stop them before restoring; nothing was written",
                           field="database")
        occupied = _occupied(engine)
        if occupied and not force:
            raise InvalidInput(f"the target database is not empty ({', '.join(occupied)} have rows); "
                               "a restore replaces everything in it: pass --force to do so", field="database")
        if _registry_entries(registry_dir) and not force:
            raise InvalidInput(f"the model registry {registry_dir} is not empty; a restore replaces it: "
                               "pass --force to do so", field="models")
        staging, had_registry = _staging(registry_dir), registry_dir.exists()
        try:
            blobs, skipped = _restore_files(archive, BlobStore(files_dir), staging)
            rows = _load_database(engine, archive)
        except BaseException:
            shutil.rmtree(staging if had_registry else registry_dir, ignore_errors=True)
            raise
        _swap_models(registry_dir, staging)
    except SQLAlchemyError as exc:
        raise Unavailable(f"the target database refused the restore ({reason(getattr(exc, 'orig', None) or exc)}); "
                          "nothing was stored in it") from None
    except OSError as exc:  # the data directory's disk, not the archive (that was read whole before)
        raise Unavailable(f"cannot write the restored files ({exc.strerror or exc}); the database was not "
                          "changed") from None
    finally:
        engine.dispose()
    for name in DERIVED:
        shutil.rmtree(Path(data_dir) / name, ignore_errors=True)
    return {**archive.summary(), "restored_to": head(), "rows": rows, "blobs": blobs,
            "warnings": [f"blob {sha} was damaged in the backed-up files folder; not restored" for sha in skipped]}


def _occupied(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        present = sorted(prescreen_tables() & set(inspect(conn).get_table_names()))
        meta = MetaData()
        meta.reflect(conn, only=present)
        return [t.name for t in meta.sorted_tables
                if conn.execute(select(func.count()).select_from(select(1).select_from(t).limit(1).subquery())).scalar()]


def _registry_entries(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if not p.name.startswith(STAGING)] if root.is_dir() else []


def _staging(root: Path) -> Path:
    # inside the registry folder, so moving the restored models in is a rename on one file system
    return root / f"{STAGING}{uuid.uuid4().hex}"


def _restore_files(archive: Archive, blobs: BlobStore, staging: Path) -> tuple[int, list[str]]:
    """The blobs (content-addressed: one already there is the same file) and the models, staged."""
    damaged = set(archive.manifest.get("blobs_damaged") or [])
    wanted = set(archive.blobs) | set(archive.model_files)
    written, skipped = 0, []
    with tarfile.open(archive.path, "r:*") as tar:
        for m in tar:
            if m.name not in wanted:
                continue
            blob = BLOB_MEMBER.match(m.name)
            if blob:
                sha = blob.group(3)
                if sha in damaged:
                    skipped.append(sha)
                    continue
                dest = blobs.path_for(sha)
                if not dest.exists():
                    _write(dest, tar.extractfile(m), sha)
                written += 1
            else:
                _write(staging / m.name[len("models/"):], tar.extractfile(m), archive.manifest["members"][m.name]["sha256"])
    return written, skipped


def _write(dest: Path, src: IO[bytes], sha256: str) -> None:
    """Atomically, and only bytes whose sha256 is the manifest's (the archive may have changed
    since it was checked)."""
    with atomic_file(dest) as out:
        sha = hashlib.sha256()
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            sha.update(chunk)
            out.write(chunk)
        if sha.hexdigest() != sha256:  # raised inside: the temporary file goes, nothing is renamed
            raise InvalidInput(f"{dest.name} changed in the archive while it was being restored", field="path")


def _swap_models(root: Path, staging: Path) -> None:
    """After the database commit: the registry becomes the archive's."""
    if not staging.exists() and not root.is_dir():
        return
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        if old != staging and not old.name.startswith(STAGING):
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    if staging.exists():
        for new in staging.iterdir():
            os.rename(new, root / new.name)
        staging.rmdir()


def _load_database(engine: Engine, archive: Archive) -> dict[str, int]:
    """One transaction: drop prescreen's tables, migrate to the archive's revision, insert every
    row, move the sequences past them, migrate to head. A failure leaves the target as it was."""
    cfg = alembic_config()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        else:
            # pysqlite would run the DDL outside any transaction: open one that covers it all
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            _drop_tables(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, archive.migration)
            meta = MetaData()
            meta.reflect(conn, only=sorted(prescreen_tables() & set(inspect(conn).get_table_names())))
            if set(meta.tables) != set(archive.tables):
                raise InvalidInput(f"the archive's tables ({', '.join(sorted(archive.tables))}) are not those of "
                                   f"schema {archive.migration} ({', '.join(sorted(meta.tables))})", field="path")
            for table in meta.sorted_tables:
                if set(archive.tables[table.name]["columns"]) != {c.name for c in table.columns}:
                    raise InvalidInput(f"the archive's {table.name} columns are not those of schema "
                                       f"{archive.migration}", field="path")
            rows = _insert_rows(conn, meta, archive)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, meta)
            command.upgrade(cfg, "head")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return rows


def _drop_tables(conn: Connection) -> None:
    present = set(inspect(conn).get_table_names()) & (prescreen_tables() | {"alembic_version"})
    meta = MetaData()
    meta.reflect(conn, only=sorted(present))
    # children first; on SQLite a table's triggers (audit_log's append-only ones) go before its rows
    meta.drop_all(conn)


def _insert_rows(conn: Connection, meta: MetaData, archive: Archive) -> dict[str, int]:
    by_member = {archive.tables[t.name]["member"]: t for t in meta.sorted_tables}
    # in the archive's order, which is parents first (the backup wrote them so)
    done: dict[str, int] = {}
    with tarfile.open(archive.path, "r:*") as tar:
        for m in tar:
            table = by_member.get(m.name)
            if table is None:
                continue
            times = {c.name for c in table.columns if isinstance(c.type, DateTime)}
            n = 0
            for batch in _batches(tar.extractfile(m)):
                for row in batch:
                    for c in times:
                        if isinstance(row[c], str):
                            row[c] = _parse_time(row[c], table.name, c)
                try:
                    conn.execute(table.insert(), batch)
                except (IntegrityError, DataError, ProgrammingError, StatementError) as exc:
                    if isinstance(exc, OperationalError):  # the database, not the archive
                        raise
                    # rows a backup would not have written: the archive's fault, and rolled back
                    raise InvalidInput(f"{m.name}: rows {n + 1}–{n + len(batch)} do not fit schema "
                                       f"{archive.migration} ({type(getattr(exc, 'orig', None) or exc).__name__})",
                                       field="path") from None
                n += len(batch)
            done[table.name] = n
    for name, table in meta.tables.items():
        stored = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if stored != archive.tables[name]["rows"]:
            raise InvalidInput(f"{name}: {stored} rows stored, the archive holds {archive.tables[name]['rows']}",
                               field="path")
    return done


def _batches(fh: IO[bytes]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for line in fh:
        batch.append(json.loads(line))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _parse_time(value: str, table: str, column: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{table}.{column}: {value!r} is not a time", field="path") from None


def _reset_sequences(conn: Connection, meta: MetaData) -> None:
    """Rows came with their ids: the next id a sequence hands out must be past them."""
    quote = conn.dialect.identifier_preparer.quote
    for table in meta.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}).scalar()
        if seq:
            conn.execute(text(f"SELECT setval(:s, COALESCE((SELECT MAX({quote(pk[0].name)}) FROM {quote(table.name)}), 0) + 1, false)"),
                         {"s": seq})


