"""`make run` end to end: the launcher starts its own embedded PostgreSQL, the web server and a worker;
Ctrl-C stops them all and the database; a second start keeps the data."""

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import httpx2
import psutil
import pytest

from ezflow_site.instance_secrets import KNOWN_DEFAULT_SECRET_KEYS
from tests.support.data import PASSWORD
from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.stack


def start(data_dir, port):
    # Without the test run's keys: the launcher must make its own on first start.
    dropped = {"DATABASE_URL", "REDIS_URL", "XDG_RUNTIME_DIR", "DJANGO_SECRET_KEY", "EZFLOW_CREDENTIAL_KEYS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST")}
    env.update(EZFLOW_DATA_DIR=str(data_dir), EZFLOW_PORT=str(port), EZFLOW_WORKER_CONCURRENCY="1")
    log = open(data_dir.parent / f"launcher-{uuid.uuid4().hex[:6]}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "ezflow_site.launcher", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    ), log


def wait_ready(port, process, log, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, Path(log.name).read_text()
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(Path(log.name).read_text())


def postgres_running_on(pgdata) -> bool:
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and any(str(pgdata) in part for part in proc.info["cmdline"] or []):
            return True
    return False


def sign_in(port: int, host: str) -> httpx2.Client:
    client = httpx2.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": host}, timeout=30)
    page = client.get("/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = client.post("/login/", data={"csrfmiddlewaretoken": csrf, "email": "kept@example.com", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.text
    return client


@pytest.fixture(scope="module")
def first_start():
    """The first start of a new installation, shared by this module's tests (in file order: its first half minute is
    watched, then it is stopped and started again). Each first start makes a database cluster and migrates it."""
    base = ROOT / ".data" / "tmp" / f"launcher-{uuid.uuid4().hex[:8]}"
    data_dir = base / "data"
    data_dir.mkdir(parents=True)
    port = free_port()
    process, log = start(data_dir, port)
    launch = SimpleNamespace(data_dir=data_dir, port=port, process=process, log=log, started=time.monotonic())
    yield launch
    if launch.process.poll() is None:
        launch.process.send_signal(signal.SIGINT)
        try:
            launch.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            launch.process.kill()
    shutil.rmtree(base, ignore_errors=True)


def test_the_first_half_minute_logs_no_traceback(first_start):
    """`make run` as it starts: no "worker heartbeat failed … the connection is lost", no traceback of any kind."""
    process, log = first_start.process, first_start.log
    wait_ready(first_start.port, process, log)
    time.sleep(max(30 - (time.monotonic() - first_start.started), 12))  # at least one heartbeat after the web answered
    assert process.poll() is None
    output = Path(log.name).read_text(errors="replace")
    assert "EZFlow is running" in output
    assert "Traceback" not in output, output
    assert "heartbeat failed" not in output, output


def test_a_second_launcher_on_a_taken_port_says_so_in_one_line_before_starting_anything(first_start, tmp_path):
    wait_ready(first_start.port, first_start.process, first_start.log)
    dropped = {"DATABASE_URL", "REDIS_URL", "XDG_RUNTIME_DIR", "DJANGO_SECRET_KEY", "EZFLOW_CREDENTIAL_KEYS"}
    env = {key: value for key, value in os.environ.items() if key not in dropped and not key.startswith("PYTEST")}
    env.update(EZFLOW_DATA_DIR=str(tmp_path / "data"), EZFLOW_PORT=str(first_start.port))
    second = subprocess.run(
        [sys.executable, "-m", "ezflow_site.launcher", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    output = second.stdout + second.stderr
    assert second.returncode == 1, output
    assert f"cannot listen on 127.0.0.1:{first_start.port}" in output and "EZFLOW_PORT=" in output
    assert "Traceback" not in output
    assert not (tmp_path / "data" / "pg").exists()  # no database was started for it


def test_run_stop_and_restart_keeps_data(first_start):
    data_dir, port, process, log = first_start.data_dir, first_start.port, first_start.process, first_start.log
    try:
        wait_ready(port, process, log)
        host = {"Host": f"localhost:{port}"}
        response = httpx2.post(
            f"http://127.0.0.1:{port}/api/v1/signup",
            json={"organization": "Kept", "slug": "kept-co", "email": "kept@example.com", "password": PASSWORD},
            headers=host,
            timeout=60,  # a new organization's schema: seconds on a busy machine
        )
        assert response.status_code == 201, response.text
        demo = httpx2.get(f"http://127.0.0.1:{port}/login/", headers={"Host": f"demo.localhost:{port}"})
        assert demo.status_code == 200
        # Random keys generated on first start, readable by the owner only (issue 12: no built-in SECRET_KEY).
        keys_file = data_dir / "secrets" / "keys.json"
        assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600 and stat.S_IMODE(keys_file.parent.stat().st_mode) == 0o700
        keys = json.loads(keys_file.read_text())
        assert keys["secret_key"] not in KNOWN_DEFAULT_SECRET_KEYS and len(keys["secret_key"]) >= 50
        assert len(keys["credential_keys"]) == 1  # a new installation has no credentials under the old derived key
        browser = sign_in(port, f"kept-co.localhost:{port}")
        assert browser.get("/").status_code == 200

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=40) == 0
        assert not postgres_running_on(data_dir / "pg")
        with pytest.raises(httpx2.TransportError):
            httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2)

        process, log = start(data_dir, port)
        first_start.process = process
        wait_ready(port, process, log)
        kept = httpx2.get(f"http://127.0.0.1:{port}/login/", headers={"Host": f"kept-co.localhost:{port}"})
        assert kept.status_code == 200 and "Kept" in kept.text
        # The same keys again: the session signed in before the restart is still valid.
        assert json.loads(keys_file.read_text()) == keys
        assert browser.get("/").status_code == 200
        token = httpx2.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            json={"email": "kept@example.com", "password": PASSWORD},
            headers={"Host": f"kept-co.localhost:{port}"},
        )
        assert token.status_code == 201
        assert "demo organization kept" in Path(log.name).read_text().lower()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=40) == 0
    finally:
        if process.poll() is None:
            process.kill()
