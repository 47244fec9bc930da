"""The model registry: every trained version of every model, and which one is in service.

Layout under ``settings.registry_dir`` (one folder per model name, any model kind)::

    <name>/versions/<version>/   weights, config.json, manifest.json, card.md, *.png
    <name>/serving.json          the alias: {"version", "since", "previous": [older versions in service]}
    <name>/events.jsonl          every registration, promotion and rollback (append-only)

The alias is replaced atomically (``os.replace``), so a reader sees the old or the new one,
never half. ``ServedModel`` watches the alias's mtime (one ``stat`` at most once a second)
and swaps the loaded model by reassigning one reference: a request in flight keeps the
object it took.

Promotion is gated on the fixed evaluation sets: a model's manifest carries
``metrics["fixed"] = {set name: {"hash": ..., <metric>: value}}`` and
``metrics["gate"] = {<metric>: "max" | "min"}``. A candidate worse than the model in service
on a gate metric of a set both were measured on (same set hash) by more than ``tolerance`` is
refused unless forced. An ``evaluate(model_dir) -> fixed`` callable, when given, measures both
afresh on today's fixed sets instead of trusting the manifests.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Generic, TypeVar

from .errors import Conflict, NotFound

from .base import MANIFEST, Manifest

log = logging.getLogger(__name__)

ALIAS = "serving.json"
EVENTS = "events.jsonl"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
T = TypeVar("T")


class PromotionRefused(Conflict):
    """The candidate is worse than the model in service on the fixed evaluation sets."""

    def __init__(self, message: str, comparison: list[dict]) -> None:
        super().__init__(message, field="version")
        self.comparison = comparison


@dataclass
class VersionInfo:
    name: str
    version: str
    path: Path
    manifest: Manifest
    serving: bool = False


@dataclass
class Promotion:
    name: str
    version: str
    previous: str | None
    forced: bool
    comparison: list[dict] = field(default_factory=list)


def _check_name(value: str, what: str) -> str:
    if not _NAME.match(value or ""):
        raise NotFound(f"not a valid {what}: {value!r}", field=what)
    return value


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Registry:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------------ reading
    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "versions").is_dir())

    def path(self, name: str, version: str) -> Path:
        return self.root / _check_name(name, "name") / "versions" / _check_name(version, "version")

    def alias_path(self, name: str) -> Path:
        return self.root / _check_name(name, "name") / ALIAS

    def alias(self, name: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.alias_path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def serving(self, name: str) -> str | None:
        alias = self.alias(name)
        return alias["version"] if alias else None

    def serving_path(self, name: str) -> Path | None:
        version = self.serving(name)
        return self.path(name, version) if version else None

    def versions(self, name: str) -> list[VersionInfo]:
        folder = self.root / _check_name(name, "name") / "versions"
        if not folder.is_dir():
            return []
        serving = self.serving(name)
        out = []
        for p in folder.iterdir():
            if p.is_dir() and (p / MANIFEST).is_file():
                out.append(VersionInfo(name, p.name, p, Manifest.read(p), p.name == serving))
        return sorted(out, key=lambda v: (v.manifest.created_at, v.version))

    def info(self, name: str, version: str) -> VersionInfo:
        p = self.path(name, version)
        if not (p / MANIFEST).is_file():
            raise NotFound(f"model {name} has no version {version!r}", field="version")
        return VersionInfo(name, version, p, Manifest.read(p), self.serving(name) == version)

    def events(self, name: str) -> list[dict]:
        try:
            lines = (self.root / name / EVENTS).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    # ------------------------------------------------------------------ writing
    def register(self, name: str, source: str | os.PathLike, *, actor: str = "unknown") -> VersionInfo:
        """Copy a saved model folder (with its manifest) in as a new version; nothing is promoted."""
        source = Path(source)
        manifest = Manifest.read(source)
        dest = self.path(name, manifest.version)
        if dest.exists():
            raise Conflict(f"model {name} already has a version {manifest.version}", field="version")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".incoming-{uuid.uuid4().hex}"
        shutil.copytree(source, tmp)
        os.rename(tmp, dest)  # the version appears whole or not at all
        self._event(name, {"action": "registered", "version": manifest.version, "actor": actor})
        return self.info(name, manifest.version)

    def promote(self, name: str, version: str, *, force: bool = False, tolerance: float = 0.005,
                evaluate: Callable[[Path], dict] | None = None, actor: str = "unknown") -> Promotion:
        candidate = self.info(name, version)
        current = self.serving(name)
        comparison: list[dict] = []
        if current is not None and current != version:
            comparison = compare(candidate.path, self.path(name, current), tolerance=tolerance, evaluate=evaluate)
            worse = [c for c in comparison if c["worse"]]
            if worse and not force:
                self._event(name, {"action": "refused", "version": version, "serving": current, "actor": actor,
                                   "worse": worse})
                lines = ", ".join(f"{c['set']}/{c['metric']} {c['candidate']:.4f} vs {c['serving']:.4f}" for c in worse)
                raise PromotionRefused(f"{name} {version} is worse than {current} in service: {lines} "
                                       "(use --force to promote anyway)", comparison)
        alias = self.alias(name) or {"previous": []}
        previous = list(alias.get("previous", []))
        if current is not None and current != version:
            previous.append(current)
        self._write_alias(name, {"version": version, "since": _now(), "previous": previous[-50:]})
        self._event(name, {"action": "promoted", "version": version, "previous": current, "forced": bool(force),
                           "actor": actor, "comparison": comparison})
        return Promotion(name, version, current, bool(force and any(c["worse"] for c in comparison)), comparison)

    def rollback(self, name: str, *, actor: str = "unknown") -> Promotion:
        """Put back the version that was in service before the current one."""
        alias = self.alias(name)
        if alias is None:
            raise NotFound(f"no {name} model is in service", field="name")
        previous = list(alias.get("previous", []))
        while previous and not (self.path(name, previous[-1]) / MANIFEST).is_file():
            previous.pop()  # a version deleted by hand cannot come back
        if not previous:
            raise Conflict(f"{name} {alias['version']} has no earlier version to roll back to", field="name")
        back = previous.pop()
        self._write_alias(name, {"version": back, "since": _now(), "previous": previous})
        self._event(name, {"action": "rolled_back", "version": back, "from": alias["version"], "actor": actor})
        return Promotion(name, back, alias["version"], False)

    def _write_alias(self, name: str, body: dict) -> None:
        path = self.alias_path(name)
        tmp = path.with_name(f".{ALIAS}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)

    def _event(self, name: str, body: dict) -> None:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / EVENTS, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"at": _now(), **body}, ensure_ascii=False, default=str) + "\n")


def compare(candidate: Path, serving: Path, *, tolerance: float = 0.005,
            evaluate: Callable[[Path], dict] | None = None) -> list[dict]:
    """Gate metrics of two model folders on the fixed sets both were measured on."""
    cm, sm = Manifest.read(candidate), Manifest.read(serving)
    gate = {**sm.metrics.get("gate", {}), **cm.metrics.get("gate", {})}
    if evaluate is not None:
        cfix, sfix = evaluate(candidate), evaluate(serving)
    else:
        cfix, sfix = cm.metrics.get("fixed", {}), sm.metrics.get("fixed", {})
    out = []
    for set_name in sorted(set(cfix) & set(sfix)):
        c, s = cfix[set_name], sfix[set_name]
        if c.get("hash") != s.get("hash"):
            continue  # measured on different contents: not comparable
        for metric, direction in sorted(gate.items()):
            if metric not in c or metric not in s or c[metric] is None or s[metric] is None:
                continue
            delta = float(c[metric]) - float(s[metric])
            worse = delta < -tolerance if direction == "max" else delta > tolerance
            out.append({"set": set_name, "metric": metric, "candidate": float(c[metric]),
                        "serving": float(s[metric]), "delta": round(delta, 6), "worse": worse})
    return out


class ServedModel(Generic[T]):
    """The model a registry alias names, reloaded when the alias changes.

    ``current()`` costs one ``stat`` at most every ``check_s`` seconds. A reload happens in the
    one thread that noticed the change; the others keep answering with the model they have.
    A version that fails to load is logged and the old model stays in service.
    """

    def __init__(self, registry: Registry, name: str, loader: Callable[[Path], T], *, check_s: float = 1.0) -> None:
        self.registry = registry
        self.name = name
        self.loader = loader
        self.check_s = check_s
        self._model: T | None = None
        self._stamp: tuple | None = None
        self._next = 0.0
        self._lock = threading.Lock()
        self._reload()

    def _alias_stamp(self) -> tuple | None:
        try:
            st = os.stat(self.registry.alias_path(self.name))
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _reload(self) -> None:
        stamp = self._alias_stamp()
        if stamp == self._stamp and self._model is not None:
            return
        path = self.registry.serving_path(self.name)
        if path is None:
            self._model, self._stamp = None, stamp
            return
        try:
            model = self.loader(path)
        except Exception:
            log.exception("could not load the promoted model; keeping the one in service",
                          extra={"model": self.name, "path": str(path)})
            self._stamp = stamp  # do not retry a broken version every second
            return
        self._model, self._stamp = model, stamp  # the swap: one reference assignment
        log.info("model in service", extra={"model": self.name, "version": getattr(model, "version", str(path))})

    def current(self) -> T | None:
        now = time.monotonic()
        if now >= self._next and self._lock.acquire(blocking=False):
            try:
                self._next = now + self.check_s
                if self._alias_stamp() != self._stamp:
                    self._reload()
            finally:
                self._lock.release()
        return self._model
