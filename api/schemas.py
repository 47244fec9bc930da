"""Pydantic schemas at the HTTP edge: what OpenAPI documents and responses are checked against.

The pipeline's own types are the dataclasses in ``screening.contract``; these mirror them
for the docs and validate request bodies. Responses allow extra keys, so additions to the
contract (CONTRACT.md: "add to it freely") reach clients before the schema names them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["entity", "product", "annual_update", "revocation"]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    error: str = Field(examples=["InvalidInput"])
    message: str
    field: str | None = Field(default=None, description="dotted path of the field at fault", examples=["entity.uscc"])


class FindingOut(Open):
    code: str = Field(examples=["NAME_BRAND"])
    severity: Literal["block", "high", "medium", "info"]
    field: str | None
    message: str
    evidence: dict[str, Any] = {}
    confidence: float
    source: str


class PriorityOut(Open):
    score: float = Field(ge=0, le=100)
    p_reject: float | None
    reasons: list[str]


class DuplicateOut(Open):
    submission_id: str
    score: float
    product_name: str | None = None
    entity_name: str | None = None


class RevisionOut(Open):
    revision: int
    screened_at: str
    status: str
    priority_score: float
    codes: list[str]


class JobOut(BaseModel):
    job_id: int
    submission_id: str
    state: Literal["queued", "running", "done", "failed"]
    attempts: int = Field(description="claims so far: more than 1 after a worker died or a part was unavailable")
    revision: int | None = Field(default=None, description="the revision recorded, once done")
    error: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    status_url: str | None = Field(default=None, description="where to ask again: GET /v1/jobs/{job_id}")
    report_url: str | None = Field(default=None, description="once done: GET /v1/screenings/{submission_id}")


class ReportOut(Open):
    submission_id: str
    status: Literal["complete", "degraded", "pending"] = Field(
        description="pending: the documents are still being read (see 'job'); the rest is final")
    pending: list[str] | None = Field(default=None, description="the parts still running, when pending")
    job: JobOut | None = Field(default=None, description="when pending: the job that finishes the report")
    revision: int | None = None
    priority: PriorityOut
    findings: list[FindingOut]
    extracted: dict[str, Any] = {}
    duplicates: list[DuplicateOut] = []
    models: dict[str, str] = {}
    timings_ms: dict[str, float] = {}
    revisions: list[RevisionOut] | None = Field(default=None, description="GET only: every revision, oldest first")


class FindingFeedbackIn(BaseModel):
    verdict: Literal["confirmed", "false_positive"]
    finding: int | str | None = Field(
        default=None, description="the finding: its position in the report's findings (0, 1, …) or its code "
                                  "(\"NAME_BRAND\"; a code found twice needs 'field')")
    code: str | None = Field(default=None, max_length=64, description="older form of a code in 'finding'")
    field: str | None = Field(default=None, max_length=255)


class DecisionIn(BaseModel):
    decision: Literal["approved", "rejected", "returned"]
    reason_codes: list[str] = Field(default=[], max_length=50)
    feedback: list[FindingFeedbackIn] = Field(default=[], max_length=200)
    comment: str | None = Field(default=None, max_length=5000)
    reviewer: str | None = Field(default=None, max_length=128)
    revision: int | None = Field(default=None, ge=1, lt=1_000_000, description="default: the latest revision")


class DecisionOut(Open):
    id: int
    submission_id: str
    revision: int
    decision: str
    reason_codes: list[str]
    feedback: list[dict[str, Any]]
    comment: str | None
    reviewer: str
    supersedes: int | None
    created_at: str


class QueuePriorityOut(PriorityOut):
    """The priority as it stands now: the stored p_reject with today's time pressure."""

    time_pressure: float | None = Field(default=None, description="share of the review target used, today")
    score_at_screening: float | None = Field(default=None, description="the score stored when it was screened")


class QueueItemOut(Open):
    submission_id: str
    stage: Stage
    revision: int
    priority: QueuePriorityOut
    submitted_at: str
    age_days: float
    codes: list[str]


class QueueOut(BaseModel):
    total: int
    counts: dict[str, int]
    items: list[QueueItemOut]
    next_cursor: str | None = Field(default=None, description="pass as 'cursor' for the next page; null at the end")


class VerifiedCodeIn(BaseModel):
    uscc: str = Field(min_length=18, max_length=18, pattern=r"^[0-9A-Z]{18}$")
    note: str | None = Field(default=None, max_length=1000)


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    ready: bool = Field(description="the database and the upload storage can be used")
    database: str
    storage: str = Field(description="'ok', or why an upload could not be stored now")
    models: dict[str, str]
    failed: dict[str, str]


class AuditEntryOut(BaseModel):
    id: int
    at: str
    actor: str = Field(examples=["user:wang"], description="user:NAME, api_key:NAME, cli…, or anonymous")
    action: str = Field(examples=["decision.recorded"])
    subject: str | None
    detail: dict[str, Any]
    client: str | None = Field(description="the caller's address, where known")


class AuditOut(BaseModel):
    items: list[AuditEntryOut]
    next: int | None = Field(description="pass as 'before' for the next (older) page; null at the end")
