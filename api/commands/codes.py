"""prescreen codes verify: mark a real USCC with a non-conforming check character as verified."""

from __future__ import annotations

import argparse

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("codes", help="credit codes reviewers verified by hand")
    cs = p.add_subparsers(dest="codes_command", required=True)
    v = cs.add_parser("verify", help="ENTITY_USCC_INVALID will no longer fire for this code")
    v.add_argument("uscc", help="the 18-character unified social credit code a reviewer checked")
    v.add_argument("--note", default=None, help="how it was verified (e.g. 国家企业信用信息公示系统 lookup)")
    v.add_argument("--by", default="cli", help="who verified it")
    v.set_defaults(func=verify)


def verify(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    store.mark_code_verified(args.uscc, actor=args.by, note=args.note)
    print(f"{args.uscc.upper()} marked as verified")
    return 0
