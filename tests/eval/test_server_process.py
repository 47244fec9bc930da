"""eval/server_process.py: the benchmarks' server launcher leaves no process behind."""

import subprocess
import sys

from eval.server_process import ServerProcess


def test_a_started_server_used_as_a_context_is_not_started_twice(tmp_path, monkeypatch):
    server = ServerProcess(None, tmp_path)
    # stands in for a started `prescreen serve` (its own session, as start() makes it)
    server.proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    proc = server.proc
    monkeypatch.setattr(server, "start", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started again")))
    with server as same:
        assert same is server and server.proc is proc
    assert proc.poll() is not None and server.proc is None  # stopped when the block ended
