"""/v1/verified-codes: a reviewer marks a real USCC with a non-conforming check character as verified."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from screening.storage import Store

from ..deps import Principal, client_address, get_store, require_scope
from ..schemas import ErrorOut, VerifiedCodeIn

router = APIRouter(prefix="/v1", tags=["reviewers"])


@router.post("/verified-codes", status_code=201, responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
             summary="Mark a USCC as checked against the registry, so ENTITY_USCC_INVALID no longer fires for it")
def post_verified_code(request: Request, body: VerifiedCodeIn, principal: Principal = Depends(require_scope("verified_codes")),
                       store: Store = Depends(get_store)) -> dict:
    store.mark_code_verified(body.uscc, actor=principal.actor, note=body.note, client=client_address(request))
    return {"uscc": body.uscc, "verified": True}
