"""Liveness with model versions, and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from screening.resources import live_versions

from ..schemas import HealthOut

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut, summary="Liveness, database and model versions")
def healthz(request: Request) -> dict:
    state = request.app.state
    try:
        with state.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # report, don't raise: a health check answers
        database = f"error: {type(exc).__name__}"
    failed = dict(state.load_report.failed)
    ok = database == "ok" and not failed
    return {"status": "ok" if ok else "degraded", "database": database,
            "models": live_versions(state.service.pipeline.resources), "failed": failed}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    m = request.app.state.metrics
    return Response(m.render(), media_type=m.content_type)
