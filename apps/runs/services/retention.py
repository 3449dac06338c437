from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_tenant_model, tenant_context

from apps.files.services import files_delete_for_runs, files_prune_expired
from apps.runs.models import Run

BATCH = 1_000


def runs_prune(*, organization, now: dt.datetime | None = None) -> int:
    """Deletes finished runs older than the organization keeps them, and the oldest beyond its maximum count, with
    their files; then the files past their expiry (docs/files.md)."""
    now = now or timezone.now()
    finished = Run.objects.filter(status__in=Run.FINISHED)
    deleted = 0
    while True:
        old = list(
            finished.filter(created_at__lt=now - dt.timedelta(days=organization.run_retention_days)).values_list("pk", flat=True)[:BATCH]
        )
        if not old:
            break
        deleted += _delete(old)
    cutoff = finished.order_by("-created_at", "-id").values_list("created_at", "id")[
        organization.run_retention_count : organization.run_retention_count + 1
    ]
    if cutoff:
        created_at, run_id = cutoff[0]
        while True:
            extra = list(finished.filter(created_at__lte=created_at, id__lte=run_id).values_list("pk", flat=True)[:BATCH])
            if not extra:
                break
            deleted += _delete(extra)
    files_prune_expired(now=now)
    return deleted


def _delete(run_ids: list) -> int:
    """Deletes these runs and their stored files (the bytes once the transaction commits)."""
    files_delete_for_runs(run_ids=run_ids)
    return Run.objects.filter(pk__in=run_ids).delete()[1].get("runs.Run", 0)


def runs_prune_all() -> int:
    total = 0
    for organization in get_tenant_model().objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME):
        with tenant_context(organization), transaction.atomic():
            total += runs_prune(organization=organization)
    connection.set_schema_to_public()
    return total
