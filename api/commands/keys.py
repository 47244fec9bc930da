"""prescreen keys create|list|revoke: API keys for the review pipeline."""

from __future__ import annotations

import argparse

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("keys", help="API keys for the review pipeline")
    ks = p.add_subparsers(dest="keys_command", required=True)
    c = ks.add_parser("create", help="create a key and print it (it is stored only as a hash)")
    c.add_argument("name", help="who or what the key is for (shown in the list)")
    c.set_defaults(func=create)
    ls = ks.add_parser("list", help="list keys (prefixes only)")
    ls.set_defaults(func=list_keys)
    r = ks.add_parser("revoke", help="revoke a key by its prefix")
    r.add_argument("prefix", help="the key's prefix, as `keys list` shows it")
    r.set_defaults(func=revoke)


def create(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    print(store.create_api_key(args.name, actor="cli"))
    return 0


def list_keys(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    for k in store.list_api_keys():
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        print(f"{k.prefix}…  {k.name}  created {k.created_at:%Y-%m-%d}  {state}")
    return 0


def revoke(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    store.revoke_api_key(args.prefix, actor="cli")
    print(f"revoked {args.prefix}")
    return 0
