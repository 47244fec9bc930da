"""Keeping model folders' manifests true: file hashes, the gate's fixed figures, version names.

    python -m training.manifests refresh models/weights      # every shipped model, after replacing weights
    python -m training.manifests refresh models/weights/pair-scorer
    python -m training.manifests check models/weights        # exit 1 if a file differs from its manifest

``refresh`` rewrites each ``manifest.json`` from what is in the folder: the sha256 of every file
(what ``Model.load`` checks), the ``fixed`` / ``gate`` figures the registry compares candidates on
(derived from the metrics the training recorded, with the hash of the set they were measured on),
and the version name — training time plus data hash (``models.base.new_version``) — with every
other shipped manifest's reference to the old name (``"<name>@<old>"`` in a recipe) updated. It
never changes a weight. The text models' dev-set hashes need the real data
(``PRESCREEN_REALDATA``); without it their fixed figures are left as they are.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from models.base import MANIFEST, Manifest, new_version, sha256_rows
from models.errors import CorruptModel

BASELINE_KINDS = ("severity-prior",)  # not trained: no data, the name is the rule's


def version_of(manifest: Manifest, directory: Path) -> str:
    """The version name a manifest's training time and data give (the files' hash for a wrapped model)."""
    if manifest.kind in BASELINE_KINDS:
        return manifest.version
    data = manifest.data_hash or sha256_rows(sorted(manifest.files.items()))
    return new_version(data, when=datetime.fromisoformat(manifest.created_at))


def fixed_figures(manifest: Manifest, realdata_hash: str | None) -> dict | None:
    """The metrics with ``fixed`` and ``gate`` derived from what training recorded (None: leave them)."""
    m, r = manifest.metrics, manifest.recipe
    if manifest.kind == "pair-scorer" and "test" in m and r.get("test_pairs_hash"):
        from .duplicates import pair_scorer_metrics

        extra = {k: v for k, v in m.items() if k not in ("test", "fixed", "gate")}
        return {**pair_scorer_metrics(m["test"], r["test_pairs_hash"]), **extra}
    if manifest.kind == "photo-kind" and "n_per_class" in r:
        from .duplicates import photo_kind_metrics

        return photo_kind_metrics({k: v for k, v in m.items() if k not in ("fixed", "gate")}, r["n_per_class"],
                                  r.get("seed", 0))
    if manifest.kind == "name-tagger" and realdata_hash and "span_f1_dev" in m:
        from .text import tagger_dev_hash, with_fixed

        return with_fixed({"span_f1_dev": m["span_f1_dev"]}, tagger_dev_hash(realdata_hash))
    if manifest.kind == "text-heads" and realdata_hash and "heads" in r:
        from .text import heads_dev_hash, with_fixed

        return with_fixed({k: v for k, v in m.items() if k not in ("fixed", "gate")},
                          heads_dev_hash(r["heads"], realdata_hash))
    return None


def _folders(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if (p / MANIFEST).is_file():
            out.append(p)
        elif p.is_dir():
            out += sorted(q for q in p.iterdir() if (q / MANIFEST).is_file())
    return out


def _replace_refs(value, renamed: dict[str, str]):
    if isinstance(value, str):
        for old, new in renamed.items():
            if value == old:
                return new
        return value
    if isinstance(value, dict):
        return {k: _replace_refs(v, renamed) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_refs(v, renamed) for v in value]
    return value


def refresh(paths: list[Path], *, realdata: Path | None = None, rename: bool = True) -> dict[str, dict]:
    """Rewrite the manifests of these model folders (or of every model folder under them)."""
    folders = _folders(paths)
    realdata_hash = None
    if any(Manifest.read(f).kind in ("name-tagger", "text-heads") for f in folders):
        try:
            from .text_vocab import RealVocab

            realdata_hash = RealVocab.load(realdata).data_hash
        except FileNotFoundError as exc:
            print(f"no real data ({exc}): the text models' fixed figures are left as they are", file=sys.stderr)
    manifests = {f: Manifest.read(f) for f in folders}
    renamed: dict[str, str] = {}
    for folder, m in manifests.items():
        figures = fixed_figures(m, realdata_hash)
        if figures is not None:
            m.metrics = figures
        m.write(folder)  # the file hashes first: a wrapped model's version is named by them
        if rename:
            new = version_of(m, folder)
            if new != m.version:
                renamed[f"{m.name}@{m.version}"] = f"{m.name}@{new}"
                m.version = new
    out = {}
    for folder, m in manifests.items():
        m.recipe = _replace_refs(m.recipe, renamed)
        m.write(folder)
        out[str(folder)] = {"name": m.name, "version": m.version, "files": len(m.files),
                            "fixed": sorted(m.metrics.get("fixed", {}))}
    return {"renamed": renamed, "folders": out}


def check(paths: list[Path]) -> list[str]:
    problems = []
    for folder in _folders(paths):
        try:
            Manifest.read(folder).verify(folder)
        except CorruptModel as exc:
            problems.append(exc.message)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.manifests", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("refresh", help="rewrite manifests: file hashes, fixed figures, version names")
    r.add_argument("paths", nargs="+", type=Path, help="model folders, or folders holding them (models/weights)")
    r.add_argument("--realdata", type=Path, default=None, help="real data folder (default: the realdata setting)")
    r.add_argument("--keep-versions", action="store_true", help="do not rename versions")
    c = sub.add_parser("check", help="verify every file against its manifest")
    c.add_argument("paths", nargs="+", type=Path, help="model folders, or folders holding them")
    args = parser.parse_args(argv)
    if args.action == "refresh":
        print(json.dumps(refresh(args.paths, realdata=args.realdata, rename=not args.keep_versions),
                         ensure_ascii=False, indent=2))
        return 0
    problems = check(args.paths)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
