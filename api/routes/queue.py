"""/v1/queue: open submissions by priority."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from screening.storage import Store

from ..deps import Principal, get_store, require_scope
from ..schemas import ErrorOut, QueueOut

router = APIRouter(prefix="/v1", tags=["queue"])


@router.get("/queue", response_model=QueueOut, responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
            summary="Open submissions, highest priority first")
def get_queue(
    stage: Literal["entity", "product", "annual_update", "revocation"] | None = None,
    code: str | None = Query(default=None, pattern=r"^[A-Z_]{3,48}$", description="only those with this finding"),
    min_age_days: float | None = Query(default=None, ge=0, le=3650),
    max_age_days: float | None = Query(default=None, ge=0, le=3650),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000, description="prefer 'cursor': an offset makes the database "
                        "skip rows, and items move while a reviewer pages"),
    cursor: str | None = Query(default=None, max_length=400,
                               description="the previous page's next_cursor: the page after its last item"),
    _: Principal = Depends(require_scope("read")),
    store: Store = Depends(get_store),
) -> dict:
    total, items, next_cursor = store.queue_page(stage=stage, code=code, min_age_days=min_age_days,
                                                 max_age_days=max_age_days, limit=limit, offset=offset, cursor=cursor)
    return {"total": total, "counts": store.counts(), "items": items, "next_cursor": next_cursor}
