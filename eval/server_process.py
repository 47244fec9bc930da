"""A real ``prescreen serve`` in a process group of its own, and a plain HTTP client for it.

The load and fault benchmarks (``eval load``, ``eval faults``) drive the service as the review
pipeline does: over HTTP, multipart, with an API key. The client is the standard library's
(http.client), so the benchmarks need nothing beyond the runtime install.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    """``prescreen serve --workers N`` on ``database_url`` (None: the SQLite default in ``data_dir``);
    its output goes to ``data_dir/serve.log`` (a pipe left unread could fill and stall it)."""

    database_url: str | None
    data_dir: Path
    workers: int = 1
    job_threads: int = 1
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> "ServerProcess":
        """Start and wait until ready (the models and the duplicate index load first)."""
        env = dict(os.environ, PRESCREEN_DATA_DIR=str(self.data_dir), PRESCREEN_JOB_THREADS=str(self.job_threads),
                   PRESCREEN_LOG_LEVEL="WARNING", **self.extra_env)
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "serve.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--workers", str(self.workers), "--port", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()  # the child holds its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = (self.data_dir / "serve.log").read_bytes()[-2000:].decode(errors="replace")
                raise RuntimeError(f"prescreen serve exited with {self.proc.returncode}: {tail}")
            try:
                status, _ = Client(self.port, "").get("/readyz")
                if status == 200 and self._all_workers_up():
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        self.kill()
        raise RuntimeError(f"prescreen serve was not ready within {timeout:.0f} s")

    def _all_workers_up(self) -> bool:
        # uvicorn's supervisor answers once one worker is up: wait for the others' processes too
        if self.workers == 1:
            return True
        return len(self._group_pids()) >= self.workers + 1

    def _group_pids(self) -> list[str]:
        """The server's processes: the supervisor's process group (start() gives it its own)."""
        return subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True).stdout.split()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (its process group):
        a figure that other work on the machine moves less than wall time."""
        if self.proc is None:
            return 0.0
        ticks = 0
        for pid in self._group_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> "ServerProcess":
        # ``with server.start(timeout=…):`` has started it already: a second start would leave
        # the first process running when the block ends
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def kill(self) -> None:
        """kill -9 of the server and every worker process, nothing let finish."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.proc = None


class Client:
    def __init__(self, port: int, api_key: str, timeout: float = 120.0) -> None:
        self.port, self.api_key, self.timeout = port, api_key, timeout
        self._conn: http.client.HTTPConnection | None = None

    def _request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in (0, 1):  # a kept-alive connection the server closed: reconnect once
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                return response.status, (json.loads(data) if data else None)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str):
        return self._request("GET", path)

    def post_submission(self, submission: dict, files: dict[str, bytes] | None = None, *, wait: bool = True):
        boundary = uuid.uuid4().hex
        parts = [_part(boundary, "submission", None, json.dumps(submission, ensure_ascii=False).encode(),
                       "application/json")]
        parts += [_part(boundary, name, name, data, "application/octet-stream") for name, data in (files or {}).items()]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        path = "/v1/screenings" + ("" if wait else "?wait=false")
        return self._request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _part(boundary: str, name: str, filename: str | None, data: bytes, mime: str) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return (f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {mime}\r\n\r\n").encode() + data + b"\r\n"


def pipeline_key(database_url: str, data_dir: Path) -> str:
    """A pipeline API key in that database (migrated first, as the server would)."""
    from screening.settings import Settings
    from screening.storage import open_store

    settings = Settings(database_url=database_url, data_dir=data_dir)
    store = open_store(settings.sqlalchemy_url, settings.files_dir)
    try:
        return store.create_api_key(f"bench-{uuid.uuid4().hex[:6]}", actor="eval")
    finally:
        store.engine.dispose()
