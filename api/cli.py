"""``prescreen``: the command line (CONTRACT.md). Each sub-command lives in ``api/commands/``.

Exit status: 0 on success (findings are not failures), 2 on bad input with the reason on
stderr, 1 on an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from screening.errors import InvalidInput, NotFound, PrescreenError

from . import commands

log = logging.getLogger("prescreen.cli")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prescreen", description="Pre-screening of patent-product filings.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    argv = sys.argv[1:] if argv is None else argv
    # `prescreen eval|train …` need their own module only: help in well under a second
    only = "evaluate" if argv and argv[0] in ("eval", "train") else None
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if only and info.name != only:
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        # commands with many heavy sub-commands (eval, train) import them only when asked for
        if hasattr(module, "register_for"):
            module.register_for(sub, argv)
        elif hasattr(module, "register"):  # the others are helpers of a command
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # weights come from the repo and the registry only; never let a library reach for a hub
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InvalidInput, NotFound) as exc:
        where = f" (field: {exc.field})" if exc.field else ""
        print(f"prescreen: {exc.message}{where}", file=sys.stderr)
        return 2
    except PrescreenError as exc:
        print(f"prescreen: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
