"""The model registry: every trained version of every model, and which one is in service.

Layout under ``settings.registry_dir`` (one folder per model name, any model kind)::

    <name>/versions/<version>/   weights, config.json, manifest.json, card.md, *.png
    <name>/serving.json          the alias: {"version", "since", "previous": [older versions in service]}
    <name>/events.jsonl          every registration, promotion and rollback (append-only)

The alias is replaced atomically (``os.replace``), so a reader sees the old or the new one,
never half. ``ServedModel`` watches the alias's mtime (one ``stat`` at most once a second)
and swaps the loaded model by reassigning one reference: a request in flight keeps the
object it took.

Every model shipped in ``models/weights/<name>/`` is that name's **built-in first version**
(``builtin=True``): listed, in service while no alias exists, compared against by the first
promotion, and what a rollback past the first promoted version returns to. It is never copied
into ``registry_dir``; ``path()`` resolves its version to the shipped folder.

Promotion is gated on the fixed evaluation sets: a model's manifest carries
``metrics["fixed"] = {set name: {"hash": ..., <metric>: value}}`` and
``metrics["gate"] = {<metric>: "max" | "min"}``. A candidate worse than the model in service
on a gate metric of a set both were measured on (same set hash) by more than ``tolerance`` is
refused unless forced. An ``evaluate(model_dir) -> fixed`` callable, when given, measures both
afresh on today's fixed sets instead of trusting the manifests; otherwise the in-service figures
come from its own manifest, or from the candidate's ``metrics["fixed_serving"]`` when the
candidate's training measured exactly that version (``metrics["compared_with"]``). A candidate
with no gate metric comparable with the version in service is refused too: an unmeasured
promotion is not a gated one. A version in service whose manifest says
``metrics["promote_when"] = "better"`` (the severity prior: a rule, not a model) is replaced
only by a candidate better on at least one gate metric by more than ``tolerance``, and worse on
none. ``force`` overrides all three.
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

from .errors import Conflict, CorruptModel, NotFound

from .base import MANIFEST, Manifest

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "weights"  # the built-in first versions
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
    builtin: bool = False  # shipped in models/weights/, not registered


@dataclass
class Promotion:
    name: str
    version: str | None  # None: a rollback left no version of this model in service
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
    def __init__(self, root: str | os.PathLike, *, shipped: str | os.PathLike | None = SHIPPED) -> None:
        self.root = Path(root)
        self.shipped = Path(shipped) if shipped is not None else None

    # ------------------------------------------------------------------ reading
    def names(self) -> list[str]:
        names = set()
        if self.root.is_dir():
            names |= {p.name for p in self.root.iterdir() if (p / "versions").is_dir()}
        if self.shipped is not None and self.shipped.is_dir():
            names |= {p.name for p in self.shipped.iterdir() if (p / MANIFEST).is_file()}
        return sorted(names)

    def builtin(self, name: str) -> VersionInfo | None:
        """The shipped first version of ``name`` (models/weights/<name>), if there is one."""
        if self.shipped is None:
            return None
        folder = self.shipped / _check_name(name, "name")
        if not (folder / MANIFEST).is_file():
            return None
        manifest = Manifest.read(folder)
        return VersionInfo(name, manifest.version, folder, manifest, False, True)

    def path(self, name: str, version: str) -> Path:
        registered = self.root / _check_name(name, "name") / "versions" / _check_name(version, "version")
        if not registered.exists():
            shipped = self.builtin(name)
            if shipped is not None and shipped.version == version:
                return shipped.path
        return registered

    def alias_path(self, name: str) -> Path:
        return self.root / _check_name(name, "name") / ALIAS

    def alias(self, name: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.alias_path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def serving(self, name: str) -> str | None:
        """The promoted version (the alias); None while the built-in one serves."""
        alias = self.alias(name)
        return alias["version"] if alias else None

    def in_service(self, name: str) -> str | None:
        """The version that answers: the promoted one, else the built-in first version."""
        serving = self.serving(name)
        if serving is not None:
            return serving
        shipped = self.builtin(name)
        return shipped.version if shipped is not None else None

    def serving_path(self, name: str) -> Path | None:
        version = self.serving(name)
        return self.path(name, version) if version else None

    def versions(self, name: str) -> list[VersionInfo]:
        """The built-in version first, then the registered ones by training time."""
        folder = self.root / _check_name(name, "name") / "versions"
        current = self.in_service(name)
        out = []
        if folder.is_dir():
            for p in folder.iterdir():
                if p.is_dir() and (p / MANIFEST).is_file():
                    out.append(VersionInfo(name, p.name, p, Manifest.read(p), p.name == current))
        out.sort(key=lambda v: (v.manifest.created_at, v.version))
        shipped = self.builtin(name)
        if shipped is not None and shipped.version not in {v.version for v in out}:
            shipped.serving = shipped.version == current
            out.insert(0, shipped)
        return out

    def info(self, name: str, version: str) -> VersionInfo:
        p = self.path(name, version)
        if not (p / MANIFEST).is_file():
            raise NotFound(f"model {name} has no version {version!r}", field="version")
        builtin = self.shipped is not None and p.parent == self.shipped
        return VersionInfo(name, version, p, Manifest.read(p), self.in_service(name) == version, builtin)

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
        manifest.verify(source)  # a damaged candidate is refused here, not at start-up
        dest = self.root / _check_name(name, "name") / "versions" / _check_name(manifest.version, "version")
        shipped = self.builtin(name)
        if dest.exists() or (shipped is not None and shipped.version == manifest.version):
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
        current = self.in_service(name)
        comparison: list[dict] = []
        gated = current is not None and current != version
        refused_for = False
        if gated:
            comparison = compare(candidate.path, self.path(name, current), tolerance=tolerance, evaluate=evaluate,
                                 serving_version=current)
            worse = [c for c in comparison if c["worse"]]
            # a rule in service (the severity prior) is replaced only by a model that beats it somewhere
            must_beat = self.info(name, current).manifest.metrics.get("promote_when") == "better"
            unbeaten = must_beat and comparison and not any(c["better"] for c in comparison)
            refused_for = bool(worse or not comparison or unbeaten)
            if refused_for and not force:
                self._event(name, {"action": "refused", "version": version, "serving": current, "actor": actor,
                                   "worse": worse})
                if worse:
                    lines = ", ".join(f"{c['set']}/{c['metric']} {c['candidate']:.4f} vs {c['serving']:.4f}"
                                      for c in worse)
                    reason = f"is worse than {current} in service: {lines}"
                elif comparison:
                    reason = f"does not beat {current} in service on any gate metric by more than {tolerance}"
                else:
                    reason = (f"has no gate metric measured on a fixed set that {current} in service was measured "
                              "on too (same set hash); nothing shows it is not worse")
                raise PromotionRefused(f"{name} {version} {reason} (use --force to promote anyway)", comparison)
        alias = self.alias(name) or {"previous": []}
        previous = list(alias.get("previous", []))
        if current is not None and current != version:
            previous.append(current)
        self._write_alias(name, {"version": version, "since": _now(), "previous": previous[-50:]})
        self._event(name, {"action": "promoted", "version": version, "previous": current, "forced": bool(force),
                           "actor": actor, "comparison": comparison})
        return Promotion(name, version, current, bool(force and refused_for), comparison)

    def rollback(self, name: str, *, actor: str = "unknown") -> Promotion:
        """Put back the version that was in service before the current one; past the first
        promoted version, the built-in one — or, for a model with none, no model at all."""
        alias = self.alias(name)
        shipped = self.builtin(name)
        if alias is None:
            if shipped is not None:
                raise Conflict(f"{name} {shipped.version} (shipped) is in service; there is no earlier version",
                               field="name")
            raise NotFound(f"no {name} model is in service", field="name")
        previous = list(alias.get("previous", []))
        while previous and not (self.path(name, previous[-1]) / MANIFEST).is_file():
            previous.pop()  # a version deleted by hand cannot come back
        if not previous and shipped is not None and alias["version"] != shipped.version:
            previous = [shipped.version]  # the first promotion's predecessor: always there
        if not previous and shipped is None:
            # a model with no shipped version (text-feedback): before its first promotion none served
            os.remove(self.alias_path(name))
            self._event(name, {"action": "rolled_back", "version": None, "from": alias["version"], "actor": actor})
            return Promotion(name, None, alias["version"], False)
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
            evaluate: Callable[[Path], dict] | None = None, serving_version: str | None = None) -> list[dict]:
    """Gate metrics of two model folders on the fixed sets both were measured on."""
    cm, sm = Manifest.read(candidate), Manifest.read(serving)
    gate = {**sm.metrics.get("gate", {}), **cm.metrics.get("gate", {})}
    if evaluate is not None:
        cfix, sfix = evaluate(candidate), evaluate(serving)
    else:
        cfix, sfix = cm.metrics.get("fixed", {}), dict(sm.metrics.get("fixed", {}))
        measured = str(cm.metrics.get("compared_with") or "")
        if serving_version and measured.split("@")[-1] == serving_version:
            # the candidate's training measured this very version on the candidate's own sets
            sfix.update(cm.metrics.get("fixed_serving") or {})
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
            better = delta > tolerance if direction == "max" else delta < -tolerance
            out.append({"set": set_name, "metric": metric, "candidate": float(c[metric]),
                        "serving": float(s[metric]), "delta": round(delta, 6), "worse": worse, "better": better})
    return out


class ServedModel(Generic[T]):
    """The model a registry alias names, reloaded when the alias changes.

    ``current()`` costs one ``stat`` at most every ``check_s`` seconds. A reload happens in the
    one thread that noticed the change; the others keep answering with the model they have.
    A version that fails to load is logged and the old model stays in service — except at
    construction (start-up), where a file that does not match its manifest (``CorruptModel``)
    is raised. With no alias the built-in version (models/weights/<name>) is served.
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
        self._reload(starting=True)

    def _alias_stamp(self) -> tuple | None:
        try:
            st = os.stat(self.registry.alias_path(self.name))
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _reload(self, starting: bool = False) -> None:
        stamp = self._alias_stamp()
        if stamp == self._stamp and self._model is not None:
            return
        version = self.registry.in_service(self.name)
        if version is None:
            self._model, self._stamp = None, stamp
            return
        path = self.registry.path(self.name, version)
        try:
            model = self.loader(path)
        except CorruptModel:
            if starting:
                raise
            log.exception("the promoted model's files do not match its manifest; keeping the one in service",
                          extra={"model": self.name, "path": str(path)})
            self._stamp = stamp
            return
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
