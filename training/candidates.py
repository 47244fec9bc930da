"""Registering a trained model as a candidate: what every `prescreen train …` command does with
its output (nothing is written into the installed package unless ``--out`` asks for a copy)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def register_candidate(registry, model, tmp: Path, out: Path | None, *, actor: str = "cli:train",
                       extra: Callable[[Path], None] | None = None) -> dict:
    """Save ``model`` under ``tmp``, register it, and write a copy to ``out`` when asked.

    ``extra`` adds files beside the weights (a licence NOTICE) to every copy."""
    out = Path(out) if out is not None else None
    name = model.manifest.name

    def save(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if extra is not None:  # first: the manifest then records its hash with the weights'
            extra(folder)
        return model.save(folder)

    info = registry.register(name, save(Path(tmp) / name), actor=actor)
    row = {"version": info.version, "path": str(info.path), "data_hash": model.manifest.data_hash,
           "fixed": model.manifest.metrics.get("fixed"), "in_service": registry.in_service(name),
           "promote": f"prescreen models promote {name} {info.version}"}
    if out is not None:
        save(Path(out))
        row["also_written_to"] = str(out)
    return row
