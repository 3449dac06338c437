"""Real EZFlow processes for end-to-end tests: daphne and Celery workers against their own database.

Embedded mode uses kombu's filesystem broker under a temporary data folder; scale-out mode uses the
Redis from REDIS_URL. Tests talk to the stack over HTTP only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import psycopg
from django.conf import settings

from ezflow_site import dbadmin
from ezflow_site.processes import celery_beat_command, celery_worker_command

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "stack-metrics-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_url() -> str:
    return os.environ["DATABASE_URL"]


_set_up_template: str | None = None


def _create_set_up_database(name: str, env: dict) -> None:
    """A database as `manage.py ezflow_setup` leaves it. The command runs once per test process, into a template
    database; each stack gets a copy of it (PostgreSQL copies the files: far quicker than migrating again)."""
    global _set_up_template
    if _set_up_template is None:
        template = f"ezflow_e2e_template_{uuid.uuid4().hex[:10]}"
        dbadmin.create_database(_server_url(), template)
        template_env = {**env, "DATABASE_URL": dbadmin.with_database(_server_url(), template)}
        subprocess.run([sys.executable, "manage.py", "ezflow_setup", "-v", "0"], cwd=ROOT, env=template_env, check=True)
        _set_up_template = template
    with psycopg.connect(dbname="postgres", autocommit=True, **dbadmin.server_params(_server_url())) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_set_up_template}"')


def drop_set_up_template() -> None:
    """Called when the test process ends (tests/conftest.py)."""
    global _set_up_template
    if _set_up_template is not None:
        dbadmin.drop_database(_server_url(), _set_up_template)
        _set_up_template = None


@dataclass
class Stack:
    mode: str = "embedded"
    web_processes: int = 1
    workers: int = 1
    worker_concurrency: int = 1  # runs one worker executes at once
    worker_pool: str = "prefork"  # "threads": like `make run` in embedded mode
    worker_queues: tuple = ()  # the queues of each worker (default: every queue)
    shared_socket: bool = False
    beat: bool = False
    extra_env: dict = field(default_factory=dict)  # all web processes on one port (as `make run` does) instead of one port each
    redis_url: str = ""
    server_url: str = ""  # a PostgreSQL server of the test's own (tests/support/faults.py), else DATABASE_URL's
    database: str = field(default_factory=lambda: f"ezflow_e2e_{uuid.uuid4().hex[:10]}")
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ezflow-stack-")))

    @property
    def port(self) -> int:
        return self.ports[0]

    @property
    def mail_dir(self) -> Path:
        return self.tmp / "mail"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "EZFLOW_TEST"))}
        env.pop("REDIS_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="ezflow_site.settings",
            DATABASE_URL=dbadmin.with_database(self.server_url or _server_url(), self.database),
            EZFLOW_DATA_DIR=str(self.tmp / "data"),
            EZFLOW_MAIL_DIR=str(self.mail_dir),
            EZFLOW_PORT=str(self.ports[0]),
            EZFLOW_LOGIN_FAILURE_LIMIT="5",
            PROMETHEUS_MULTIPROC_DIR=str(self.tmp / "metrics"),
            EZFLOW_METRICS_TOKEN=METRICS_TOKEN,
            PYTHONUNBUFFERED="1",
            # The test process's own keys: it reads what these processes sign and encrypt, and the reverse.
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
            EZFLOW_CREDENTIAL_KEYS=",".join(settings.EZFLOW_CREDENTIAL_KEYS),
            EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS="1",  # the fake servers tests call listen on 127.0.0.1 (tests/conftest.py)
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def url(self, host: str = "localhost", path: str = "/", port: int | None = None) -> str:
        return f"http://{host}:{port or self.port}{path}"

    def http(self, host: str = "localhost", port: int | None = None) -> httpx2.Client:
        """An HTTP client that connects to 127.0.0.1 (Python cannot resolve *.localhost) and sends the host name."""
        port = port or self.port
        return httpx2.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": f"{host}:{port}"}, timeout=30)

    def start(self) -> Stack:
        self.ports = [free_port() for _ in range(1 if self.shared_socket else self.web_processes)]
        (self.tmp / "metrics").mkdir(exist_ok=True)
        env = self.env()
        if self.server_url:  # a server of the test's own (tests/support/faults.py): set up there, no shared template
            dbadmin.create_database(self.server_url, self.database)
            subprocess.run([sys.executable, "manage.py", "ezflow_setup", "-v", "0"], cwd=ROOT, env=env, check=True)
        else:
            _create_set_up_database(self.database, env)
        logs = self.tmp / "logs"
        logs.mkdir()
        if self.shared_socket:
            from ezflow_site.processes import listening_socket, start_daphne

            self._sockets = [listening_socket("127.0.0.1", self.ports[0]) for _ in range(self.web_processes)]
            for index, sock in enumerate(self._sockets):
                log = open(logs / f"web{index}.log", "wb")  # noqa: SIM115  (kept open for the life of the process)
                self.processes.append(start_daphne(sock, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        else:
            for index, port in enumerate(self.ports):
                daphne = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port), "ezflow_site.asgi:application"]
                self._spawn(f"web{index}", daphne, env, logs)
        for index in range(self.workers):
            self.add_worker(self.worker_queues[index] if self.worker_queues else None)
        if self.beat:
            beat = celery_beat_command(schedule_file=str(self.tmp / "beat"))
            self._spawn("beat", beat, env, logs)
        self.wait_healthy()
        return self

    def add_worker(self, queues: tuple[str, ...] | None = None) -> subprocess.Popen:
        """Another worker, on every queue or on `queues`."""
        index = sum(1 for p in self.processes if "worker" in p.args)
        options = {"queues": queues} if queues else {}
        command = celery_worker_command(
            hostname=f"w{index}-{self.database}@%h", concurrency=self.worker_concurrency, pool=self.worker_pool, **options
        )
        self._spawn(f"worker{index}", command, self.env(), self.tmp / "logs")
        return self.processes[-1]

    def _spawn(self, name: str, command: list[str], env: dict, logs: Path) -> None:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115  (kept open for the life of the process)
        self.processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def wait_healthy(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"stack process exited early: {process.args}\n{self.logs()}")
            try:
                ready = True
                for port in self.ports:
                    with self.http(port=port) as client:
                        last = client.get("/healthz")
                        ready = ready and last.status_code == 200
                if ready:
                    return last.json()
            except httpx2.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"stack not healthy in {timeout}s: {last.text if last else 'no answer'}\n{self.logs()}")

    def logs(self) -> str:
        folder = self.tmp / "logs"
        return (
            "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(folder.glob("*.log")))
            if folder.exists()
            else ""
        )

    def read_mail(self, to: str, timeout: float = 30) -> str:
        """The newest message for `to` written by the file mail backend (waits for the worker)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.mail_dir.exists():
                for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
                    text = path.read_text(errors="replace")
                    if f"To: {to}" in text:
                        return text
            time.sleep(0.2)
        raise AssertionError(f"no mail to {to} within {timeout}s\n{self.logs()}")

    def stop_process(self, process: subprocess.Popen, sig=signal.SIGTERM) -> None:
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        """Throws the stack away: every process is asked at once, and what is still running 2 seconds later (an idle
        Celery worker takes 5 or more to shut down warmly) is killed with its pool. Tests of a graceful stop use
        stop_process()."""
        running = [process for process in self.processes if process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 2
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.05))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # start_new_session: its group is the process and its pool
                process.wait()
        try:
            dbadmin.drop_database(self.server_url or _server_url(), self.database)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def signup(stack: Stack, slug: str, email: str, password: str, organization: str | None = None) -> dict:
    with stack.http() as client:
        response = client.post(
            "/api/v1/signup", json={"organization": organization or slug.title(), "slug": slug, "email": email, "password": password}
        )
    assert response.status_code == 201, response.text
    return response.json()
