"""The reviewers' workspace: Chinese pages served by the app itself (no asset from outside).

``install_web(app)`` adds the session middleware (which also lets the JSON API accept a
signed-in reviewer), the pages, their static files, and the handlers that turn "not signed
in" into a redirect to the sign-in page and "wrong role" into a 403 page.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from screening.storage.users import UserStore

from .auth import CsrfRejected, RoleForbidden, SessionMiddleware, SignInRequired, login_redirect
from .files import FileInfo
from .templating import HERE, render


def install_web(app: FastAPI) -> None:
    from . import pages_auth, pages_review, pages_science

    app.state.users = UserStore(app.state.store.engine)
    app.state.web_files = FileInfo(app.state.store.blobs)
    for module in (pages_auth, pages_review, pages_science):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(SessionMiddleware, users=app.state.users)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(login_redirect(exc.next_url), status_code=303)

    @app.exception_handler(RoleForbidden)
    async def _forbidden(request: Request, exc: RoleForbidden) -> Response:
        return render(request, "message.html", {"title": "无权访问", "text": "您的账号角色不能访问此页面。"},
                      status_code=403)

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, exc: CsrfRejected) -> Response:
        return render(request, "message.html", {"title": "请求已被拒绝",
                                                "text": "页面已过期或来源不明（CSRF 校验失败）。请刷新页面后重试。"},
                      status_code=403)
