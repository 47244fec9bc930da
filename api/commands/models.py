"""prescreen models list|promote|rollback: the model registry (models/registry.py)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from functools import partial

from models.registry import PromotionRefused, Registry

from ._common import setup


def register(sub) -> None:
    p = sub.add_parser("models", help="the model registry: list, promote, roll back")
    ms = p.add_subparsers(dest="models_command", required=True)
    ls = ms.add_parser("list", help="every version of every model (or of NAME); * marks the one in service")
    ls.add_argument("name", nargs="?")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=list_models)
    pr = ms.add_parser("promote", help="put NAME VERSION in service (refused if worse on the fixed sets)")
    pr.add_argument("name")
    pr.add_argument("version")
    pr.add_argument("--force", action="store_true", help="promote even if worse than the one in service")
    pr.add_argument("--tolerance", type=float, default=0.005, help="allowed drop on a gate metric (0.005)")
    pr.set_defaults(func=promote)
    rb = ms.add_parser("rollback", help="put back the version that was in service before the current one")
    rb.add_argument("name")
    rb.set_defaults(func=rollback)


def _registry() -> Registry:
    return Registry(setup(quiet=True).registry_dir)


def evaluator_for(name: str, registry: Registry):
    """``training/<name>_eval.py``'s ``evaluate_fixed`` when it exists: both models measured afresh."""
    try:
        module = importlib.import_module(f"training.{name}_eval")
    except ImportError:
        return None
    fn = getattr(module, "evaluate_fixed", None)
    return partial(fn, registry_root=registry.root) if fn else None


def list_models(args: argparse.Namespace) -> int:
    registry = _registry()
    names = [args.name] if args.name else registry.names()
    out = []
    for name in names:
        for v in registry.versions(name):
            out.append({"name": name, "version": v.version, "serving": v.serving, "created_at": v.manifest.created_at,
                        "data_hash": v.manifest.data_hash, "path": str(v.path),
                        "fixed": {k: {m: x for m, x in s.items() if m != "hash"}
                                  for k, s in v.manifest.metrics.get("fixed", {}).items()}})
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not out:
        print(f"no models in {registry.root}")
    for row in out:
        fixed = "; ".join(f"{k}: " + ", ".join(f"{m}={x}" for m, x in s.items() if m in ("roc_auc", "ece", "brier", "f1"))
                          for k, s in row["fixed"].items())
        print(f"{'*' if row['serving'] else ' '} {row['name']:<14} {row['version']:<28} {row['created_at']}  {fixed}")
    return 0


def promote(args: argparse.Namespace) -> int:
    registry = _registry()
    try:
        result = registry.promote(args.name, args.version, force=args.force, tolerance=args.tolerance,
                                  evaluate=evaluator_for(args.name, registry), actor="cli")
    except PromotionRefused as exc:  # the caller's call to make (--force): exit 2, the reason on stderr
        for c in exc.comparison:
            print(json.dumps(c))
        print(f"prescreen: {exc.message}", file=sys.stderr)
        return 2
    for c in result.comparison:
        print(json.dumps(c))
    print(f"{args.name} {result.version} in service (was {result.previous or 'none'})"
          + (" — forced past a worse gate metric" if result.forced else ""))
    return 0


def rollback(args: argparse.Namespace) -> int:
    registry = _registry()
    result = registry.rollback(args.name, actor="cli")
    print(f"{args.name} {result.version} in service again (was {result.previous})")
    return 0
