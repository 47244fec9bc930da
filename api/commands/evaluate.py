"""prescreen eval NAME / prescreen train NAME: the modules in eval/ and training/.

A module there takes part when it defines HELP, add_arguments(parser) and run(args). Listing
them (``prescreen eval --help``) reads HELP from each module's source without importing it;
only the module asked for (``prescreen eval text …``) is imported, so help answers at once
however heavy the evaluations' imports are.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path


_HELP = re.compile(r"""^HELP\s*=\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*$""", re.M)
_DEFS = re.compile(r"^def (add_arguments|run)\(", re.M)


def _commands(package_name: str) -> dict[str, tuple[str, str]]:
    """command name -> (module name, HELP) for every module of the package that takes part,
    read from the source text (a regular expression, not an import: help must be instant)."""
    spec = importlib.util.find_spec(package_name)
    folder = Path(next(iter(spec.submodule_search_locations)))
    out = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text(encoding="utf-8")
        found = _HELP.search(source)
        if found and {"add_arguments", "run"} <= set(_DEFS.findall(source)):
            out[path.stem.replace("_", "-")] = (path.stem, ast.literal_eval(found.group(1)))
    return out


def _attach(sub, package_name: str, command: str, help_text: str, load: bool, wanted: str | None) -> None:
    p = sub.add_parser(command, help=help_text, description=help_text)
    inner = p.add_subparsers(dest=f"{command}_name", required=True, metavar="NAME")
    if not load:
        return
    for name, (module_name, module_help) in _commands(package_name).items():
        q = inner.add_parser(name, help=module_help, description=module_help)
        if name == wanted:  # the one asked for: its options and its code
            module = importlib.import_module(f"{package_name}.{module_name}")
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
    second = argv[1] if len(argv) > 1 else None
    _attach(sub, "eval", "eval", "evaluations and benchmarks (eval/)", load=first == "eval", wanted=second)
    _attach(sub, "training", "train", "retraining (training/): candidates are registered in PRESCREEN_DATA_DIR/models, "
            "never written into models/weights/", load=first == "train", wanted=second)
