"""Readiness: database reachable, migrations applied, a run worker alive."""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _migrations() -> dict:
    from apps.core.migration_state import tenant_migrations_current

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        organizations_current = tenant_migrations_current()
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": not pending and organizations_current, "pending": len(pending), "organizations_current": organizations_current}


def _worker() -> dict:
    from apps.core.models import WorkerHeartbeat

    try:
        newest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if newest is None:
        return {"ok": False, "last_seen": None}
    age = timezone.now() - newest
    return {
        "ok": age < timedelta(seconds=settings.EZFLOW_WORKER_STALE_AFTER_SECONDS),
        "last_seen": newest.isoformat(),
        "age_seconds": round(age.total_seconds(), 1),
    }


def health_report() -> dict:
    connection.set_schema_to_public()
    checks = {"database": _database()}
    if checks["database"]["ok"]:
        checks["migrations"] = _migrations()
        checks["worker"] = _worker()
    else:
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
        checks["worker"] = {"ok": False, "error": "database unavailable"}
    ready = all(check["ok"] for check in checks.values())
    return {"status": "ok" if ready else "unavailable", "mode": settings.EZFLOW_MODE, "checks": checks}
