"""What the image's roles do at run time, besides starting the launcher's commands (tests/deploy/test_manifests.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from cryptography.fernet import Fernet
from django.db import OperationalError

from ezflow_site import container
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_metrics(tmp_path):
    """Counts written the way a prefork worker's children write them, and the metrics role serving that folder."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "EZFLOW_METRICS_TOKEN": "scrape-token"}
    for trigger in ("webhook", "schedule"):  # two processes, as two worker children
        subprocess.run(
            [sys.executable, "-c", f"from apps.core.metrics import RUNS_STARTED; RUNS_STARTED.labels('{trigger}').inc(3)"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    port = free_port()
    command = [sys.executable, "-m", "ezflow_site.container", "metrics"]
    server = subprocess.Popen(command, cwd=ROOT, env={**env, "EZFLOW_METRICS_PORT": str(port)})
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except httpx2.TransportError:
            assert time.monotonic() < deadline and server.poll() is None, "metrics role did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    # Exits by its own SIGTERM handler (0), as it must as a container's PID 1, where the default action is ignored.
    assert server.wait(timeout=10) == 0


def test_the_metrics_role_serves_every_worker_process_counts_with_the_token(worker_metrics):
    response = httpx2.get(f"{worker_metrics}/metrics", headers={"Authorization": "Bearer scrape-token"})
    assert response.status_code == 200
    assert 'ezflow_runs_started_total{trigger="webhook"} 3.0' in response.text
    assert 'ezflow_runs_started_total{trigger="schedule"} 3.0' in response.text


def test_the_metrics_role_refuses_a_wrong_or_missing_token(worker_metrics):
    assert httpx2.get(f"{worker_metrics}/metrics").status_code == 401
    assert httpx2.get(f"{worker_metrics}/metrics", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert httpx2.get(f"{worker_metrics}/other").status_code == 404


def test_metrics_are_off_without_a_token(tmp_path):
    app = container.metrics_app(str(tmp_path), "")
    statuses = []
    body = app({"PATH_INFO": "/metrics", "HTTP_AUTHORIZATION": "Bearer "}, lambda status, headers: statuses.append(status))
    assert statuses == ["404 Not Found"] and b"not found" in b"".join(body)


def test_waiting_for_migrations_returns_once_they_are_applied_and_rides_out_database_errors():
    answers = iter([OperationalError("connection refused"), False, True])
    sleeps = []

    def check():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert container.wait_for_migrations({}, check=check, sleep=sleeps.append) == 0
    assert sleeps == [5, 5]


def test_waiting_for_migrations_gives_up_after_its_deadline(capsys):
    assert container.wait_for_migrations({"EZFLOW_MIGRATION_WAIT_SECONDS": "0"}, check=lambda: False, sleep=lambda s: None) == 1
    assert "migrations are not applied yet" in capsys.readouterr().err


def test_migrations_applied_is_what_health_reports(db):
    from apps.core.models import PlatformState

    assert container.migrations_applied() is True
    PlatformState.objects.filter(key="tenant_migrations").update(value="fingerprint of older code")
    assert container.migrations_applied() is False


def test_the_web_role_serves_healthz_on_the_containers_port(django_db_setup, tmp_path):
    """The real `web` role against the test database: daphne on 0.0.0.0 answering /healthz (503: no worker here)."""
    from django.conf import settings
    from django.db import connection

    from ezflow_site import dbadmin

    port = free_port()
    url = dbadmin.with_database(os.environ["DATABASE_URL"], settings.DATABASES["default"]["NAME"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "EZFLOW_", "DJANGO_"))}
    env |= {
        "DATABASE_URL": url,
        "REDIS_URL": "redis://127.0.0.1:9/0",  # nothing listens: the web process must still start and answer
        "DJANGO_SECRET_KEY": "w" * 50,
        "EZFLOW_CREDENTIAL_KEYS": Fernet.generate_key().decode(),
        "EZFLOW_DATA_DIR": str(tmp_path),
        "EZFLOW_LISTEN_PORT": str(port),
    }
    connection.close()
    web = subprocess.Popen([sys.executable, "-m", "ezflow_site.container", "web"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx2.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": f"10.1.2.3:{port}"}, timeout=10)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline and web.poll() is None, "the web role did not start"
                time.sleep(0.3)
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"]["ok"] is True and checks["migrations"]["ok"] is True and checks["worker"]["ok"] is False
        assert response.json()["mode"] == "scale-out"
    finally:
        web.terminate()
        web.wait(timeout=20)


def test_the_metrics_role_stops_on_sigterm_even_while_it_answers_a_scrape(tmp_path):
    """SIGTERM landing while a scrape is being answered must still stop the role (wsgiref swallows a SystemExit there)."""
    import shutil
    import threading

    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "EZFLOW_METRICS_TOKEN": "t"}
    subprocess.run(
        [sys.executable, "-c", "from apps.core.metrics import RUNS_STARTED; RUNS_STARTED.labels('webhook').inc()"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    written = next(folder.glob("counter_*.db"))
    for pid in range(1, 6000):  # as many files as a long-lived prefork worker leaves: each scrape takes a while
        if folder / f"counter_{pid}.db" != written:  # the writer's own pid may fall in the range
            shutil.copy(written, folder / f"counter_{pid}.db")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ezflow_site.container", "metrics"], cwd=ROOT, env={**env, "EZFLOW_METRICS_PORT": str(port)}
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "metrics role did not start"
                time.sleep(0.1)
        started = time.monotonic()
        httpx2.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer t"}, timeout=30)
        one_scrape = time.monotonic() - started
        scrape = threading.Thread(
            target=lambda: httpx2.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer t"}, timeout=30), daemon=True
        )
        scrape.start()
        time.sleep(one_scrape / 2)  # in the middle of answering it
        server.send_signal(15)
        assert server.wait(timeout=10 + one_scrape) == 0
    finally:
        if server.poll() is None:
            server.kill()
