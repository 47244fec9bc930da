"""prescreen models list|promote|rollback: the model registry (models/registry.py)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from functools import partial

from models.errors import Conflict
from models.registry import PromotionRefused, Registry

from ._common import setup


def register(sub) -> None:
    p = sub.add_parser("models", help="the model registry: list, promote, roll back",
                       description="Every model: the version shipped in models/weights/ (its first version) and "
                                   "the versions training registered under PRESCREEN_DATA_DIR/models.")
    ms = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    ls = ms.add_parser("list", help="every version of every model (or of NAME); * marks the one in service")
    ls.add_argument("name", nargs="?", help="one model, e.g. priority, name-tagger, pair-scorer (default: all)")
    ls.add_argument("--json", action="store_true", help="one JSON array with every field, instead of the table")
    ls.set_defaults(func=list_models)
    pr = ms.add_parser("promote", help="put NAME VERSION in service (refused if worse on the fixed sets)")
    pr.add_argument("name", help="the model, e.g. priority")
    pr.add_argument("version", help="a version `models list NAME` shows")
    pr.add_argument("--force", action="store_true",
                    help="promote even if worse than the one in service, or measured on no set it was measured on")
    pr.add_argument("--tolerance", type=float, default=0.005, help="allowed drop on a gate metric (0.005)")
    pr.set_defaults(func=promote)
    rb = ms.add_parser("rollback", help="put back the version that was in service before the current one "
                                        "(past the first promotion: the shipped version)")
    rb.add_argument("name", help="the model, e.g. priority")
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


def headline(metrics: dict, limit: int = 4) -> str:
    """A few figures of a manifest's metrics: the fixed sets' gate metrics, else its flat numbers."""
    fixed = metrics.get("fixed") or {}
    gate = metrics.get("gate") or {}
    out = [f"{s}/{m}={v}" for s, figures in sorted(fixed.items()) for m, v in figures.items()
           if m in gate and isinstance(v, (int, float))]
    if not out:
        flat = []
        for k, v in metrics.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                flat.append(f"{k}={v}")
            elif isinstance(v, dict):
                flat += [f"{k}.{m}={x}" for m, x in v.items() if isinstance(x, (int, float)) and not isinstance(x, bool)]
        out = flat
    return ", ".join(out[:limit]) + (f" (+{len(out) - limit})" if len(out) > limit else "") if out else "-"


def list_models(args: argparse.Namespace) -> int:
    registry = _registry()
    names = [args.name] if args.name else registry.names()
    out = []
    for name in names:
        for v in registry.versions(name):
            out.append({"name": name, "version": v.version, "serving": v.serving,
                        "source": "shipped" if v.builtin else "registered", "kind": v.manifest.kind,
                        "created_at": v.manifest.created_at, "data_hash": v.manifest.data_hash, "path": str(v.path),
                        "metrics": headline(v.manifest.metrics),
                        "fixed": {k: {m: x for m, x in s.items() if m != "hash"}
                                  for k, s in v.manifest.metrics.get("fixed", {}).items()}})
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not out:
        print(f"no {args.name} model: none shipped in models/weights/, none registered in {registry.root}"
              if args.name else f"no models shipped or registered in {registry.root}")
        return 0
    print(f"  {'NAME':<18} {'VERSION':<28} {'SOURCE':<10} {'DATA HASH':<12} {'CREATED':<25}  METRICS")
    for row in out:
        print(f"{'*' if row['serving'] else ' '} {row['name']:<18} {row['version']:<28} {row['source']:<10} "
              f"{(row['data_hash'] or '-')[:12]:<12} {row['created_at']:<25}  {row['metrics']}")
    print(f"* in service; registered versions live in {registry.root}")
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
    try:
        result = registry.rollback(args.name, actor="cli")
    except Conflict as exc:  # nothing earlier than the shipped version: the request's fault, not ours
        print(f"prescreen: {exc.message}", file=sys.stderr)
        return 2
    print(f"{args.name} {result.version} in service again (was {result.previous})" if result.version else
          f"no {args.name} model in service any more (was {result.previous}): the pipeline runs without it")
    return 0
