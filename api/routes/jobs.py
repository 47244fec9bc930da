"""/v1/jobs: where a screening accepted with 202 stands."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from screening.service import ScreeningService

from ..deps import Principal, get_service, require_scope
from ..schemas import ErrorOut, JobOut
from .screenings import job_body

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut,
            responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
            summary="A screening job: queued, running, done (with its report's URL) or failed")
def get_job(job_id: int = Path(ge=1, le=2**62), _: Principal = Depends(require_scope("read")),
            service: ScreeningService = Depends(get_service)) -> dict:
    return job_body(service.jobs.get(job_id))
