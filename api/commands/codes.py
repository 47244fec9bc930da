"""prescreen codes verify: mark a real USCC with a non-conforming check character as verified."""

from __future__ import annotations

import argparse
import sys

from screening.validators.uscc import normalize_uscc, validate_uscc

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("codes", help="credit codes reviewers verified by hand")
    cs = p.add_subparsers(dest="codes_command", required=True)
    v = cs.add_parser("verify", help="ENTITY_USCC_INVALID will no longer fire for this code")
    v.add_argument("uscc", help="the 18-character code; one of the wrong length or alphabet is refused (exit 2)")
    v.add_argument("--note", default=None, help="how it was verified (e.g. 国家企业信用信息公示系统 lookup)")
    v.add_argument("--by", default="cli", help="who verified it")
    v.set_defaults(func=verify)


def verify(args: argparse.Namespace) -> int:
    result = validate_uscc(args.uscc)
    if {"length", "charset"} & set(result.problems):
        # whitelisting exists for real codes with a non-conforming check character, not for typos
        print(f"error: {'；'.join(result.reasons)}；未登记", file=sys.stderr)
        return 2
    code = normalize_uscc(args.uscc)
    if result.valid:
        print(f"note: {code} 符合国家标准，无需人工确认也不会被判为无效", file=sys.stderr)
    else:
        extra = "" if result.expected_check is None else f"（按国家标准校验码应为“{result.expected_check}”）"
        print(f"warning: {code} 不符合国家标准{extra}：{'；'.join(result.reasons)}。"
              f"仅当已在国家企业信用信息公示系统核实该代码真实存在时才应登记", file=sys.stderr)
    store = store_for(setup(quiet=True))
    store.mark_code_verified(code, actor=args.by, note=args.note)
    print(f"{code} marked as verified")
    return 0
