"""Sign-in and sign-out."""

from __future__ import annotations

import time
from collections import defaultdict, deque

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
    set_session_cookie,
    signed_in,
)
from .templating import render

router = APIRouter(include_in_schema=False)

MAX_FAILURES, WINDOW_S = 5, 15 * 60


class FailedSignIns:
    """Failed sign-ins per username in this process: five in 15 minutes lock the name for a while."""

    def __init__(self) -> None:
        self.times: dict[str, deque[float]] = defaultdict(deque)

    def locked(self, username: str) -> bool:
        q = self.times.get(username)
        if not q:
            return False
        while q and q[0] < time.monotonic() - WINDOW_S:
            q.popleft()
        return len(q) >= MAX_FAILURES

    def add(self, username: str) -> None:
        if len(self.times) > 10_000:  # guessing many names must not grow this without bound
            cutoff = time.monotonic() - WINDOW_S
            for name in [n for n, q in self.times.items() if not q or q[-1] < cutoff]:
                del self.times[name]
        self.times[username].append(time.monotonic())

    def clear(self, username: str) -> None:
        self.times.pop(username, None)


def _login_page(request: Request, *, error: str | None = None, status: int = 200, username: str = "",
                next_url: str = "/queue") -> Response:
    token = new_login_csrf()
    response = render(request, "login.html", {"error": error, "login_csrf": token, "username": username,
                                              "next": next_url}, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
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
    failures: FailedSignIns = request.app.state.web_failed_sign_ins
    if failures.locked(username):
        return _login_page(request, error="登录失败次数过多，请15分钟后再试。", status=429, username=username,
                           next_url=next_url)
    users = request.app.state.users
    user = await run_in_threadpool(users.authenticate, username, password)
    if user is None:
        failures.add(username)
        return _login_page(request, error="用户名或密码错误。", status=401, username=username, next_url=next_url)
    failures.clear(username)
    old = getattr(request.state, "session_token", None)
    if old:  # never keep a session id from before the sign-in
        await run_in_threadpool(users.end_session, old)
    token, _ = await run_in_threadpool(users.start_session, user, user_agent=request.headers.get("user-agent"))
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
