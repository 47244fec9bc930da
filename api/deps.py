"""Request dependencies: the service objects on app.state, and who is calling."""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from fastapi import Depends, Header, Request

from screening.errors import Forbidden, Unauthorized
from screening.service import ScreeningService
from screening.storage import Store
from screening.storage.keys import SCOPES


@dataclass
class Principal:
    kind: str  # "api_key" (the pipeline) or "user" (a signed-in reviewer)
    name: str
    role: str
    scopes: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


def client_address(request: Request) -> str | None:
    """Where a request came from, for the audit log (behind a proxy: uvicorn's --forwarded-allow-ips)."""
    return request.client.host[:64] if request.client else None


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_service(request: Request) -> ScreeningService:
    return request.app.state.service


def screening_limiter(request: Request) -> anyio.CapacityLimiter:
    """The process's places for screenings run in threads, made on first use (inside the event
    loop, where anyio wants it made)."""
    state = request.app.state
    limiter = getattr(state, "screening_limiter", None)
    if limiter is None:
        limiter = state.screening_limiter = anyio.CapacityLimiter(state.settings.screen_threads)
    return limiter


def require_principal(request: Request, authorization: str | None = Header(default=None)) -> Principal:
    """An API key (``Authorization: Bearer psk_…``) or a reviewer's signed-in session."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("use 'Authorization: Bearer <API key>'", field="Authorization")
        key = request.app.state.store.verify_api_key(token.strip())
        if key is None:
            raise Unauthorized("unknown, revoked or expired API key", field="Authorization")
        return Principal("api_key", key.name, "pipeline", key.scopes)
    user = getattr(request.state, "user", None)  # set by the reviewer pages' session middleware
    if user is not None:
        return Principal("user", user.username, user.role, SCOPES)  # a signed-in reviewer may do all of it
    raise Unauthorized("an API key or a signed-in session is required", field="Authorization")


def require_scope(scope: str):
    """A dependency: the caller, when its key carries ``scope`` (signed-in users always do)."""
    if scope not in SCOPES:
        raise ValueError(scope)  # a programming error

    def dependency(principal: Principal = Depends(require_principal)) -> Principal:
        if scope not in principal.scopes:
            raise Forbidden(f"this API key may not do this (it needs the '{scope}' scope; "
                            "reviewers' actions are for signed-in reviewers)", field="Authorization")
        return principal

    return dependency


def require_admin(principal: Principal = Depends(require_principal)) -> Principal:
    """A signed-in admin; no API key reads the audit log."""
    if principal.kind != "user" or principal.role != "admin":
        raise Forbidden("only a signed-in admin may do this", field="Authorization")
    return principal
