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


def test_cpu_seconds_counts_the_whole_process_group(tmp_path):
    server = ServerProcess(None, tmp_path)
    assert server.cpu_seconds() == 0.0  # not started
    # a parent and a child of its group, each busy for ~0.4 s of CPU
    busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass\n"
    child = busy + "time.sleep(30)\n"  # alive, as a server's workers are
    code = f"import subprocess, sys\nc = subprocess.Popen([sys.executable, '-c', {child!r}])\n{busy}\ntime.sleep(30)"
    server.proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    import time

    deadline = time.monotonic() + 20
    while server.cpu_seconds() < 0.7 and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        assert 0.7 <= server.cpu_seconds() < 5.0
    finally:
        server.stop()
