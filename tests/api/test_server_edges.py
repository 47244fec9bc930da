"""What the server sees at the edges of a request: an unexpected error is logged once (the
app answers 500 and does not raise it on to the server, which would log it again), a client
that goes away is not an error, and a body that stalls is cut off."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from fastapi.testclient import TestClient

from screening.settings import Settings


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, ocr_enabled=False, body_timeout_s=0.5)


def _call(app, scope_extra: dict, chunks, *, stall: bool = False):
    """Drive the ASGI app directly, as the server does; returns (status, body, raised)."""
    sent: list[dict] = []
    queue = list(chunks)

    async def receive():
        if queue:
            return queue.pop(0)
        if stall:
            await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/", "raw_path": b"/", "query_string": b"", "headers": [], "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80), "root_path": "", **scope_extra}

    async def run():
        try:
            await asyncio.wait_for(app(scope, receive, send), 15)  # a stalled body must not hang the test
            return None
        except BaseException as exc:  # noqa: BLE001 - what the server would see
            return exc

    with TestClient(app):  # start-up ran; then talk ASGI directly
        raised = asyncio.run(run())
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return (start["status"] if start else None), body, raised


def test_an_unexpected_error_is_answered_and_logged_once(app, caplog, api_key):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    with caplog.at_level(logging.INFO):
        status, body, raised = _call(app, {"path": "/boom-for-test", "raw_path": b"/boom-for-test",
                                           "headers": [(b"authorization", f"Bearer {api_key}".encode())]},
                                     [{"type": "http.request", "body": b"", "more_body": False}])
    assert status == 500 and b"InternalError" in body
    assert raised is None  # raised on, the server would log it a second time
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info


def test_a_client_that_goes_away_mid_upload_is_not_an_error(app, caplog, api_key):
    headers = [(b"authorization", f"Bearer {api_key}".encode()),
               (b"content-type", b"multipart/form-data; boundary=b")]
    with caplog.at_level(logging.INFO):
        status, _, raised = _call(app, {"method": "POST", "path": "/v1/screenings", "raw_path": b"/v1/screenings",
                                        "headers": headers},
                                  [{"type": "http.request", "body": b"--b\r\nContent-Disposition: form-data; "
                                    b"name=\"submission\"\r\n\r\n{", "more_body": True},
                                   {"type": "http.disconnect"}])
    assert raised is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.getMessage() == "client disconnected" for r in caplog.records)


def test_a_stalled_body_is_cut_off(app, api_key):
    headers = [(b"authorization", f"Bearer {api_key}".encode()),
               (b"content-type", b"multipart/form-data; boundary=b")]
    t0 = time.monotonic()
    status, body, raised = _call(app, {"method": "POST", "path": "/v1/screenings", "raw_path": b"/v1/screenings",
                                       "headers": headers},
                                 [{"type": "http.request", "body": b"--b\r\n", "more_body": True}], stall=True)
    assert time.monotonic() - t0 < 10
    assert raised is None and status == 408, body
    assert b'"field": "body"' in body or b'"field":"body"' in body
