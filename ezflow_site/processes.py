"""The processes EZFlow runs as, for `make run` and for tests that start real ones.

Daphne: several processes listen on the same port (SO_REUSEPORT: one socket each, and the kernel spreads new
connections evenly over them), so one machine's cores all serve. Celery: workers on the queues of
settings.EZFLOW_QUEUES (ezflow_site/queues.py routes tasks to them) and one beat.

Embedded mode (`make run` on one machine) runs one worker on every queue with a pool of threads and beat inside
it: runs mostly wait (database, HTTP, a code step's child process), and one process instead of a pool of forked
ones keeps the idle footprint small. Scale-out runs prefork workers, ideally one group per queue
(`celery_worker_command(queues=("runs_slow",))` ...), recycled when they grow (worker_max_memory_per_child).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def port_in_use(bind: str, port: int) -> bool:
    """Whether something already accepts connections there. The web sockets use SO_REUSEPORT (several daphne processes
    share one port), so binding alone would succeed next to another installation and split its traffic."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(bind, bind)  # noqa: S104
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def listening_socket(bind: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((bind, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def start_daphne(sock: socket.socket, *, cwd, env: dict | None = None, access_log: bool = False, **popen) -> subprocess.Popen:
    """A daphne process accepting connections on `sock` (the kernel spreads them over the processes)."""
    command = [sys.executable, "-m", "daphne", "--fd", str(sock.fileno()), "-v", "1" if access_log else "0", "ezflow_site.asgi:application"]
    return subprocess.Popen(command, cwd=cwd, env=env, pass_fds=(sock.fileno(),), **popen)


ALL_QUEUES = ("runs", "runs_slow", "maintenance", "default")  # settings.EZFLOW_QUEUES (not imported: no Django here)


def default_web_processes(*, embedded: bool = False) -> int:
    """EZFLOW_WEB_PROCESSES, else one per core; embedded mode defaults to one (memory over peak throughput)."""
    configured = int(os.environ.get("EZFLOW_WEB_PROCESSES", "0"))
    return configured or (1 if embedded else max(os.cpu_count() or 1, 1))


def celery_worker_command(
    *, hostname: str, concurrency: int, queues: tuple[str, ...] = ALL_QUEUES, pool: str = "prefork", beat: bool = False
) -> list[str]:
    """A worker on `queues`; `beat` runs the periodic scheduler in a thread of this worker (one process less)."""
    command = [sys.executable, "-m", "celery", "-A", "ezflow_site", "worker", "-l", "warning", "-Q", ",".join(queues)]
    command += ["--pool", pool, "--concurrency", str(concurrency), "--hostname", hostname]
    if beat:
        command += ["--beat-thread"]
    return command


def celery_beat_command(*, schedule_file: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "ezflow_site", "beat", "-l", "warning", "--schedule", schedule_file]
