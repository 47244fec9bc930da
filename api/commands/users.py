"""prescreen users create|list|password|disable|enable: accounts for the reviewer pages."""

from __future__ import annotations

import argparse
import getpass
import sys

from screening.errors import InvalidInput
from screening.storage.user_tables import ROLES
from screening.storage.users import UserStore

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("users", help="accounts for the reviewer pages (reviewer, data_scientist, admin)")
    us = p.add_subparsers(dest="users_command", required=True)
    c = us.add_parser("create", help="create an account; the password is prompted for or read from stdin")
    c.add_argument("username", help="the sign-in name")
    c.add_argument("--role", choices=ROLES, default="reviewer", help="what the user may do (reviewer)")
    c.add_argument("--name", default=None, help="the name shown on the pages (e.g. 王审核)")
    c.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    c.set_defaults(func=create)
    ls = us.add_parser("list", help="list accounts")
    ls.set_defaults(func=list_users)
    pw = us.add_parser("password", help="set a new password (signs the user out everywhere)")
    pw.add_argument("username", help="the sign-in name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input instead of a prompt")
    pw.set_defaults(func=password)
    for name, flag in (("disable", True), ("enable", False)):
        d = us.add_parser(name, help=f"{name} an account")
        d.add_argument("username", help="the sign-in name")
        d.set_defaults(func=lambda a, flag=flag: disable(a, flag))


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to prompt on: pass --password-stdin", field="password")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidInput("the two passwords differ", field="password")
    return first


def _users() -> UserStore:
    return UserStore(store_for(setup(quiet=True)).engine)


def create(args: argparse.Namespace) -> int:
    users = _users()
    user = users.create_user(args.username, _read_password(args), args.role, actor="cli", display_name=args.name)
    print(f"created {user.username} ({user.role})")
    return 0


def list_users(args: argparse.Namespace) -> int:
    for u in _users().list_users():
        state = "disabled" if u.disabled else "active"
        last = f"last sign-in {u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never signed in"
        print(f"{u.username}  {u.role}  {u.shown_name}  {state}  {last}")
    return 0


def password(args: argparse.Namespace) -> int:
    _users().set_password(args.username, _read_password(args), actor="cli")
    print(f"password set for {args.username}")
    return 0


def disable(args: argparse.Namespace, flag: bool) -> int:
    _users().set_disabled(args.username, flag, actor="cli")
    print(f"{'disabled' if flag else 'enabled'} {args.username}")
    return 0
