"""/v1/audit: the append-only audit log (who, when, what, from where), for signed-in admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from screening.storage import Store

from ..deps import Principal, get_store, require_admin
from ..schemas import AuditOut, ErrorOut

router = APIRouter(prefix="/v1", tags=["operations"])


@router.get("/audit", response_model=AuditOut,
            responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
            summary="The audit log, newest first (signed-in admins only); page on with 'before'")
def get_audit(
    subject: str | None = Query(default=None, max_length=128, description="a submission id, username, key name…"),
    action: str | None = Query(default=None, max_length=64, examples=["decision.recorded"]),
    actor: str | None = Query(default=None, max_length=128, examples=["user:wang"]),
    before: int | None = Query(default=None, ge=1, le=2**62, description="the 'next' of the previous page"),
    limit: int = Query(default=100, ge=1, le=1000),
    _: Principal = Depends(require_admin),
    store: Store = Depends(get_store),
) -> dict:
    items = store.audit_log(subject, limit, before_id=before, action=action, actor=actor)
    return {"items": items, "next": items[-1]["id"] if len(items) == limit else None}
