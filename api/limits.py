"""A hard bound on request bodies, enforced while they stream in (not only by Content-Length)."""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


class _Stalled(Exception):
    pass


class BodySizeLimit:
    """Bounds a request body in size and in time: each chunk must arrive within ``timeout_s``
    (a client that stalls an upload would otherwise hold a worker for as long as it likes)."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float | None = None) -> None:
        self.app, self.max_bytes, self.timeout_s = app, max_bytes, timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await self._reject(send)
                    return
        seen = 0
        started = False
        body_done = False

        async def _receive() -> Message:
            nonlocal seen, body_done
            if body_done or not self.timeout_s:  # after the body, receive() waits for a disconnect: no limit
                message = await receive()
            else:
                try:
                    message = await asyncio.wait_for(receive(), self.timeout_s)
                except asyncio.TimeoutError:
                    raise _Stalled() from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if not message.get("more_body", False):
                    body_done = True
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, _receive, _send)
        except _TooLarge:
            if not started:
                await self._reject(send)
        except _Stalled:
            if not started:
                await self._reject(send, 408, "RequestTimeout",
                                   f"the request body stalled for more than {self.timeout_s:g} s")

    async def _reject(self, send: Send, status: int = 413, error: str = "PayloadTooLarge",
                      message: str | None = None) -> None:
        body = json.dumps({"error": error, "message": message or f"request body over {self.max_bytes} bytes",
                           "field": "body"}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
