"""Reactions to events of lower apps, connected in NotificationsConfig.ready()."""

from __future__ import annotations

import contextlib
import logging

from django.db import connection, transaction
from django_tenants.utils import schema_context

logger = logging.getLogger("ezflow.notifications")


def alerts_after_run(sender=None, *, schema: str, run, **kwargs) -> None:
    """On `run_finished`: queues the alert check. One query when nothing can match (a success that was quick
    enough), and never an error for the run: alerts must not break what they watch."""
    from apps.notifications.models import AlertRule
    from apps.notifications.tasks import evaluate_run_task

    if run.trigger == "test" or run.status not in ("success", "failed"):
        return
    try:
        # Events arrive after commit, when the connection may already serve another organization (the scheduler
        # and workers go from one to the next). Inside an enclosing transaction (callbacks run by a test) a savepoint
        # keeps a failure here out of it; after a real commit there is none, and the read costs one statement.
        savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        with schema_context(schema), savepoint:
            rules = list(AlertRule.objects.filter(flow_id=run.flow_id, enabled=True).values_list("kind", "duration_seconds"))
        duration_ms = run.duration_ms or 0
        if run.status == "success":
            rules = [kind for kind, seconds in rules if kind == AlertRule.Kind.DURATION and duration_ms > seconds * 1000]
        if not rules:
            return
        run_id = run.pk
        transaction.on_commit(lambda: evaluate_run_task.apply_async((run_id,), headers={"_schema_name": schema}))
    except Exception:
        logger.exception("could not queue the alert check", extra={"run_id": run.pk})


def credential_alert(sender=None, *, schema: str, credential_id: int, name: str, reason: str = "", **kwargs) -> None:
    """On `credential_needs_reconnect`: the owners and admins are told (bell and email) by a queued task."""
    from apps.notifications.tasks import credential_alert_task

    try:
        credential_alert_task.apply_async((credential_id, name, reason), headers={"_schema_name": schema})
    except Exception:
        logger.exception("could not queue the connection alert", extra={"credential_id": credential_id})
