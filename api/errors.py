"""The one place the project's exceptions become HTTP status codes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    ModelError,
    NotFound,
    PayloadTooLarge,
    PrescreenError,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

STATUS = [  # most specific first
    (PayloadTooLarge, 413),
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Unauthorized, 401),
    (Forbidden, 403),
    (ModelError, 503),
    (Unavailable, 503),
    (PrescreenError, 500),
]


HTTP_ERRORS = {400: "InvalidInput", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 413: "PayloadTooLarge", 503: "Unavailable"}


def status_for(exc: PrescreenError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PrescreenError)
    async def _prescreen_error(request: Request, exc: PrescreenError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {"Retry-After": "5"} if status == 503 else None
        return JSONResponse(exc.to_dict(), status_code=status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # what the framework raises itself (an unparsable body, an unknown path, a wrong method)
        # answers in the contract's shape too
        name = HTTP_ERRORS.get(exc.status_code, "InvalidInput" if exc.status_code < 500 else "InternalError")
        field = "body" if exc.status_code == 400 else None
        return JSONResponse({"error": name, "message": str(exc.detail), "field": field},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or None
        body = {"error": "InvalidInput", "message": first.get("msg", "invalid request"), "field": field,
                "errors": [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")} for e in errors[:20]]}
        return JSONResponse(body, status_code=422)

    for cls in DATABASE_DOWN:
        app.add_exception_handler(cls, _database_down)


# the database cannot be reached or answered in time: the request wrote nothing (one transaction)
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    return database_unavailable(request, exc)


def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable", extra={"path": request.url.path, "error": type(exc).__name__})
    return JSONResponse({"error": "Unavailable", "message": "the database is unavailable; nothing was stored, "
                         "try again later", "field": None}, status_code=503, headers={"Retry-After": "5"})


class LastResort:
    """The outermost middleware: what nothing else handled. A client that went away is noted,
    not treated as an error; an unavailable database is a 503; anything else is logged once,
    here, and answered 500 — and not raised on to the server, which would log it again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except ClientDisconnect:
            log.info("client disconnected", extra={"path": scope.get("path")})
        except Exception as exc:
            request = Request(scope)
            if isinstance(exc, DATABASE_DOWN):  # raised in middleware too (the session lookup)
                response = database_unavailable(request, exc)
            else:
                log.exception("unhandled error", extra={"path": scope.get("path")})
                response = JSONResponse({"error": "InternalError", "message": "internal error; it has been logged",
                                         "field": None}, status_code=500)
            if not started:
                await response(scope, receive, send)
