"""Request dependencies: the service objects on app.state, and who is calling."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Header, Request

from screening.errors import Unauthorized
from screening.service import ScreeningService
from screening.storage import Store


@dataclass
class Principal:
    kind: str  # "api_key" (the pipeline) or "user" (a signed-in reviewer)
    name: str
    role: str

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_service(request: Request) -> ScreeningService:
    return request.app.state.service


def require_principal(request: Request, authorization: str | None = Header(default=None)) -> Principal:
    """An API key (``Authorization: Bearer psk_…``) or a reviewer's signed-in session."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("use 'Authorization: Bearer <API key>'", field="Authorization")
        key = request.app.state.store.verify_api_key(token.strip())
        if key is None:
            raise Unauthorized("unknown or revoked API key", field="Authorization")
        return Principal("api_key", key.name, "pipeline")
    user = getattr(request.state, "user", None)  # set by the reviewer pages' session middleware
    if user is not None:
        return Principal("user", user.username, user.role)
    raise Unauthorized("an API key or a signed-in session is required", field="Authorization")
