"""One scheduler for every organization: schedule triggers, resuming parked runs, and re-queuing stuck runs.

The index of schedules and wake-ups lives in the public schema, so a tick finds due work with one query.
A tick claims rows with FOR UPDATE SKIP LOCKED and creates the run and advances the schedule in the same
transaction: a crash or restart can neither lose a tick (it is fired when the scheduler comes back) nor fire it
twice (the advanced time and the run commit together, and runs are unique per flow and tick).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import get_tenant_model, tenant_context

from apps.core.models import ScheduleEntry, Wakeup
from apps.flows.engine.cron import cron_for, next_fire
from apps.flows.models import Flow
from apps.flows.nodes.registry import registry
from apps.runs.models import Run

logger = logging.getLogger(__name__)
REDISPATCH_AFTER = dt.timedelta(minutes=5)
STUCK_AFTER = dt.timedelta(seconds=settings.EZFLOW_STUCK_RUN_SECONDS)


def _schedule_node(flow: Flow) -> dict | None:
    if flow.published_version is None:
        return None
    return next((n for n in flow.published_version.graph.get("nodes", []) if registry.trigger_kind_of(n) == "schedule"), None)


def schedule_sync(*, flow: Flow) -> None:
    """Keeps the public index in step with the flow's published version and its on/off switch."""
    schema = connection.schema_name
    node = _schedule_node(flow) if flow.active else None
    if node is None:
        ScheduleEntry.objects.filter(schema_name=schema, flow_id=flow.pk).delete()
        return
    parameters = node.get("parameters") or {}
    cron = cron_for(parameters)
    zone = parameters.get("time_zone") or flow.time_zone or connection.tenant.time_zone
    current = ScheduleEntry.objects.filter(schema_name=schema, flow_id=flow.pk).first()
    if current and (current.cron, current.time_zone, current.version_id) == (cron, zone, flow.published_version_id):
        return
    ScheduleEntry.objects.update_or_create(
        schema_name=schema,
        flow_id=flow.pk,
        defaults={
            "cron": cron,
            "time_zone": zone,
            "version_id": flow.published_version_id,
            "next_fire_at": next_fire(cron, zone, timezone.now()),
        },
    )


def schedule_remove(*, flow_id: int) -> None:
    ScheduleEntry.objects.filter(schema_name=connection.schema_name, flow_id=flow_id).delete()


def wakeup_register(*, run: Run) -> None:
    Wakeup.objects.update_or_create(
        schema_name=connection.schema_name, run_id=run.pk, defaults={"resume_at": run.resume_at, "dispatched_at": None}
    )


def wakeup_done(*, run: Run) -> None:
    Wakeup.objects.filter(schema_name=connection.schema_name, run_id=run.pk).delete()


def _organizations(schemas: set[str]) -> dict:
    return {o.schema_name: o for o in get_tenant_model().objects.filter(schema_name__in=schemas)}


def scheduler_tick(*, now: dt.datetime | None = None, limit: int = 500) -> dict:
    from apps.runs.services.runs import run_enqueue

    now = now or timezone.now()
    fired = dispatched = 0
    with transaction.atomic():
        entries = list(
            ScheduleEntry.objects.select_for_update(skip_locked=True).filter(next_fire_at__lte=now).order_by("next_fire_at")[:limit]
        )
        wakeups = list(
            Wakeup.objects.select_for_update(skip_locked=True)
            .filter(resume_at__lte=now)
            .exclude(dispatched_at__gt=now - REDISPATCH_AFTER)
            .order_by("resume_at")[:limit]
        )
        organizations = _organizations({e.schema_name for e in entries} | {w.schema_name for w in wakeups})
        for entry in entries:
            organization = organizations.get(entry.schema_name)
            if organization is None:
                entry.delete()
                continue
            tick = entry.next_fire_at
            if not organization.is_suspended:
                with tenant_context(organization):
                    fired += _fire(entry, tick, run_enqueue)
            # After downtime only the latest missed tick is fired, then the schedule continues from now.
            entry.last_fired_at = tick
            entry.next_fire_at = next_fire(entry.cron, entry.time_zone, max(tick, now))
            entry.save(update_fields=["last_fired_at", "next_fire_at"])
        for wakeup in wakeups:
            organization = organizations.get(wakeup.schema_name)
            if organization is None:
                wakeup.delete()
                continue
            with tenant_context(organization):
                run = Run.objects.filter(pk=wakeup.run_id, status=Run.Status.WAITING).first()
                if run is None:
                    wakeup.delete()
                    continue
                run_enqueue(run)
            wakeup.dispatched_at = now
            wakeup.save(update_fields=["dispatched_at"])
            dispatched += 1
    connection.set_schema_to_public()
    return {"fired": fired, "resumed": dispatched}


def schedule_item(tick: dt.datetime, time_zone: str) -> dict:
    """The item a schedule run starts with; `timestamp` (the local time) is what n8n's Schedule Trigger gives, which
    imported n8n flows read."""
    local = tick.astimezone(zoneinfo.ZoneInfo(time_zone)).isoformat()
    return {"scheduled_for": tick.astimezone(dt.UTC).isoformat(), "time_zone": time_zone, "local_time": local, "timestamp": local}


def _fire(entry: ScheduleEntry, tick: dt.datetime, enqueue) -> int:
    flow = Flow.objects.select_related("published_version").filter(pk=entry.flow_id, active=True).first()
    if flow is None or flow.published_version is None:
        return 0
    item = schedule_item(tick, entry.time_zone)
    try:
        with transaction.atomic():
            run = Run.objects.create(
                flow=flow,
                version=flow.published_version,
                graph=flow.published_version.graph,
                trigger=Run.Trigger.SCHEDULE,
                input_items=[item],
                scheduled_for=tick,
            )
    except IntegrityError:
        return 0  # this tick already has its run
    enqueue(run)
    return 1


SCHEMAS_PER_STATEMENT = 200


def requeue_stuck_runs(*, now: dt.datetime | None = None, organizations=None, limit: int | None = None) -> int:
    """The runs' outbox relay and lease check, for every active organization (or `organizations`): a queued run
    that no worker took before its lease lapsed (its publish failed, or the broker lost it: Redis restarted empty),
    a queued run untouched for EZFLOW_STUCK_RUN_SECONDS, and a running run whose worker stopped renewing its lease
    (killed, out of memory) are published again. At most `limit` runs per pass; the rest come in the next pass.

    Organizations are looked at many at once: one statement over up to SCHEMAS_PER_STATEMENT schemas, each an
    index probe (run_active_lease), so a pass every few seconds stays cheap with thousands of organizations.
    A run published again gets a new lease that grows with its age, so a run waiting in a long queue is not
    published over and over. Safe even when the worker is alive: run_execute holds an advisory lock per run, so a
    duplicate backs off, and a finished run is never executed again.
    """
    now = now or timezone.now()
    limit = settings.EZFLOW_REQUEUE_BATCH if limit is None else limit
    if organizations is None:  # only names for the scan; organizations are loaded for the few with expired runs
        active = get_tenant_model().objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(status="active")
        schemas = list(active.values_list("schema_name", flat=True))
    else:
        schemas = [organization.schema_name for organization in organizations]
    found = _expired_runs(schemas, now=now, limit=limit)
    count = 0
    for schema, organization in _organizations(set(found)).items():
        with tenant_context(organization):
            count += _publish_again(found[schema], now=now)
    connection.set_schema_to_public()
    return count


def _expired_runs(schemas: list[str], *, now: dt.datetime, limit: int) -> dict[str, list[int]]:
    quote = connection.ops.quote_name
    table = quote(Run._meta.db_table)
    stuck_before = now - STUCK_AFTER
    found: dict[str, list[int]] = {}
    remaining = limit
    for start in range(0, len(schemas), SCHEMAS_PER_STATEMENT):
        if remaining <= 0:
            break
        batch = schemas[start : start + SCHEMAS_PER_STATEMENT]
        parts, params = [], []
        for schema in batch:
            parts.append(
                f"(SELECT %s, id FROM {quote(schema)}.{table} WHERE status IN ('queued', 'running') AND lease_until < %s "  # noqa: S608
                f"UNION SELECT %s, id FROM {quote(schema)}.{table} WHERE status = 'queued' AND updated_at < %s LIMIT %s)"  # noqa: S608
            )
            params += [schema, now, schema, stuck_before, remaining]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({' UNION ALL '.join(parts)}) expired LIMIT %s", [*params, remaining])  # noqa: S608 (quoted names)
            for schema, run_id in cursor.fetchall():
                found.setdefault(schema, []).append(run_id)
                remaining -= 1
    return found


def _publish_again(run_ids: list[int], *, now: dt.datetime) -> int:
    from apps.runs.services.runs import run_enqueue

    count = 0
    with transaction.atomic():
        runs = (
            Run.objects.select_for_update(skip_locked=True)
            .filter(pk__in=run_ids, status__in=[Run.Status.QUEUED, Run.Status.RUNNING])
            .only("id", "graph", "created_at")
        )
        for run in runs:
            age = max((now - run.created_at).total_seconds(), 0.0)
            wait = max(settings.EZFLOW_RUN_QUEUED_LEASE_SECONDS, age / 2)
            Run.objects.filter(pk=run.pk).update(updated_at=now, lease_until=now + dt.timedelta(seconds=wait))
            run_enqueue(run)
            count += 1
    return count
