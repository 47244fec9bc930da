"""/v1/screenings: screen a submission, read its reports, record a decision."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from screening.errors import InvalidInput, PayloadTooLarge
from screening.parsing import parse_decision, parse_submission_json
from screening.pipeline import UploadedFile
from screening.service import MAX_FILE_BYTES, MAX_FILES, ScreeningService
from screening.storage import Store

from ..multipart import read_form
from ..deps import Principal, client_address, get_service, get_store, require_scope, screening_limiter
from ..schemas import DecisionIn, DecisionOut, ErrorOut, JobOut, ReportOut

router = APIRouter(prefix="/v1/screenings", tags=["screenings"])

SubmissionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$", examples=["2026-P-000123"])]
MAX_SUBMISSION_BYTES = 2 * 1024 * 1024
ERRORS = {400: {"model": ErrorOut}, 403: {"model": ErrorOut}, 503: {"model": ErrorOut}, 401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}}

MULTIPART_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["submission"],
                    "properties": {
                        "submission": {"type": "string", "description": "the submission JSON (CONTRACT.md)"},
                    },
                    "additionalProperties": {"type": "string", "format": "binary",
                                             "description": "one part per file, named as documents[].file names it"},
                },
                "encoding": {"submission": {"contentType": "application/json"}},
            }
        },
    }
}


@router.post("", response_model=ReportOut, responses=ERRORS | {202: {"model": ReportOut | JobOut, "description": (
                 "accepted: a job reads the documents (wait=false, or not done within the wait); "
                 "Location names the job")}}, openapi_extra=MULTIPART_DOC,
             summary="Screen a submission (multipart: a 'submission' JSON part plus one part per file)")
async def post_screening(
    request: Request,
    wait: bool = Query(True, description="true (default): answer with the report, reading documents within "
                                         "PRESCREEN_SYNC_WAIT_S, else 202 with the rest of the report, pending; "
                                         "false: 202 at once with the job's status URL"),
    principal: Principal = Depends(require_scope("screen")),
    service: ScreeningService = Depends(get_service),
) -> dict:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("send multipart/form-data with a 'submission' JSON part", field="content-type")
    form = await read_form(request, max_files=MAX_FILES, max_fields=5, max_part_size=MAX_SUBMISSION_BYTES)
    try:
        raw = form.get("submission")
        if raw is None:
            raise InvalidInput("the 'submission' part is required", field="submission")
        # sent as a file part, the submission obeys the same cap as a plain field
        text = await raw.read(MAX_SUBMISSION_BYTES + 1) if isinstance(raw, UploadFile) else raw
        if len(text) > MAX_SUBMISSION_BYTES:
            raise PayloadTooLarge(f"the submission JSON may have at most {MAX_SUBMISSION_BYTES} bytes",
                                  field="submission")
        submission = parse_submission_json(text)
        files: dict[str, UploadedFile] = {}
        for name, part in form.multi_items():
            if name == "submission":
                continue
            if not isinstance(part, UploadFile):
                raise InvalidInput("file parts must be sent as files (with a filename)", field=name)
            if name in files:
                raise InvalidInput("the same file part was sent twice", field=name)
            data = await part.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise PayloadTooLarge(f"a file may have at most {MAX_FILE_BYTES} bytes", field=name)
            files[name] = UploadedFile(name=name, data=data)
    finally:
        await form.close()
    settings = request.app.state.settings
    if not wait:
        outcome = await run_in_threadpool(service.enqueue, submission, files, text, actor=principal.actor)
    else:
        # screenings that read no documents are CPU work under one GIL: a few at a time per process
        # (PRESCREEN_SCREEN_THREADS); one waiting for a document job takes no such place
        limiter = None if service.reads_documents(submission) else screening_limiter(request)
        outcome = await anyio.to_thread.run_sync(
            partial(service.screen_within, submission, files, text, actor=principal.actor, wait_s=settings.sync_wait_s),
            limiter=limiter)
    if outcome.new:
        request.app.state.metrics.observe_report(submission.stage, outcome.report)
    if outcome.job is None or outcome.job.finished:
        return outcome.report
    job = job_body(outcome.job)
    # accepted, not finished: 202 with where to ask (the partial report, when there is one)
    body = outcome.report | {"job": job} if outcome.report else job
    return JSONResponse(body, status_code=202, headers={"Location": job["status_url"]})


def job_body(job) -> dict:
    body = job.to_dict() | {"status_url": f"/v1/jobs/{job.id}"}
    if job.state == "done":
        body["report_url"] = f"/v1/screenings/{job.submission_id}"
    return body


@router.get("/{submission_id}", response_model=ReportOut, responses=ERRORS,
            summary="The latest report, with every revision")
def get_screening(submission_id: SubmissionId, _: Principal = Depends(require_scope("read")),
                  store: Store = Depends(get_store)) -> dict:
    report = dict(store.latest_report(submission_id))
    report["revisions"] = store.revisions(submission_id)
    return report


@router.post("/{submission_id}/decision", response_model=DecisionOut, status_code=201, responses=ERRORS,
             summary="Record a reviewer's decision (append-only; a later one supersedes)")
def post_decision(request: Request, submission_id: SubmissionId, body: DecisionIn,
                  principal: Principal = Depends(require_scope("decisions")),
                  service: ScreeningService = Depends(get_service)) -> dict:
    decision = parse_decision(body.model_dump())
    # the reviewer is who authenticated (a signed-in reviewer, or the owner a decisions key was
    # made for), never a name the client sends
    decision.reviewer = principal.name
    out = service.decide(submission_id, decision, actor=principal.actor, client=client_address(request))
    request.app.state.metrics.decisions.labels(decision.decision).inc()
    return out


@router.get("/{submission_id}/decisions", response_model=list[DecisionOut], responses=ERRORS,
            summary="Every decision on this submission, oldest first")
def get_decisions(submission_id: SubmissionId, _: Principal = Depends(require_scope("read")),
                  store: Store = Depends(get_store)) -> list[dict]:
    store.latest_report(submission_id)  # 404 for an unknown id rather than an empty list
    return store.decisions(submission_id)
