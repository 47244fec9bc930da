"""prescreen decisions import: reviewers' decisions in bulk (the decision endpoint's fields + submission_id)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from screening.errors import InvalidInput, NotFound
from screening.parsing import parse_decision

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("decisions", help="reviewers' decisions")
    ds = p.add_subparsers(dest="decisions_command", required=True)
    imp = ds.add_parser("import", help="record decisions from JSONL (all lines are checked before any is stored)")
    imp.add_argument("file", type=Path, metavar="DECISIONS.jsonl", help="one decision per line (JSON)")
    imp.add_argument("--reviewer", default=None, help="reviewer for lines that name none")
    imp.set_defaults(func=import_decisions)
    exp = ds.add_parser("export", help="every decision as JSONL on stdout")
    exp.set_defaults(func=export_decisions)


def import_decisions(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    store = store_for(setup(quiet=True))
    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc}", field="file") from None
    parsed = []
    for lineno, line in enumerate(lines, start=1):  # check everything first: all or nothing on bad input
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {lineno}: not valid JSON ({exc.msg})", field="file") from None
        if not isinstance(data, dict) or not isinstance(data.get("submission_id"), str):
            raise InvalidInput(f"line {lineno}: needs a string submission_id", field=f"line {lineno}.submission_id")
        sid = data.pop("submission_id")
        try:
            decision = parse_decision(data)
            store.latest_report(sid)
        except (InvalidInput, NotFound) as exc:
            raise InvalidInput(f"line {lineno}: {exc.message}", field=f"line {lineno}.{exc.field}") from None
        decision.reviewer = decision.reviewer or args.reviewer
        parsed.append((sid, decision))
    for sid, decision in tqdm(parsed, desc="decisions", unit="dec", file=sys.stderr):
        store.record_decision(sid, decision, actor="cli:import")
    print(f"recorded {len(parsed)} decisions")
    return 0


def export_decisions(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    for d in store.decisions():
        print(json.dumps(d, ensure_ascii=False))
    return 0
