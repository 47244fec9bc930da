"""Who is signed in: the session cookie, CSRF tokens, and the role checks of the pages.

The middleware reads the ``prescreen_session`` cookie on every request and, when it names a
live session, sets ``request.state.user`` (what ``api.deps.require_principal`` accepts) and
``request.state.web_session``. The JSON API takes a session for its unsafe methods (POST…)
only with the session's CSRF token in an ``X-CSRF-Token`` header, which another site's form
cannot send; the pages check the token in each form instead.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.responses import Response

from screening.storage.users import LIFETIME, SignedIn, UserStore

SESSION_COOKIE = "prescreen_session"
LOGIN_CSRF_COOKIE = "prescreen_login_csrf"  # double-submit token for the sign-in form (no session yet)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PAGE_ROLES = {  # who may open which pages
    "reviewer": {"reviewer", "data_scientist", "admin"},
    "data_scientist": {"data_scientist", "admin"},
    "admin": {"admin"},
}


class SignInRequired(Exception):
    """A page was asked for without a live session: the handler redirects to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class RoleForbidden(Exception):
    """Signed in, but this page belongs to another role."""


class CsrfRejected(Exception):
    """A form came without this session's CSRF token."""


class SessionMiddleware:
    """Pure ASGI: one indexed lookup when a session cookie is present, nothing otherwise."""

    def __init__(self, app, users: UserStore) -> None:
        self.app = app
        self.users = users

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith("/static/"):  # static files need no one
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
                   if k in (b"cookie", b"x-csrf-token")}
        token = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        if token:
            signed = await run_in_threadpool(self.users.session, token)
            if signed is not None:
                state = scope.setdefault("state", {})
                state["web_session"] = signed
                state["session_token"] = token
                api_write = scope["method"] not in SAFE_METHODS and scope["path"].startswith("/v1/")
                if not api_write or _same(headers.get("x-csrf-token"), signed.csrf_token):
                    state["user"] = signed.user
        await self.app(scope, receive, send)


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def signed_in(request: Request) -> SignedIn | None:
    return getattr(request.state, "web_session", None)


def page_session(role: str = "reviewer"):
    """A dependency: the live session of a user whose role may open pages of ``role``."""
    allowed = PAGE_ROLES[role]

    def dependency(request: Request) -> SignedIn:
        session = signed_in(request)
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        if session.user.role not in allowed:
            raise RoleForbidden()
        return session

    return dependency


def check_csrf(session: SignedIn, sent: str | None) -> None:
    if not _same(sent, session.csrf_token):
        raise CsrfRejected()


def safe_next(url: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//'): an open redirect is a phishing aid."""
    if not url:
        return "/queue"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/queue"
    return url


def login_redirect(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def secure_cookies(request: Request) -> bool:
    """Secure when the request came over HTTPS, or always where the operator says TLS is in
    front (PRESCREEN_SECURE_COOKIES: a proxy that terminates TLS forwards plain HTTP)."""
    settings = getattr(request.app.state, "settings", None)
    return request.url.scheme == "https" or bool(getattr(settings, "secure_cookies", False))


def set_session_cookie(response: Response, token: str, request: Request) -> None:
    # Strict: no other site's link or form carries the session (a link from outside opens the
    # sign-in page first)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(LIFETIME.total_seconds()), path="/", httponly=True,
                        samesite="strict", secure=secure_cookies(request))


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
