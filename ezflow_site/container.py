"""The container image's entry point: one image, one role per container (docs/deployment.md).

    python -m ezflow_site.container web | worker | beat | migrate | metrics | wait-for-migrations

web, worker and beat run the commands `make run` and the loopback cluster tests run (ezflow_site/processes.py), bound
for a container: daphne on 0.0.0.0, a worker named after the container's host name, beat's schedule file in the data
folder. The process replaces this one (exec), so it is PID 1 and receives the orchestrator's SIGTERM itself.
`metrics` serves the worker's Prometheus files to the scraper (the worker has no HTTP server of its own).
`wait-for-migrations` (an init container) returns once the database has every migration this image expects.
The last two run in this process; as PID 1 it must stop on SIGTERM itself (the kernel ignores the default action
for PID 1), or a pod would wait out its whole grace period.
"""

from __future__ import annotations

import hmac
import os
import signal
import sys
import threading
import time
from pathlib import Path

from ezflow_site.processes import celery_beat_command, celery_worker_command

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("web", "worker", "beat", "migrate", "metrics", "wait-for-migrations")
# A container is always a scale-out process: the embedded database and file broker belong to `make run`.
REQUIRED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "EZFLOW_CREDENTIAL_KEYS")


def data_dir(environ) -> Path:
    return Path(environ.get("EZFLOW_DATA_DIR", "/var/lib/ezflow"))


def daphne_command(*, bind: str, port: int, access_log: bool) -> list[str]:
    """start_daphne's command with an address instead of an inherited socket: one process per container."""
    return [sys.executable, "-m", "daphne", "-v", "1" if access_log else "0", "-b", bind, "-p", str(port), "ezflow_site.asgi:application"]


def command(role: str, environ) -> list[str]:
    if role == "web":
        port = int(environ.get("EZFLOW_LISTEN_PORT", "8000"))
        return daphne_command(bind="0.0.0.0", port=port, access_log=environ.get("EZFLOW_ACCESS_LOG") == "1")  # noqa: S104
    if role == "worker":
        concurrency = int(environ.get("EZFLOW_WORKER_CONCURRENCY", "2"))
        return celery_worker_command(hostname="worker@%h", concurrency=concurrency)
    if role == "beat":
        return celery_beat_command(schedule_file=str(data_dir(environ) / "celerybeat-schedule"))
    if role == "migrate":
        return [sys.executable, str(ROOT / "manage.py"), "ezflow_setup"]
    raise ValueError(role)


def migrations_applied() -> bool:
    """The shared schema has this code's migrations and `ezflow_setup` recorded every organization's (as /healthz)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from apps.core.migration_state import tenant_migrations_current

    connection.set_schema_to_public()
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes()) and tenant_migrations_current()


def wait_for_migrations(environ, *, check=migrations_applied, sleep=time.sleep) -> int:
    import django
    from django.db import DatabaseError, connection

    django.setup()
    deadline = time.monotonic() + float(environ.get("EZFLOW_MIGRATION_WAIT_SECONDS", "1800"))
    while True:
        try:
            if check():
                return 0
            state = "migrations are not applied yet"
        except DatabaseError as exc:
            state = f"database unavailable ({exc.__class__.__name__})"
        finally:
            connection.close()
        if time.monotonic() > deadline:
            print(f"[ezflow] gave up waiting: {state}", file=sys.stderr)
            return 1
        print(f"[ezflow] waiting: {state}", file=sys.stderr)
        sleep(5)


def missing_settings(role: str, environ) -> list[str]:
    if role == "metrics":
        return []
    return [name for name in REQUIRED if not environ.get(name)]


def prepare_metrics_folder(environ) -> None:
    """Prometheus' multiprocess files belong to one container's life: stale ones would add a dead process's counts."""
    folder = environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def metrics_app(folder: str, token: str):
    """A WSGI app answering GET /metrics from a multiprocess folder, with the same bearer token as the web's /metrics."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if environ.get("PATH_INFO") != "/metrics" or not token:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        given = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"a valid metrics token is required\n"]
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [generate_latest(registry)]

    return app


def serve_metrics(environ) -> int:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    folder = environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if not folder:
        print("[ezflow] metrics: PROMETHEUS_MULTIPROC_DIR must name the folder the worker writes to", file=sys.stderr)
        return 2
    Path(folder).mkdir(parents=True, exist_ok=True)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):  # scrapes every few seconds would fill the log
            pass

    port = int(environ.get("EZFLOW_METRICS_PORT", "9100"))
    with make_server("0.0.0.0", port, metrics_app(folder, environ.get("EZFLOW_METRICS_TOKEN", "")), handler_class=QuietHandler) as server:  # noqa: S104
        # SIGTERM asks the loop to stop instead of raising SystemExit wherever the main thread is: raised while a
        # scrape is being answered, wsgiref's handler swallows it and the process would never exit.
        def stop(signum, frame):
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        server.serve_forever(poll_interval=0.2)
    return 0


def _stop(signum, frame):
    sys.exit(0)


def main(argv: list[str] | None = None, environ=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    if len(argv) != 1 or argv[0] not in ROLES:
        print(f"usage: python -m ezflow_site.container {{{','.join(ROLES)}}}", file=sys.stderr)
        return 2
    role = argv[0]
    missing = missing_settings(role, environ)
    if missing:
        print(f"[ezflow] {role}: missing required environment: {', '.join(missing)} (see docs/deployment.md)", file=sys.stderr)
        return 2
    if role in ("metrics", "wait-for-migrations"):
        signal.signal(signal.SIGTERM, _stop)
        return serve_metrics(environ) if role == "metrics" else wait_for_migrations(environ)
    if role in ("web", "worker"):
        prepare_metrics_folder(environ)
    data_dir(environ).mkdir(parents=True, exist_ok=True)
    argv = command(role, environ)
    os.chdir(ROOT)
    os.execv(argv[0], argv)  # noqa: S606  (the role's process becomes PID 1)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
