"""Sign-in, sessions, CSRF and role access of the reviewer pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.storage.user_tables import SessionRow, UserRow
from screening.storage.users import UserStore
from tests.api.web_helpers import sign_in
from training.pages_data import seed_realistic

PASSWORD = "correct-horse-42"


# the real argon2id at its lowest cost: the suite signs in often on two shared cores
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def users(app) -> UserStore:
    app.state.users.hasher = FAST
    return app.state.users


@pytest.fixture
def web(app):
    """A browser-like client: cookies, no API key."""
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


def make(users: UserStore, name: str, role: str = "reviewer") -> None:
    users.create_user(name, PASSWORD, role, actor="tests")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


PAGES = ["/queue", "/submissions/2026-P-000123", "/submissions/2026-P-000123/files/licence.png", "/models",
         "/admin/users"]


def test_a_signed_out_user_reaches_nothing(web, store):
    seed_realistic(store)
    for path in PAGES:
        r = web.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=" + path.split("?")[0]), r.headers["location"]
    for method, path in [("GET", "/v1/queue"), ("GET", "/v1/screenings/2026-P-000123"),
                         ("POST", "/v1/screenings/2026-P-000123/decision")]:
        r = web.request(method, path, json={"decision": "approved"} if method == "POST" else None)
        assert r.status_code == 401, (path, r.text)
    r = web.post("/submissions/2026-P-000123/decision", data={"decision": "approved"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert store.decisions("2026-P-000123") == []


def test_sign_in_sets_an_opaque_httponly_cookie_and_sign_out_ends_it(web, users, store):
    make(users, "wang")
    sign_in(web, "", "wang", PASSWORD)
    cookie = web.cookies.get("prescreen_session")
    assert cookie and len(cookie) >= 40
    page = web.get("/queue")
    assert page.status_code == 200
    assert "审核队列" in page.text and "wang" in page.text
    assert "Content-Security-Policy" in page.headers
    with store.Session() as s:
        ids = s.execute(select(SessionRow.id_hash)).scalars().all()
    assert len(ids) == 1 and cookie not in ids  # only a hash of the cookie is stored

    # the sign-out needs the session's token; without it nothing happens
    assert web.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert web.get("/queue").status_code == 200
    r = web.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    web.cookies.set("prescreen_session", cookie)  # replaying the old cookie does not bring it back
    assert web.get("/queue").status_code == 303


def test_the_cookie_flags(app, users):
    make(users, "wang")
    with TestClient(app, follow_redirects=False) as c:
        page = c.get("/login")
        r = c.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                   "next": "/queue"})
    assert r.status_code == 303 and r.headers["location"] == "/queue"
    set_cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("prescreen_session=")]
    assert len(set_cookie) == 1
    flags = set_cookie[0].lower()
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags and "max-age=43200" in flags
    assert "secure" not in flags  # plain HTTP on loopback


def test_secure_cookies_behind_tls_is_a_setting(app):
    """TLS ends at a proxy in front: the app sees plain HTTP, and the setting makes cookies Secure."""
    from starlette.requests import Request
    from starlette.responses import Response

    from api.web.auth import set_session_cookie

    scope = {"type": "http", "scheme": "http", "method": "GET", "path": "/login", "headers": [], "app": app,
             "server": ("prescreen.example", 80), "query_string": b""}

    def flags() -> str:
        response = Response()
        set_session_cookie(response, "token", Request(scope))
        return response.headers["set-cookie"].lower()

    assert "secure" not in flags()
    app.state.settings = app.state.settings.model_copy(update={"secure_cookies": True})
    assert "; secure" in flags() and "samesite=strict" in flags() and "httponly" in flags()


def test_wrong_passwords_unknown_users_and_disabled_accounts_do_not_sign_in(web, users):
    make(users, "wang")
    assert sign_in_status(web, "wang", "wrong-password-1") == 401
    assert sign_in_status(web, "nobody", PASSWORD) == 401
    assert "prescreen_session" not in web.cookies
    users.set_disabled("wang", True, actor="tests")
    assert sign_in_status(web, "wang", PASSWORD) == 401
    users.set_disabled("wang", False, actor="tests")
    assert sign_in_status(web, "wang", PASSWORD) == 303


def test_repeated_failures_lock_the_name_for_a_while(web, users):
    make(users, "wang")
    for _ in range(5):
        assert sign_in_status(web, "wang", "wrong-password-1") == 401
    assert sign_in_status(web, "wang", PASSWORD) == 429


def sign_in_status(web, username: str, password: str) -> int:
    page = web.get("/login")
    return web.post("/login", data={"username": username, "password": password,
                                    "csrf_token": csrf_of(page.text)}).status_code


def test_the_sign_in_form_needs_its_csrf_token(web, users):
    make(users, "wang")
    r = web.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": "guess"})
    assert r.status_code == 400
    assert "prescreen_session" not in web.cookies


def test_next_never_leaves_the_site(web, users):
    make(users, "wang")
    for target in ("https://evil.example/x", "//evil.example", "/\\evil.example"):
        web.cookies.clear()
        page = web.get("/login")
        r = web.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                     "next": target})
        assert r.headers["location"] == "/queue", target
    web.cookies.clear()
    page = web.get("/login")
    r = web.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                 "next": "/submissions/2026-P-000123?pos=0"})
    assert r.headers["location"] == "/submissions/2026-P-000123?pos=0"


@pytest.mark.parametrize("role, allowed", [
    ("reviewer", {"/queue"}),
    ("data_scientist", {"/queue", "/models"}),
    ("admin", {"/queue", "/models", "/admin/users"}),
])
def test_each_role_reaches_only_its_pages(web, users, role, allowed):
    make(users, "someone", role)
    sign_in(web, "", "someone", PASSWORD)
    for path in ("/queue", "/models", "/admin/users", "/models/files/x/plot.png"):
        r = web.get(path)
        if path in allowed:
            assert r.status_code == 200, (role, path)
        elif path.startswith("/models/files"):
            assert r.status_code == (404 if "/models" in allowed else 403), (role, path)
        else:
            assert r.status_code == 403, (role, path)
            assert "无权访问" in r.text
    nav = web.get("/queue").text
    assert ('href="/models"' in nav) == ("/models" in allowed)
    assert ('href="/admin/users"' in nav) == ("/admin/users" in allowed)


def test_a_reviewer_cannot_post_to_the_admin_page(web, users):
    make(users, "wang")
    sign_in(web, "", "wang", PASSWORD)
    csrf = csrf_of(web.get("/queue").text)
    r = web.post("/admin/users", data={"csrf_token": csrf, "action": "create", "username": "mallory",
                                       "password": "x" * 12, "role": "admin"})
    assert r.status_code == 403
    assert [u.username for u in users.list_users()] == ["wang"]


def test_an_admin_creates_and_disables_accounts_with_csrf(web, users):
    make(users, "root", "admin")
    sign_in(web, "", "root", PASSWORD)
    csrf = csrf_of(web.get("/admin/users").text)
    form = {"action": "create", "username": "li.na", "display_name": "李娜", "role": "data_scientist",
            "password": "another-pass-1"}
    assert web.post("/admin/users", data={**form, "csrf_token": "forged"}).status_code == 403
    r = web.post("/admin/users", data={**form, "csrf_token": csrf})
    assert r.status_code == 303
    assert users.get("li.na").role == "data_scientist"
    assert web.post("/admin/users", data={**form, "csrf_token": csrf}).status_code == 422  # exists
    assert web.post("/admin/users", data={"action": "disable", "username": "li.na", "csrf_token": csrf}).status_code == 303
    assert users.get("li.na").disabled


def test_a_signed_in_reviewer_uses_the_json_api_and_writes_need_the_csrf_header(web, users, store):
    seeded = seed_realistic(store)
    make(users, "wang")
    sign_in(web, "", "wang", PASSWORD)
    assert web.get("/v1/queue").status_code == 200
    body = {"decision": "approved"}
    # a cross-site form could carry the cookie on a POST; without the header it is not a session
    assert web.post(f"/v1/screenings/{seeded['top']}/decision", json=body).status_code == 401
    csrf = csrf_of(web.get("/queue").text)
    r = web.post(f"/v1/screenings/{seeded['top']}/decision", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    assert r.json()["reviewer"] == "wang"


def test_passwords_are_stored_as_argon2id_with_production_parameters(store):
    users = UserStore(store.engine)
    users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    with store.Session() as s:
        stored = s.execute(select(UserRow.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
    # a hash made with weaker parameters is upgraded at the next sign-in
    weak = UserStore(store.engine, hasher=FAST)
    weak.set_password("wang", PASSWORD, actor="tests")
    assert users.authenticate("wang", PASSWORD) is not None
    with store.Session() as s:
        assert s.execute(select(UserRow.password_hash)).scalar_one().startswith("$argon2id$v=19$m=65536,t=3")


def test_sessions_expire_when_idle_and_after_a_working_day(users):
    make(users, "wang")
    user = users.authenticate("wang", PASSWORD)
    token, _ = users.start_session(user)
    now = datetime.now(timezone.utc)
    assert users.session(token, now=now + timedelta(minutes=30)) is not None
    assert users.session(token, now=now + timedelta(hours=3)) is None  # idle over 2 hours: gone for good
    assert users.session(token) is None
    token, _ = users.start_session(user)
    t = now
    for _ in range(13):  # active all day, but not past 12 hours
        t += timedelta(hours=1)
        got = users.session(token, now=t)
    assert got is None


def test_prescreen_users_create_reads_the_password_from_stdin(monkeypatch, tmp_path, database_url, capsys):
    from api.cli import main
    from screening.settings import get_settings

    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
        assert main(["users", "create", "zhao", "--role", "data_scientist", "--name", "赵", "--password-stdin"]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
        assert main(["users", "create", "qian", "--password-stdin"]) == 2
        assert main(["users", "list"]) == 0
        out = capsys.readouterr()
        assert "zhao  data_scientist  赵  active" in out.out
        assert "at least 10 characters" in out.err
        settings = get_settings()
        from screening.storage import open_store

        s = open_store(settings.sqlalchemy_url, settings.files_dir)
        try:
            assert UserStore(s.engine).authenticate("zhao", "a-long-password").role == "data_scientist"
        finally:
            s.engine.dispose()
    finally:
        get_settings.cache_clear()
