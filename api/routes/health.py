"""Liveness, readiness with model versions, and Prometheus metrics.

``/livez`` answers while the process runs; ``/readyz`` answers 503 while the database or the
upload storage cannot be used (a load balancer stops sending work, nobody restarts the
process, and it turns ready again by itself); ``/healthz`` is the contract's liveness with
model versions, saying ``degraded`` and why.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from screening.resources import live_versions

from ..schemas import HealthOut

router = APIRouter(tags=["operations"])


def _database(request: Request) -> str:
    try:
        with request.app.state.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # report, don't raise: a health check answers
        return f"error: {type(exc).__name__}"


def _state(request: Request) -> dict:
    state = request.app.state
    database = _database(request)
    storage = state.store.blobs.check_writable(min_free_bytes=state.settings.max_request_bytes)
    failed = dict(state.load_report.failed)
    ready = database == "ok" and storage == "ok"
    return {"status": "ok" if ready and not failed else "degraded", "ready": ready, "database": database,
            "storage": storage, "models": live_versions(state.service.pipeline.resources), "failed": failed}


@router.get("/healthz", response_model=HealthOut, summary="Liveness, database, upload storage and model versions")
async def healthz(request: Request) -> dict:
    return await run_in_threadpool(_state, request)


@router.get("/readyz", response_model=HealthOut, responses={503: {"model": HealthOut}},
            summary="Readiness: 503 while the database or the upload storage cannot be used")
async def readyz(request: Request) -> JSONResponse:
    body = await run_in_threadpool(_state, request)
    return JSONResponse(body, status_code=200 if body["ready"] else 503)


@router.get("/livez", summary="Liveness: the process answers")
def livez() -> dict:
    return {"status": "ok"}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    m = request.app.state.metrics
    return Response(m.render(), media_type=m.content_type)
