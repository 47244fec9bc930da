"""prescreen keys create|list|revoke: API keys for the review pipeline."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

from screening.errors import InvalidInput
from screening.storage.keys import PIPELINE_SCOPES, SCOPES

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("keys", help="API keys for the review pipeline")
    ks = p.add_subparsers(dest="keys_command", required=True)
    c = ks.add_parser("create", help="create a key and print it (it is stored only as a hash)")
    c.add_argument("name", help="who the key is for (a decisions key records this name as the reviewer)")
    c.add_argument("--scope", action="append", choices=SCOPES, default=None,
                   help="what the key may do; repeat for several (default: screen and read, the pipeline's)")
    c.add_argument("--expires-days", type=float, default=None, help="the key stops working after this many days")
    c.set_defaults(func=create)
    ls = ks.add_parser("list", help="list keys (prefixes only)")
    ls.set_defaults(func=list_keys)
    r = ks.add_parser("revoke", help="revoke a key by its prefix")
    r.add_argument("prefix", help="the key's prefix, as `keys list` shows it")
    r.set_defaults(func=revoke)


def create(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    if args.expires_days is not None and not 0 < args.expires_days <= 3650:
        raise InvalidInput("--expires-days is from 0 to 3650", field="expires_days")
    expires = datetime.now(timezone.utc) + timedelta(days=args.expires_days) if args.expires_days else None
    print(store.create_api_key(args.name, actor="cli", scopes=tuple(args.scope or PIPELINE_SCOPES), expires_at=expires))
    return 0


def list_keys(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    for k in store.list_api_keys():
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        if k.expires_at and not k.revoked_at:
            state += f", expires {k.expires_at:%Y-%m-%d %H:%M}Z"
        print(f"{k.prefix}…  {k.name}  created {k.created_at:%Y-%m-%d}  {state}  scopes: {' '.join(k.scopes)}")
    return 0


def revoke(args: argparse.Namespace) -> int:
    store = store_for(setup(quiet=True))
    store.revoke_api_key(args.prefix, actor="cli")
    print(f"revoked {args.prefix}")
    return 0
