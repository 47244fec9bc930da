"""Reviewer accounts and server-side sessions, on the same engine as the ``Store``.

Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes), which keeps
the parameters inside the hash so they can be raised later; a hash made with weaker
parameters is replaced at the next sign-in. A session is an opaque 256-bit random id in a
cookie; the database keeps only its SHA-256, the user, a per-session CSRF token, and two
expiries: idle (``IDLE``) and absolute (``LIFETIME``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, select, update

from ..errors import Conflict, InvalidInput, NotFound
from .db import session_factory
from .tables import AuditRow, SignInAttemptRow, aware
from .user_tables import ROLES, SessionRow, UserRow

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{1,63}")  # fullmatch: "$" passes a final newline
MIN_PASSWORD = 10
LIFETIME = timedelta(hours=12)  # one long working day, then sign in again
IDLE = timedelta(hours=2)
TOUCH_EVERY = timedelta(minutes=5)  # last_seen is written at most this often (one UPDATE)
# Failed sign-ins: five for one name within the window lock the name until the window has
# passed since the last of them; one client address gets thirty attempts in the window, on any
# names. A locked name refuses even its owner's right password: accepting it would let a
# guesser go on guessing, learning when a guess is right; the owner waits out the window or
# an admin sets a new password (``prescreen users password NAME``), which lifts the lock.
MAX_FAILURES = 5
MAX_PER_CLIENT = 30
WINDOW = timedelta(minutes=15)
# argon2id takes 64 MiB and a core per check: a burst of sign-ins waits its turn instead of
# taking the process's memory with it
MAX_CONCURRENT_CHECKS = 2


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    display_name: str | None
    created_at: datetime
    last_login_at: datetime | None
    disabled: bool

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class SignInResult:
    """The user when the sign-in succeeded; otherwise why not: ``wrong`` (password), ``unknown``
    (name), ``disabled``, ``locked`` (too many failures for the name), ``rate_limited`` (too
    many attempts from the address)."""

    user: User | None
    reason: str | None = None


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, and the CSRF token every form of theirs must carry."""

    user: User
    csrf_token: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.role, row.display_name, aware(row.created_at),
                aware(row.last_login_at), row.disabled_at is not None)


class UserStore:
    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None, *,
                 max_concurrent_checks: int = MAX_CONCURRENT_CHECKS) -> None:
        self.engine = engine
        self.Session = session_factory(engine)
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self._checks = threading.BoundedSemaphore(max_concurrent_checks)

    @property
    def _dummy_hash(self) -> str:
        """Verified against when the username is unknown, so both paths cost one argon2 run.
        Made on first use: building the app must not pay for a hash."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    # ---------------------------------------------------------------- accounts
    def create_user(self, username: str, password: str, role: str, *, actor: str,
                    display_name: str | None = None) -> User:
        if not USERNAME.fullmatch(username):
            raise InvalidInput("a username is 2–64 letters, digits, '.', '_' or '-'", field="username")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
        check_password(password)
        now = _now()
        with self.Session.begin() as s:
            if s.execute(select(UserRow.id).where(UserRow.username == username)).first() is not None:
                raise Conflict(f"user {username!r} exists", field="username")
            row = UserRow(username=username, display_name=display_name, password_hash=self.hasher.hash(password),
                          role=role, created_at=now)
            s.add(row)
            s.flush()
            s.add(AuditRow(at=now, actor=actor, action="user.created", subject=username, detail={"role": role}))
            return _user(row)

    def get(self, username: str) -> User:
        with self.Session() as s:
            row = s.execute(select(UserRow).where(UserRow.username == username)).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no user {username!r}", field="username")
        return _user(row)

    def list_users(self) -> list[User]:
        with self.Session() as s:
            return [_user(r) for r in s.execute(select(UserRow).order_by(UserRow.username)).scalars()]

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        check_password(password)
        with self.Session.begin() as s:
            row = s.execute(select(UserRow).where(UserRow.username == username)).scalar_one_or_none()
            if row is None:
                raise NotFound(f"no user {username!r}", field="username")
            row.password_hash = self.hasher.hash(password)
            s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))  # sign out everywhere
            s.execute(delete(SignInAttemptRow).where(SignInAttemptRow.username == username))  # lifts a lock
            s.add(AuditRow(at=_now(), actor=actor, action="user.password_set", subject=username, detail={}))

    def set_disabled(self, username: str, disabled: bool, *, actor: str) -> None:
        with self.Session.begin() as s:
            row = s.execute(select(UserRow).where(UserRow.username == username)).scalar_one_or_none()
            if row is None:
                raise NotFound(f"no user {username!r}", field="username")
            row.disabled_at = _now() if disabled else None
            if disabled:
                s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            s.add(AuditRow(at=_now(), actor=actor, action="user.disabled" if disabled else "user.enabled",
                           subject=username, detail={}))

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; None otherwise.
        Counts nothing: sign-ins from outside go through ``sign_in``."""
        return self._check(username, password).user

    def _check(self, username: str, password: str) -> SignInResult:
        with self.Session() as s:
            row = s.execute(select(UserRow).where(UserRow.username == username)).scalar_one_or_none()
        with self._checks:
            if row is None:
                try:
                    self.hasher.verify(self._dummy_hash, password)
                except VerificationError:
                    pass
                return SignInResult(None, "unknown")
            try:
                self.hasher.verify(row.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return SignInResult(None, "wrong")
            if row.disabled_at is not None:
                return SignInResult(None, "disabled")
            rehash = self.hasher.hash(password) if self.hasher.check_needs_rehash(row.password_hash) else None
        if rehash:
            with self.Session.begin() as s:
                s.execute(update(UserRow).where(UserRow.id == row.id).values(password_hash=rehash))
        return SignInResult(_user(row))

    def sign_in(self, username: str, password: str, *, client: str, now: datetime | None = None) -> SignInResult:
        """Check a sign-in from outside. The attempt is committed *before* the password is
        checked and the limits count committed attempts, so n racing guesses are ranked by
        their commits and at most ``MAX_FAILURES`` of them reach the check, in any process."""
        now = now or _now()
        username, client = username[:64], (client or "unknown")[:64]
        with self.Session.begin() as s:
            attempt = SignInAttemptRow(at=now, username=username, client=client, ok=None)
            s.add(attempt)
        since = now - WINDOW
        with self.Session() as s:
            last_ok = s.execute(select(func.max(SignInAttemptRow.id)).where(
                SignInAttemptRow.username == username, SignInAttemptRow.ok.is_(True))).scalar_one()
            # failed and still-running attempts since the last success: a burst counts in full
            by_name = s.execute(select(func.count()).select_from(SignInAttemptRow).where(
                SignInAttemptRow.username == username, SignInAttemptRow.at >= since,
                SignInAttemptRow.ok.is_not(True), SignInAttemptRow.id > (last_ok or 0))).scalar_one()
            by_client = s.execute(select(func.count()).select_from(SignInAttemptRow).where(
                SignInAttemptRow.client == client, SignInAttemptRow.at >= since)).scalar_one()
        if by_client > MAX_PER_CLIENT:
            result = SignInResult(None, "rate_limited")
        elif by_name > MAX_FAILURES:
            result = SignInResult(None, "locked")
        else:
            result = self._check(username, password)
        with self.Session.begin() as s:
            s.execute(update(SignInAttemptRow).where(SignInAttemptRow.id == attempt.id)
                      .values(ok=result.user is not None))
            if result.user is None:
                s.add(AuditRow(at=now, actor="anonymous", action="user.sign_in_failed", subject=username,
                               detail={"reason": result.reason}, client=client))
            # an occasional sweep keeps the table small without a scheduler
            s.execute(delete(SignInAttemptRow).where(SignInAttemptRow.at < now - 4 * WINDOW))
        return result

    # ---------------------------------------------------------------- sessions
    def start_session(self, user: User, *, user_agent: str | None = None,
                      client: str | None = None) -> tuple[str, SignedIn]:
        """A new session for ``user``: the cookie value (shown once) and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        with self.Session.begin() as s:
            s.add(SessionRow(id_hash=_sha(token), user_id=user.id, csrf_token=csrf, created_at=now,
                             last_seen_at=now, expires_at=now + LIFETIME,
                             user_agent=(user_agent or "")[:255] or None))
            s.execute(update(UserRow).where(UserRow.id == user.id).values(last_login_at=now))
            s.add(AuditRow(at=now, actor=f"user:{user.username}", action="user.signed_in", subject=user.username,
                           detail={}, client=(client or "")[:64] or None))
            # an occasional sweep keeps the table small without a scheduler
            s.execute(delete(SessionRow).where(SessionRow.expires_at < now))
        return token, SignedIn(user, csrf, now + LIFETIME)

    def session(self, token: str | None, *, now: datetime | None = None) -> SignedIn | None:
        """The live session named by a cookie value, or None (unknown, expired, idle, disabled)."""
        if not token or len(token) > 128:
            return None
        now = now or _now()
        key = _sha(token)
        with self.Session() as s:
            found = s.execute(select(SessionRow, UserRow).join(UserRow, SessionRow.user_id == UserRow.id)
                              .where(SessionRow.id_hash == key)).first()
        if found is None:
            return None
        sess, row = found
        expires, seen = aware(sess.expires_at), aware(sess.last_seen_at)
        if now >= expires or now - seen >= IDLE or row.disabled_at is not None:
            self.end_session(token)
            return None
        if now - seen >= TOUCH_EVERY:
            with self.Session.begin() as s:
                s.execute(update(SessionRow).where(SessionRow.id_hash == key).values(last_seen_at=now))
        return SignedIn(_user(row), sess.csrf_token, expires)

    def end_session(self, token: str | None, *, actor: str | None = None) -> None:
        if not token:
            return
        with self.Session.begin() as s:
            n = s.execute(delete(SessionRow).where(SessionRow.id_hash == _sha(token))).rowcount
            if n and actor:
                s.add(AuditRow(at=_now(), actor=actor, action="user.signed_out", subject=actor.split(":", 1)[-1],
                               detail={}))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters", field="password")
    if len(password) > 1024:
        raise InvalidInput("a password has at most 1024 characters", field="password")
