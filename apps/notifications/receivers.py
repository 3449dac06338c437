"""Reactions to events of lower apps, connected in NotificationsConfig.ready()."""

from __future__ import annotations

import logging

from django.db import connection, transaction

logger = logging.getLogger("ezflow.notifications")


def alerts_after_run(sender=None, *, schema: str, run, **kwargs) -> None:
    """On `run_finished`: queues the alert check. One query when nothing can match (a success that was quick
    enough), and never an error for the run: alerts must not break what they watch."""
    from apps.notifications.models import AlertRule
    from apps.notifications.tasks import evaluate_run_task

    try:
        if run.trigger == "test" or run.status not in ("success", "failed"):
            return
        rules = list(AlertRule.objects.filter(flow_id=run.flow_id, enabled=True).values_list("kind", "duration_seconds"))
        duration_ms = run.duration_ms or 0
        if run.status == "success":
            rules = [kind for kind, seconds in rules if kind == AlertRule.Kind.DURATION and duration_ms > seconds * 1000]
        if not rules:
            return
        if connection.schema_name != schema:  # events come after commit, on the connection that sent them
            logger.error("run event from another schema", extra={"run_id": run.pk})
            return
        run_id = run.pk
        transaction.on_commit(lambda: evaluate_run_task.apply_async((run_id,), headers={"_schema_name": schema}))
    except Exception:
        logger.exception("could not queue the alert check", extra={"run_id": run.pk})
