"""prescreen restore PATH: an archive from `prescreen backup` back into the configured database,
files folder and model registry (screening/storage/restore.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._common import setup

RESTORE_HELP = """\
Restore an archive written by `prescreen backup` into the configured database (DATABASE_URL or
SQLite in PRESCREEN_DATA_DIR), files folder and model registry. The whole archive is checked
first (manifest, every sha256, every row): a damaged or cut-short archive is refused and nothing
is written. A target whose database has rows or whose registry has models is refused unless
--force, which replaces them. The database is restored in one transaction and migrated to this
version's schema. Refused while a service runs: `prescreen serve` and `prescreen worker` hold
a lock in the data directory, and on PostgreSQL other sessions on the target database count.
"""


def register(sub) -> None:
    r = sub.add_parser("restore", help="restore an archive from `prescreen backup` (checked whole before anything is written)",
                       description=RESTORE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("path", type=Path, metavar="PATH", help="the archive `prescreen backup` wrote")
    r.add_argument("--force", action="store_true",
                   help="replace a target database that has rows and a model registry that has models")
    r.add_argument("--check", action="store_true",
                   help="only check the archive (manifest, every sha256, every row) and write nothing")
    r.set_defaults(func=restore)


def restore(args: argparse.Namespace) -> int:
    from screening.storage.restore import check_archive, restore as restore_archive

    settings = setup(quiet=True)
    if args.check:
        print(json.dumps({"ok": True, **check_archive(args.path).summary()}, ensure_ascii=False))
        return 0
    result = restore_archive(args.path, database_url=settings.sqlalchemy_url, data_dir=settings.data_dir,
                             files_dir=settings.files_dir, registry_dir=settings.registry_dir, force=args.force)
    for note in result.pop("warnings"):
        print(f"prescreen: warning: {note}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 0
