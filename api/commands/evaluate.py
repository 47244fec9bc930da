"""prescreen eval NAME / prescreen train NAME: the modules in eval/ and training/.

A module there takes part when it defines HELP, add_arguments(parser) and run(args).
"""

from __future__ import annotations

import importlib
import pkgutil


def _attach(sub, package_name: str, command: str, help_text: str, load: bool) -> None:
    p = sub.add_parser(command, help=help_text)
    inner = p.add_subparsers(dest=f"{command}_name", required=True, metavar="NAME")
    if not load:
        return
    package = importlib.import_module(package_name)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package_name}.{info.name}")
        if not all(hasattr(module, a) for a in ("HELP", "add_arguments", "run")):
            continue
        q = inner.add_parser(info.name.replace("_", "-"), help=module.HELP)
        module.add_arguments(q)
        q.set_defaults(func=_runner(module))


def _runner(module):
    def run(args):
        from ._common import setup

        setup(quiet=True)
        return module.run(args)

    return run


def register_for(sub, argv: list[str]) -> None:
    first = argv[0] if argv else None
    _attach(sub, "eval", "eval", "evaluations and benchmarks (eval/)", load=first == "eval")
    _attach(sub, "training", "train", "retraining (training/)", load=first == "train")
