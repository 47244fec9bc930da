"""Helpers of the web tests: the app under uvicorn in a thread, and signing in over HTTP."""

from __future__ import annotations

import re
import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app under uvicorn on 127.0.0.1 in a background thread (``with Server(app) as url:``)."""

    def __init__(self, app, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                                    access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def sign_in(client, base: str, username: str, password: str) -> None:
    page = client.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(f"{base}/login", data={"username": username, "password": password, "csrf_token": token,
                                           "next": "/queue"}, follow_redirects=False)
    if r.status_code != 303:
        raise RuntimeError(f"sign-in failed: {r.status_code}")
