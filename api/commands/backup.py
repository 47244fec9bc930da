"""prescreen backup PATH: the database, uploaded files and model registry in one archive
(screening/storage/backup.py; `prescreen restore` reads it back)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._common import setup

BACKUP_HELP = """\
Write one archive (a tar; gzip-compressed when PATH ends in .gz or .tgz) holding:
  db/<table>.jsonl       every table's rows as JSON lines, read in one consistent snapshot
  blobs/…                every uploaded file the database names
  models/…               the model registry (registered versions, aliases, events)
  manifest.json          format, prescreen version, migration, row counts, sha256 of every member
Safe while the service runs. The rows are plain JSON, so a SQLite backup restores into
PostgreSQL and the other way round. PATH must not exist yet. For a large PostgreSQL
deployment, pg_dump and a copy of the data directory are the alternative (README).
"""


def register(sub) -> None:
    b = sub.add_parser("backup", help="write the database, uploaded files and model registry to one archive",
                       description=BACKUP_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("path", type=Path, metavar="PATH", help="the archive to write (.tar, or .tar.gz to compress)")
    b.set_defaults(func=backup)


def backup(args: argparse.Namespace) -> int:
    from screening.storage.backup import backup as write_backup

    settings = setup(quiet=True)
    result = write_backup(args.path, database_url=settings.sqlalchemy_url, files_dir=settings.files_dir,
                          registry_dir=settings.registry_dir)
    for note in result.pop("warnings"):
        print(f"prescreen: warning: {note}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 0
