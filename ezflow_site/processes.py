"""The processes EZFlow runs as, for `make run` and for tests that start real ones.

Daphne: several processes listen on the same port (SO_REUSEPORT: one socket each, and the kernel spreads new
connections evenly over them), so one machine's cores all serve. Celery: workers on the `default` queue and one beat.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys


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


def default_web_processes() -> int:
    return int(os.environ.get("EZFLOW_WEB_PROCESSES", "0")) or max(os.cpu_count() or 1, 1)


def celery_worker_command(*, hostname: str, concurrency: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ezflow_site",
        "worker",
        "-l",
        "warning",
        "-Q",
        "default",
        "--concurrency",
        str(concurrency),
        "--hostname",
        hostname,
    ]


def celery_beat_command(*, schedule_file: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "ezflow_site", "beat", "-l", "warning", "--schedule", schedule_file]
