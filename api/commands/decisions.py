"""prescreen decisions import: reviewers' decisions in bulk (the decision endpoint's fields + submission_id)."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from screening.errors import InvalidInput, NotFound
from screening.parsing import parse_decision

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("decisions", help="reviewers' decisions")
    ds = p.add_subparsers(dest="decisions_command", required=True)
    imp = ds.add_parser(
        "import", help="record decisions from JSONL (all lines are checked before any is stored)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=IMPORT_FORMAT)
    imp.add_argument("file", type=Path, metavar="DECISIONS.jsonl", help="one decision per line (JSON; format above)")
    imp.add_argument("--reviewer", default=None, help="reviewer for lines that name none")
    imp.set_defaults(func=import_decisions)
    exp = ds.add_parser("export", help="every decision as JSONL on stdout")
    exp.set_defaults(func=export_decisions)


IMPORT_FORMAT = """\
One decision per line, as JSON: the decision endpoint's body plus "submission_id":

  {"submission_id": "2026-P-000123", "decision": "returned", "reason_codes": ["NAME_BRAND"],
   "feedback": [{"finding": 0, "verdict": "correct"}, {"finding": "NAME_BRAND", "verdict": "correct"}],
   "comment": "名称含商标", "reviewer": "张审核", "revision": 1}

decision: approved | returned | rejected; "finding" is the finding's position in the report or
its code (a code found twice needs "field"); "revision" defaults to the latest. Blank lines are
skipped. Every line is checked first and all are stored in one transaction: on an error
("line N: ...", exit 2) nothing is stored. A line already imported is not stored again, so a
file can be re-run after a fix.
"""


def import_decisions(args: argparse.Namespace) -> int:
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
        content = json.dumps({"submission_id": sid, **data, "reviewer": decision.reviewer},
                             ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        parsed.append((sid, decision, hashlib.sha256(content.encode("utf-8")).hexdigest(), lineno))
    try:
        stored, skipped = store.record_decisions([p[:3] for p in parsed], actor="cli:import")
    except (InvalidInput, NotFound) as exc:  # found only against the stored report (a finding's position)
        lineno = parsed[getattr(exc, "index", 0)][3]
        raise InvalidInput(f"line {lineno}: {exc.message}", field=f"line {lineno}.{exc.field}") from None
    print(f"recorded {stored} decisions" + (f" ({skipped} already recorded, skipped)" if skipped else ""))
    return 0


def export_decisions(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    for d in store.decisions():
        print(json.dumps(d, ensure_ascii=False))
    return 0
