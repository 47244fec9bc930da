"""prescreen register import patents FILE.csv: the patent register snapshot (screening.register)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from screening.errors import InvalidInput
from screening.register import parse_register_csv
from screening.storage.register import PatentRegisterStore

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("register", help="reference registers the rules check against")
    rs = p.add_subparsers(dest="register_command", required=True)
    imp = rs.add_parser("import", help="replace a register snapshot (every line is checked before any is stored)")
    kinds = imp.add_subparsers(dest="register_kind", required=True)
    pat = kinds.add_parser("patents", help="the patent register: CSV with number,status,holder,title,type")
    pat.add_argument("file", type=Path, metavar="FILE.csv")
    pat.set_defaults(func=import_patents)
    show = rs.add_parser("status", help="the patent register snapshot in use, as JSON")
    show.set_defaults(func=register_status)


def import_patents(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc}", field="file") from None
    patents = parse_register_csv(text)
    result = PatentRegisterStore(store.engine).replace(patents, source=args.file.name, actor="cli:register")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def register_status(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    print(json.dumps(PatentRegisterStore(store.engine).snapshot(), ensure_ascii=False))
    return 0
