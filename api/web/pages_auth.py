"""Sign-in and sign-out."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from .auth import (
    LOGIN_CSRF_COOKIE,
    _same,
    check_csrf,
    clear_session_cookie,
    new_login_csrf,
    safe_next,
    secure_cookies,
    set_session_cookie,
    signed_in,
)
from .templating import render

router = APIRouter(include_in_schema=False)

log = logging.getLogger(__name__)


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy, uvicorn's --forwarded-allow-ips makes it the client's)."""
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, *, error: str | None = None, status: int = 200, username: str = "",
                next_url: str = "/queue") -> Response:
    token = new_login_csrf()
    response = render(request, "login.html", {"error": error, "login_csrf": token, "username": username,
                                              "next": next_url}, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True, samesite="strict",
                        secure=secure_cookies(request))
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_url=safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    next_url = safe_next(str(form.get("next", "")))
    if not _same(str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, error="页面已过期，请重新登录。", status=400, username=username, next_url=next_url)
    users = request.app.state.users
    result = await run_in_threadpool(users.sign_in, username, password, client=client_address(request))
    user = result.user
    if user is None:
        # the reason, never the name typed (it may be a person's name, or a password typed into it)
        log.info("sign-in failed", extra={"reason": result.reason})
        if result.reason in ("locked", "rate_limited"):
            return _login_page(request, error="登录失败次数过多，请15分钟后再试。", status=429, username=username,
                               next_url=next_url)
        return _login_page(request, error="用户名或密码错误。", status=401, username=username, next_url=next_url)
    old = getattr(request.state, "session_token", None)
    if old:  # never keep a session id from before the sign-in
        await run_in_threadpool(users.end_session, old)
    token, _ = await run_in_threadpool(users.start_session, user, user_agent=request.headers.get("user-agent"),
                                       client=client_address(request))
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, token, request)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = signed_in(request)
    response = RedirectResponse("/login", status_code=303)
    if session is None:
        clear_session_cookie(response)
        return response
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(session, str(form.get("csrf_token", "")))
    await run_in_threadpool(request.app.state.users.end_session, request.state.session_token,
                            actor=f"user:{session.user.username}")
    clear_session_cookie(response)
    return response
