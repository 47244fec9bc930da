"""The screening pipeline: a sequence of small checks, each owning a list of finding codes.

Order matters and is fixed in ``default_checks()``:

1. files      — type, size and decodability of every upload (decoded images are kept on the
                context, ``ctx.decoded``, for the document readers and the photo checks);
2. rules      — entity, figures, product form and patents: exact rules, no models;
3. documents  — OCR of the licence and statement, cross-checked against the form;
4. text       — the text models over name, models and introduction;
5. filed record — an annual update or revocation against the product's filed record (the store);
6. duplicates — search of every filed product;
then the priority score over all findings.

A check that crashes does not take the report with it: its part becomes a ``CHECK_FAILED``
info finding and the report's status ``degraded`` (CONTRACT.md: "never a silent gap").
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from .codes import CODES, severity_of, title_of
from .contract import DuplicateRef, Finding, Report, Submission
from .errors import ModelError
from .ports import (
    DocumentReaders,
    DuplicateSearch,
    FiledRecords,
    PatentRegister,
    Prioritizer,
    ServedTextFeedback,
    TextScreener,
    VerifiedCodes,
)
from .uploads import DecodedUpload, UploadedFile  # UploadedFile: imported from here by the callers

log = logging.getLogger(__name__)


@dataclass
class Resources:
    """Everything loaded once at start-up and shared by all screenings (models, indexes).

    Each slot is optional: a check whose resource is absent reports ``CHECK_FAILED`` (the
    part could not run) rather than silently passing.
    """

    # each slot's Protocol (screening/ports.py) names the class loaded into it
    ocr: DocumentReaders | None = None
    text: TextScreener | None = None
    text_feedback: ServedTextFeedback | None = None  # reviewers' false positives, learned
    duplicates: DuplicateSearch | None = None
    prioritizer: Prioritizer | None = None
    verified_codes: VerifiedCodes | None = None  # codes a reviewer marked as verified
    filed_records: FiledRecords | None = None  # what annual updates and revocations refer to
    patent_register: PatentRegister | None = None
    model_versions: dict[str, str] = field(default_factory=dict)  # key -> version at start-up

    # the key a slot's version is shown under, where it differs from the slot (one key per model)
    VERSION_KEYS: ClassVar[dict[str, str]] = {"prioritizer": "priority"}

    def live_versions(self) -> dict[str, str]:
        """Each loaded resource's version as it answers now: the served models (pair scorer, text
        feedback, priority) swap on a promotion or rollback without a restart, so the start-up
        ``model_versions`` would name a model that no longer answers."""
        slots = {key: slot for slot, key in self.VERSION_KEYS.items()}
        out = {}
        for key, loaded in self.model_versions.items():
            obj = getattr(self, slots.get(key, key), None)
            out[key] = getattr(obj, "version", loaded) if obj is not None else loaded
        return out


@dataclass
class ScreeningContext:
    submission: Submission
    files: dict[str, UploadedFile]
    resources: Resources
    today: date
    findings: list[Finding] = field(default_factory=list)
    extracted: dict[str, Any] = field(default_factory=dict)
    duplicates: list[DuplicateRef] = field(default_factory=list)
    # accepted image uploads by file name, decoded once by the file check
    decoded: dict[str, DecodedUpload] = field(default_factory=dict)
    # file names whose content failed the file check: readers must not touch them
    bad_files: set[str] = field(default_factory=set)
    degraded: bool = False

    def add(
        self,
        code: str,
        field: str | None,
        message: str | None = None,
        *,
        evidence: dict[str, Any] | None = None,
        confidence: float = 1.0,
        source: str = "rules",
    ) -> Finding:
        if code not in CODES:
            raise KeyError(f"unknown finding code {code}")  # a programming error
        finding = Finding(
            code=code,
            severity=severity_of(code).value,
            field=field,
            message=message or title_of(code),
            evidence=evidence or {},
            confidence=round(float(confidence), 4),
            source=source,
        )
        self.findings.append(finding)
        return finding

    def skip(self, field: str, what: str) -> None:
        """Say what could not be checked because the filer left it empty."""
        self.add("CHECK_SKIPPED", field, f"未填写，无法检查：{what}", evidence={"check": what}, source="pipeline")


class Check(ABC):
    """One small step. ``codes`` lists every finding code it may emit (CHECK_SKIPPED aside)."""

    name: str = "check"
    part: str = "rules"  # the timings_ms bucket
    codes: tuple[str, ...] = ()

    def applies(self, ctx: ScreeningContext) -> bool:
        return True

    @abstractmethod
    def run(self, ctx: ScreeningContext) -> None:
        """Add findings to ``ctx`` (``ctx.add``) and extracted fields to ``ctx.extracted``."""


class Pipeline:
    def __init__(self, checks: Iterable[Check], resources: Resources | None = None) -> None:
        self.checks = list(checks)
        self.resources = resources or Resources()

    def screen(
        self, submission: Submission, files: dict[str, UploadedFile], *, today: date | None = None,
        skip_parts: frozenset[str] = frozenset(),
    ) -> Report:
        """Run every check (but those of ``skip_parts``: a partial answer while a job reads the
        documents) and score the priority."""
        started = time.perf_counter()
        ctx = ScreeningContext(
            submission=submission,
            files=files,
            resources=self.resources,
            today=today or _submission_day(submission),
        )
        timings: dict[str, float] = {}
        for check in self.checks:
            if check.part in skip_parts or not check.applies(ctx):
                continue
            t0 = time.perf_counter()
            try:
                check.run(ctx)
            except Exception as exc:  # a broken part degrades the report, never loses it
                if isinstance(exc, ModelError):  # a resource that did not load: said once at start-up already
                    log.warning("check skipped: %s", exc, extra={"check": check.name,
                                                                "submission_id": submission.submission_id})
                else:
                    log.exception("check failed", extra={"check": check.name, "submission_id": submission.submission_id})
                ctx.degraded = True
                ctx.add(
                    "CHECK_FAILED",
                    None,
                    f"检查“{check.name}”未能完成，请人工核查",
                    evidence={"check": check.name, "error": type(exc).__name__},
                    source="pipeline",
                )
            timings[check.part] = timings.get(check.part, 0.0) + (time.perf_counter() - t0) * 1000
        if any(f.code == "CHECK_FAILED" for f in ctx.findings):
            ctx.degraded = True
        prioritizer = self.resources.prioritizer
        if prioritizer is None:
            from .priority import SeverityPrior

            prioritizer = SeverityPrior()
        t0 = time.perf_counter()
        priority = prioritizer.score(ctx, ctx.findings)
        timings["priority"] = (time.perf_counter() - t0) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        findings = sorted(ctx.findings, key=lambda f: -severity_of(f.code).rank)
        return Report(
            submission_id=submission.submission_id,
            status="degraded" if ctx.degraded else "complete",
            priority=priority,
            findings=findings,
            extracted=ctx.extracted,
            duplicates=ctx.duplicates,
            models={**self.resources.live_versions(), "priority": prioritizer.version},
            timings_ms={k: round(v, 2) for k, v in timings.items()},
        )


    def recheck(self, report: Report, submission: Submission, files: dict[str, UploadedFile], *, part: str,
                today: date | None = None) -> Report:
        """The report with the checks of one ``part`` run again and the priority re-scored; the
        other parts' findings stand. For a part whose answer depends on other filings
        (``duplicates``) when filings were recorded while this one was being screened."""
        rerun = [c for c in self.checks if c.part == part]
        if not rerun:
            return report
        started = time.perf_counter()
        ctx = ScreeningContext(submission=submission, files=files, resources=self.resources,
                               today=today or _submission_day(submission), extracted=dict(report.extracted))
        for check in self.checks:  # the files check first: it decodes the images the others read
            if check.part == "files" and check.applies(ctx):
                check.run(ctx)
        ctx.findings = []
        names = {c.name for c in rerun}
        owned = {code for c in rerun for code in c.codes}
        kept = [f for f in report.findings if f.code not in owned
                and not (f.code == "CHECK_FAILED" and f.evidence.get("check") in names)]
        for check in rerun:
            if not check.applies(ctx):
                continue
            try:
                check.run(ctx)
            except Exception as exc:  # as in screen(): a broken part degrades the report
                log.exception("check failed", extra={"check": check.name, "submission_id": submission.submission_id})
                ctx.add("CHECK_FAILED", None, f"检查“{check.name}”未能完成，请人工核查",
                        evidence={"check": check.name, "error": type(exc).__name__}, source="pipeline")
        findings = sorted(kept + ctx.findings, key=lambda f: -severity_of(f.code).rank)
        prioritizer = self.resources.prioritizer
        if prioritizer is None:
            from .priority import SeverityPrior

            prioritizer = SeverityPrior()
        ctx.findings = findings
        timings = dict(report.timings_ms)
        timings[f"{part}_recheck"] = round((time.perf_counter() - started) * 1000, 2)
        degraded = any(f.code == "CHECK_FAILED" for f in findings)
        return Report(submission_id=report.submission_id, status="degraded" if degraded else "complete",
                      priority=prioritizer.score(ctx, findings), findings=findings, extracted=report.extracted,
                      duplicates=ctx.duplicates if part == "duplicates" else report.duplicates,
                      models=report.models, timings_ms=timings, revision=report.revision)


def _submission_day(submission: Submission) -> date:
    if submission.submitted_at is not None:
        return submission.submitted_at.date()
    return datetime.now().date()
