"""The learned priority in the screening pipeline: the feature row of a report, the reasons,
the entity's history, and the prioritizer over the priority model in service.

    x = features(stage, entity_kind, findings, duplicate_scores, history)
    prioritizer = LearnedPrioritizer(served, history)   # a screening.pipeline.Prioritizer

Features (one fixed, named list, the same at training and in service):
- ``code:<CODE>``: the highest confidence of each finding code in the report (0 when absent);
- ``n:<severity>``: log(1 + number of findings) per severity; ``degraded``: a part failed;
- ``dup:max`` / ``dup:n``: the best duplicate score and log(1 + number of duplicates);
- ``hist:n`` / ``hist:rate`` / ``hist:any``: the entity's (form ``entity.uscc``) earlier
  decided submissions: log(1 + count), the smoothed share sent back, whether there are any;
- ``stage:<stage>``, ``kind:<entity kind>``: one-hot.

The reasons given with a score are the feature groups whose contribution to the logit,
measured from a clean submission (all features 0), is largest: a finding code (its own
confidence feature plus its share of its severity's count), the entity's history
(``ENTITY_HISTORY``), duplicate scores (``DUPLICATE_SCORE``) — then ``TIME_PRESSURE`` as in
the severity prior. The model itself (``models.priority.PriorityModel``) knows only columns.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from models.priority import PriorityModel

from .codes import CODES, Severity, severity_of
from .contract import ENTITY_KINDS, STAGES, Priority
from .errors import ModelError
from .priority import SeverityPrior, pressure_counts, score_of, time_pressure

SEVERITIES = tuple(s.value for s in Severity)
HISTORY_PRIOR = (1.0, 3.0)  # (returns, decisions) pseudo-counts: a newcomer looks like a 1-in-3 filer

FEATURES: tuple[str, ...] = (
    tuple(f"code:{c}" for c in CODES)
    + tuple(f"n:{s}" for s in SEVERITIES)
    + ("degraded", "dup:max", "dup:n", "hist:n", "hist:rate", "hist:any")
    + tuple(f"stage:{s}" for s in STAGES)
    + tuple(f"kind:{k}" for k in ENTITY_KINDS)
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def features(
    stage: str | None,
    entity_kind: str | None,
    findings: Iterable[tuple[str, float]],
    duplicate_scores: Sequence[float] = (),
    history: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """One feature row. ``findings``: (code, confidence) pairs; ``history``: (decided, sent back)."""
    x = np.zeros(len(FEATURES), dtype=np.float64)
    counts = dict.fromkeys(SEVERITIES, 0)
    for code, confidence in findings:
        if code not in CODES:
            continue
        i = _INDEX[f"code:{code}"]
        x[i] = max(x[i], min(1.0, max(0.0, float(confidence))))
        counts[severity_of(code).value] += 1
        if code == "CHECK_FAILED":
            x[_INDEX["degraded"]] = 1.0
    for s, n in counts.items():
        x[_INDEX[f"n:{s}"]] = math.log1p(n)
    if duplicate_scores:
        x[_INDEX["dup:max"]] = max(duplicate_scores)
        x[_INDEX["dup:n"]] = math.log1p(len(duplicate_scores))
    decided, returned = history
    if decided:
        x[_INDEX["hist:n"]] = math.log1p(decided)
        x[_INDEX["hist:rate"]] = (returned + HISTORY_PRIOR[0]) / (decided + HISTORY_PRIOR[1])
        x[_INDEX["hist:any"]] = 1.0
    if stage in STAGES:
        x[_INDEX[f"stage:{stage}"]] = 1.0
    if entity_kind in ENTITY_KINDS:
        x[_INDEX[f"kind:{entity_kind}"]] = 1.0
    return x


def features_from_report(form: Mapping[str, Any], report: Mapping[str, Any], history: tuple[int, int]) -> np.ndarray:
    """The feature row of a stored revision (its form and report, as the store keeps them)."""
    entity = form.get("entity") or {}
    return features(
        form.get("stage"), entity.get("kind"),
        ((f["code"], f.get("confidence", 1.0)) for f in report.get("findings", [])),
        [d.get("score", 0.0) for d in report.get("duplicates", [])],
        history,
    )


def reason_of(feature: str) -> str | None:
    """The reason a feature stands for in a Priority's ``reasons`` (None: never a reason)."""
    if feature.startswith("code:"):
        code = feature[5:]
        return None if severity_of(code) is Severity.INFO else code
    if feature.startswith("hist:"):
        return "ENTITY_HISTORY"
    if feature.startswith("dup:"):
        return "DUPLICATE_SCORE"
    return None


_FINDING_FEATURES = np.array([n.startswith(("code:", "n:")) or n == "degraded" for n in FEATURES])


def _without_findings(x: np.ndarray) -> np.ndarray:
    """The same submission with no findings (stage, kind, history and duplicates kept)."""
    out = np.array(x, dtype=np.float64)
    out[_FINDING_FEATURES] = 0.0
    return out


def contributions(model: PriorityModel, x: np.ndarray) -> dict[str, float]:
    """Each reason's push on the logit, measured from a clean submission (all features 0)."""
    push = model.coef * (np.asarray(x, dtype=np.float64) / model.scale)
    out: dict[str, float] = {}
    present = [FEATURES[i][5:] for i in np.flatnonzero(x) if FEATURES[i].startswith("code:")]
    for i in np.flatnonzero(x):
        name = FEATURES[i]
        if name.startswith("n:"):
            # a severity count belongs to the codes that made it: share its push among them, so a
            # code whose own weight the count cancels (reviewers keep rejecting it) is no reason
            codes = [c for c in present if severity_of(c).value == name[2:] and severity_of(c) is not Severity.INFO]
            for c in codes:
                out[c] = out.get(c, 0.0) + float(push[i]) / len(codes)
            continue
        reason = reason_of(name)
        if reason is not None:
            out[reason] = out.get(reason, 0.0) + float(push[i])
    return out

def predict_one(self, x: np.ndarray) -> tuple[float, dict[str, float]]:
    return float(self.predict_proba(x)[0]), self.contributions(x)


# ---------------------------------------------------------------------- the entity's history
class EntityHistory:
    """Decided submissions per entity (USCC), kept up to date from the store's decisions.

    A submission counts once, with its latest decision; the one being scored is left out. The
    store is read at most every ``refresh_s`` seconds, a bounded batch at a time, by one thread
    while the others use what is already known.
    """

    def __init__(self, store=None, *, refresh_s: float = 5.0, batch: int = 200) -> None:
        self.store = store
        self.refresh_s = refresh_s
        self.batch = batch
        self._by_uscc: dict[str, dict[str, bool]] = {}
        self._uscc_of: dict[str, str | None] = {}
        self._last_id = 0
        self._next = 0.0
        self._lock = threading.Lock()

    def warm(self) -> "EntityHistory":
        """Read every decision so far in bulk (at start-up), so requests only ever read a few new ones."""
        if self.store is None:
            return self
        with self._lock:
            decisions = self.store.decisions(since_id=self._last_id)
            wanted = {d["submission_id"] for d in decisions} - set(self._uscc_of)
            last = 0
            while wanted:
                batch = self.store.revisions_since(last, limit=5000)
                if not batch:
                    break
                for rev in batch:
                    if rev.submission_id in wanted:
                        self._uscc_of[rev.submission_id] = ((rev.form.get("entity") or {}).get("uscc") or None)
                last = batch[-1].seq
            for d in decisions:
                sid = d["submission_id"]
                if sid in self._uscc_of:
                    self.add(self._uscc_of[sid], sid, d["decision"] != "approved")
                self._last_id = d["id"]
        return self

    def add(self, uscc: str | None, submission_id: str, sent_back: bool) -> None:
        if uscc:
            self._by_uscc.setdefault(uscc.strip().upper(), {})[submission_id] = sent_back

    def lookup(self, uscc: str | None, exclude: str | None = None) -> tuple[int, int]:
        self._maybe_refresh()
        seen = self._by_uscc.get(uscc or "", {})
        decided = len(seen) - (1 if exclude in seen else 0)
        returned = sum(v for k, v in seen.items() if k != exclude)
        return decided, returned

    def _maybe_refresh(self) -> None:
        import time

        if self.store is None or time.monotonic() < self._next or not self._lock.acquire(blocking=False):
            return
        try:
            self._next = time.monotonic() + self.refresh_s
            for d in self.store.decisions(since_id=self._last_id, limit=self.batch):
                sid = d["submission_id"]
                if sid not in self._uscc_of:
                    form = self.store.revision(sid, d["revision"]).form
                    self._uscc_of[sid] = ((form.get("entity") or {}).get("uscc") or None)
                self.add(self._uscc_of[sid], sid, d["decision"] != "approved")
                self._last_id = d["id"]
        except Exception:  # history is a hint; a failed read must not fail a screening
            import logging

            logging.getLogger(__name__).exception("entity history refresh failed")
        finally:
            self._lock.release()


# ---------------------------------------------------------------------- the prioritizer
class LearnedPrioritizer:
    """screening.pipeline.Prioritizer over the priority model in service.

    ``source`` is a ``PriorityModel`` or anything with ``current()`` returning one (a
    ``models.registry.ServedModel``, which swaps in a newly promoted model): each call takes
    the model once, so a request in flight finishes with the model it started with.
    """

    def __init__(self, source, history: EntityHistory | None = None, *, now: datetime | None = None,
                 max_reasons: int = 6, min_push: float = 0.2) -> None:
        self._source = source
        self.history = history or EntityHistory()
        self._now = now
        self.max_reasons = max_reasons
        self.min_push = min_push  # a reason moves the odds by at least e^0.2 ≈ 1.22×

    def _model(self) -> PriorityModel | None:
        return self._source.current() if hasattr(self._source, "current") else self._source

    @property
    def version(self) -> str:
        model = self._model()
        return model.version if model is not None else SeverityPrior.version

    def score(self, ctx, findings) -> Priority:
        model = self._model()
        if model is None:  # the alias was removed by hand: the prior stands rather than failing screenings
            return SeverityPrior(self._now).score(ctx, findings)
        sub = ctx.submission
        entity = sub.entity
        uscc = entity.uscc.strip().upper() if entity is not None and entity.uscc else None
        x = features(
            sub.stage, entity.kind if entity is not None else None,
            ((f.code, f.confidence) for f in findings),
            [d.score for d in ctx.duplicates],
            self.history.lookup(uscc, exclude=sub.submission_id),
        )
        p, push = float(model.predict_proba(x)[0]), contributions(model, x)
        reasons = [r for r, v in sorted(push.items(), key=lambda kv: -kv[1]) if v >= self.min_push]
        if reasons and p - float(model.predict_proba(_without_findings(x))[0]) < 0.02:
            # the calibrated chance is no higher than with no findings at all (a flat stretch of the
            # calibration): nothing here drove it, whatever the logit says
            reasons = [r for r in reasons if r in ("ENTITY_HISTORY", "DUPLICATE_SCORE")]
        now = self._now or (datetime.now(sub.submitted_at.tzinfo) if sub.submitted_at is not None else datetime.now())
        pressure = time_pressure(sub.stage, sub.submitted_at, now)
        if pressure_counts(pressure):
            reasons = reasons[: self.max_reasons - 1] + ["TIME_PRESSURE"]
        return Priority(score=score_of(p, pressure), p_reject=round(p, 4), reasons=reasons[: self.max_reasons],
                        model=model.version)


# ---------------------------------------------------------------------- in service
def served_prioritizer(registry_dir, store=None, *, check_s: float = 1.0) -> LearnedPrioritizer:
    """The prioritizer over the registry's ``priority`` alias.

    Until a model is promoted — or after a rollback to the built-in version — it scores with
    the severity prior (``screening.priority``); a promotion or rollback is picked up within
    ``check_s`` seconds without a restart.
    """
    from models.registry import Registry, ServedModel

    registry = Registry(registry_dir)
    served = ServedModel(registry, "priority", load_priority_model, check_s=check_s)
    alias, shipped = registry.serving("priority"), registry.builtin("priority")
    if alias is not None and alias != (shipped.version if shipped else None) and served.current() is None:
        raise ModelError("the priority model in service could not be loaded")
    return LearnedPrioritizer(served, EntityHistory(store).warm())


BASELINE_KIND = "severity-prior"  # models/weights/priority: the registry's built-in first version


def load_priority_model(directory) -> PriorityModel | None:
    """A registered priority model; None for the built-in severity prior (the prioritizer then
    scores with ``SeverityPrior``). A model trained before finding codes were added serves on,
    the new codes weighing nothing in it (they still count in their severity's count); one that
    knows a feature this version does not compute, or lacks any but a code's, is refused."""
    from models.base import Manifest

    manifest = Manifest.read(directory)
    if manifest.kind == BASELINE_KIND:
        manifest.verify(directory)
        return None
    model = PriorityModel.load(directory)
    if model.feature_names == list(FEATURES):
        return model
    known = set(model.feature_names)
    unseen = [n for n in FEATURES if n not in known]
    if known - set(FEATURES) or any(not n.startswith("code:") for n in unseen):
        raise ModelError(f"{directory}: the model was trained on another feature list; retrain it")
    return model.with_features(FEATURES)


def has_served_priority(registry_dir) -> bool:
    from models.registry import Registry

    return Registry(registry_dir).serving("priority") is not None
