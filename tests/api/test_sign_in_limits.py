"""Failed sign-ins: counted in the database before the password is checked (a burst cannot
slip past the limit), a limit per client address across usernames, a bound on concurrent
argon2 checks, and every failure audited and logged without the name typed."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from screening.storage.users import MAX_FAILURES, UserStore

PASSWORD = "correct-horse-42"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class CountingHasher(PasswordHasher):
    """The real argon2id, counting verifications and the most that ran at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.lock = threading.Lock()
        self.calls = self.running = self.peak = 0

    def verify(self, hash, password):
        with self.lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(0.05)  # long enough for a burst to overlap
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


def test_a_parallel_burst_of_guesses_gets_at_most_the_limit_of_password_checks(database_url, store):
    hasher = CountingHasher()
    users = UserStore(store.engine, hasher=hasher, max_concurrent_checks=2)
    users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    hasher.calls = 0
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda i: users.sign_in("wang", f"wrong-guess-{i:03d}", client=f"10.0.0.{i}"),
                                range(20)))
    assert hasher.calls <= MAX_FAILURES, hasher.calls
    assert hasher.peak <= 2
    assert sum(r.reason == "locked" for r in results) >= 20 - MAX_FAILURES
    assert all(r.user is None for r in results)
    # a second process (its own engine, as another worker or host) sees the same lock
    from sqlalchemy import create_engine

    other = UserStore(create_engine(store.engine.url), hasher=hasher)
    before = hasher.calls
    assert other.sign_in("wang", PASSWORD, client="10.9.9.9").reason == "locked"
    assert hasher.calls == before  # locked: the password is not even checked
    other.engine.dispose()


def test_a_locked_account_refuses_its_owners_right_password_until_a_new_one_is_set(store):
    users = UserStore(store.engine, hasher=FAST)
    users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    for i in range(MAX_FAILURES):
        assert users.sign_in("wang", "wrong-password-1", client="10.0.0.1").reason == "wrong"
    assert users.sign_in("wang", PASSWORD, client="10.0.0.2").reason == "locked"
    users.set_password("wang", "another-horse-43", actor="admin")  # an admin's reset lifts the lock
    assert users.sign_in("wang", "another-horse-43", client="10.0.0.2").user is not None


def test_a_success_clears_earlier_failures(store):
    users = UserStore(store.engine, hasher=FAST)
    users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    for _ in range(MAX_FAILURES - 1):
        users.sign_in("wang", "wrong-password-1", client="10.0.0.1")
    assert users.sign_in("wang", PASSWORD, client="10.0.0.1").user is not None
    for _ in range(MAX_FAILURES - 1):
        assert users.sign_in("wang", "wrong-password-1", client="10.0.0.1").reason == "wrong"


def test_one_address_guessing_many_names_is_rate_limited(store):
    from screening.storage.users import MAX_PER_CLIENT

    users = UserStore(store.engine, hasher=FAST)
    users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    reasons = [users.sign_in(f"name{i}", "wrong-password-1", client="10.6.6.6").reason
               for i in range(MAX_PER_CLIENT + 2)]
    assert reasons[:MAX_PER_CLIENT] == ["unknown"] * MAX_PER_CLIENT
    assert reasons[-1] == "rate_limited"
    assert users.sign_in("wang", PASSWORD, client="10.6.6.6").reason == "rate_limited"
    assert users.sign_in("wang", PASSWORD, client="10.7.7.7").user is not None  # another address is not


def test_failed_sign_ins_are_audited_and_logged_without_the_name(app, store, caplog):
    app.state.users.hasher = FAST
    app.state.users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as web, \
            caplog.at_level(logging.INFO):
        import re

        page = web.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = web.post("/login", data={"username": "wang", "password": "wrong-password-1", "csrf_token": token})
        assert r.status_code == 401
    audit = [a for a in store.audit_log("wang") if a["action"] == "user.sign_in_failed"]
    assert audit and audit[0]["detail"]["reason"] == "wrong" and audit[0]["client"]
    failed = [rec for rec in caplog.records if rec.getMessage() == "sign-in failed"]
    assert failed and failed[0].reason == "wrong"
    assert all("wang" not in str(vars(rec)) and "wrong-password" not in str(vars(rec)) for rec in caplog.records)
