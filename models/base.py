"""The contract every model class keeps, and the manifest written beside its weights.

    model.save(dir)            writes weights + config.json + manifest.json
    Model.load(dir)            reads them back; never downloads anything
    model.version              "<name>@<version>", appears in every finding's ``source``

``manifest.json`` records what a data scientist needs to trust a model file: its name and
version, the hash of the training data it was built from, the recipe (parameters), the
metrics measured when it was built, and when, and the sha256 of every file beside it:
``Model.load`` checks them before reading a weight, so a damaged or edited file stops loading
with an error naming the file (``CorruptModel``). Versions are ``new_version(data_hash)``:
the date and time of training plus the start of the data hash, never a fixed string. Model
classes that use torch predict under ``torch.inference_mode()``.
"""

from __future__ import annotations

import hashlib
import json
import os
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from .errors import CorruptModel, ModelError

M = TypeVar("M", bound="Model")

MANIFEST = "manifest.json"
CONFIG = "config.json"


@dataclass
class Manifest:
    name: str
    version: str
    kind: str  # the model class, e.g. "name-tagger"
    data_hash: str | None = None
    recipe: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256

    def write(self, directory: Path) -> None:
        directory = Path(directory)
        self.files = {
            p.name: sha256_file(p)
            for p in sorted(directory.iterdir())
            if p.is_file() and p.name != MANIFEST
        }
        _atomic_write(directory / MANIFEST, json.dumps(asdict(self), ensure_ascii=False, indent=2))

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        path = Path(directory) / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"no {MANIFEST} in {directory}") from None
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def verify(self, directory: Path) -> None:
        """Every file the manifest lists is there with the recorded sha256 (``CorruptModel`` if not)."""
        directory = Path(directory)
        if not self.files:
            raise CorruptModel(f"{directory / MANIFEST} lists no file hashes; re-save the model "
                               "(python -m training.manifests refresh DIR)")
        for name, digest in sorted(self.files.items()):
            path = directory / name
            if not path.is_file():
                raise CorruptModel(f"{path}: listed in {MANIFEST} but missing")
            if sha256_file(path) != digest:
                raise CorruptModel(f"{path}: sha256 differs from {MANIFEST}; the file is damaged or was "
                                   "changed after training (retrain, or restore it)")


class Model(ABC):
    """Base of every model the project trains or wraps."""

    kind: ClassVar[str] = "model"

    def __init__(self, manifest: Manifest | None = None) -> None:
        self.manifest = manifest or Manifest(name=self.kind, version="untrained", kind=self.kind)

    @property
    def version(self) -> str:
        return f"{self.manifest.name}@{self.manifest.version}"

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """Everything needed to rebuild the model object around its weights."""

    @abstractmethod
    def _save_weights(self, directory: Path) -> None: ...

    @classmethod
    @abstractmethod
    def _load(cls: type[M], directory: Path, config: dict[str, Any], manifest: Manifest) -> M: ...

    def save(self, directory: str | os.PathLike) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._save_weights(directory)
        _atomic_write(directory / CONFIG, json.dumps(self.config(), ensure_ascii=False, indent=2))
        self.manifest.kind = self.kind
        self.manifest.write(directory)
        return directory

    @classmethod
    def load(cls: type[M], directory: str | os.PathLike) -> M:
        directory = Path(directory)
        manifest = Manifest.read(directory)
        if manifest.kind != cls.kind:
            raise ModelError(f"{directory} holds a {manifest.kind!r}, not a {cls.kind!r}")
        manifest.verify(directory)
        try:
            config = json.loads((directory / CONFIG).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"no {CONFIG} in {directory}") from None
        return cls._load(directory, config, manifest)


def new_version(data_hash: str | None, when: datetime | None = None) -> str:
    """A version name from when a model was trained and what it was trained on:
    ``2026.12.03-081502-3b8025b6`` (UTC). Two trainings on other data never share a name."""
    when = when or datetime.now(timezone.utc)
    return when.strftime("%Y.%m.%d-%H%M%S") + "-" + (data_hash or "nodata")[:8]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_rows(rows) -> str:
    """Content hash of a dataset given as an iterable of JSON-serialisable rows."""
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
