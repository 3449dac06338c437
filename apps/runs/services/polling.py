"""Polling triggers ("a new feed entry", "a new row"): the runs side of apps.flows.triggers.polling.

The public index (core.PollEntry) holds one row per active flow whose published version starts from a polling
trigger, with the trigger's state (the keys it has seen). A tick claims due rows with FOR UPDATE SKIP LOCKED, asks the
step for the items now (`poll`), keeps the unseen ones (`PollingTriggerKind.new_items`), and saves the run with them
and the new state in one transaction: a crash before the commit polls again and finds the same new items; after it,
they are remembered. So a restart neither loses nor repeats an item. A failed poll waits longer each time (doubling
the interval, at most BACKOFF_LIMIT) and keeps its state."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_tenant_model, tenant_context

from apps.core.models import PollEntry
from apps.files.refs import file_refs_in
from apps.files.services import files_attach_to_run
from apps.flows.engine.errors import EngineError
from apps.flows.models import Flow
from apps.flows.nodes.registry import registry
from apps.flows.triggers.polling import PollingTriggerKind
from apps.flows.triggers.registry import trigger_kinds
from apps.runs.models import Run

logger = logging.getLogger(__name__)
BACKOFF_LIMIT = dt.timedelta(hours=6)
MAX_ITEMS_PER_RUN = 500


def _polling_node(flow: Flow):
    """(node, node type, kind) of the published version's polling trigger, or None."""
    if flow.published_version is None:
        return None
    for node in flow.published_version.graph.get("nodes", []):
        kind = trigger_kinds.get(registry.trigger_kind_of(node))
        if isinstance(kind, PollingTriggerKind):
            return node, registry.get(node["type"]), kind
    return None


def poll_sync(*, flow: Flow) -> None:
    """Keeps the index in step with the flow's published version and switch. The state survives a new version with
    the same trigger, so publishing again does not replay the feed."""
    schema = connection.schema_name
    found = _polling_node(flow) if flow.active else None
    if found is None:
        PollEntry.objects.filter(schema_name=schema, flow_id=flow.pk).delete()
        return
    node, _node_type, kind = found
    interval = kind.interval_seconds(node.get("parameters") or {})
    current = PollEntry.objects.filter(schema_name=schema, flow_id=flow.pk).first()
    if current is None:
        PollEntry.objects.create(
            schema_name=schema,
            flow_id=flow.pk,
            version_id=flow.published_version_id,
            node_id=node["id"],
            interval_seconds=interval,
            next_poll_at=timezone.now(),
        )
        return
    same_source = current.node_id == node["id"] and (current.state or {}).get("source") in (None, _source_of(node))
    current.version_id, current.interval_seconds, current.node_id = flow.published_version_id, interval, node["id"]
    if not same_source:
        current.state, current.failures, current.last_error, current.next_poll_at = {}, 0, "", timezone.now()
    current.save()


def _source_of(node: dict) -> dict:
    parameters = dict(node.get("parameters") or {})
    parameters.pop("interval_minutes", None)
    return {"type": node.get("type"), "parameters": parameters}


def poll_remove(*, flow_id: int) -> None:
    PollEntry.objects.filter(schema_name=connection.schema_name, flow_id=flow_id).delete()


def polling_tick(*, now: dt.datetime | None = None, limit: int = 100) -> dict:
    from apps.flows.host import FlowHost
    from apps.runs.services.runs import run_enqueue

    now = now or timezone.now()
    started = failed = 0
    due = list(PollEntry.objects.filter(next_poll_at__lte=now).order_by("next_poll_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        with transaction.atomic():
            entry = PollEntry.objects.select_for_update(skip_locked=True).filter(pk=pk, next_poll_at__lte=now).first()
            if entry is None:
                continue  # another poller has it
            organization = get_tenant_model().objects.filter(schema_name=entry.schema_name).first()
            if organization is None:
                entry.delete()
                continue
            if organization.is_suspended:
                entry.next_poll_at = now + dt.timedelta(seconds=entry.interval_seconds)
                entry.save(update_fields=["next_poll_at"])
                continue
            with tenant_context(organization):
                outcome = _poll(entry, now=now, host=FlowHost(organization=organization), enqueue=run_enqueue)
            started += outcome == "started"
            failed += outcome == "failed"
    connection.set_schema_to_public()
    return {"started": started, "failed": failed}


def _poll(entry: PollEntry, *, now, host, enqueue) -> str:
    flow = Flow.objects.select_related("published_version").filter(pk=entry.flow_id, active=True).first()
    found = _polling_node(flow) if flow is not None else None
    if found is None:
        entry.delete()
        return "gone"
    node, node_type, kind = found
    parameters = node.get("parameters") or {}
    try:
        polled = node_type.poll(parameters, dict(entry.state or {}), host)
    except EngineError as error:
        entry.failures += 1
        entry.last_error = error.message[:2000]
        pause = min(dt.timedelta(seconds=entry.interval_seconds * 2**entry.failures), BACKOFF_LIMIT)
        entry.next_poll_at, entry.last_polled_at = now + pause, now
        entry.save(update_fields=["failures", "last_error", "next_poll_at", "last_polled_at"])
        logger.info("poll of flow %s in %s failed (%s): next in %s", entry.flow_id, entry.schema_name, error.code, pause)
        return "failed"
    fresh, state = kind.new_items(polled, entry.state or {}, node_type.dedupe_key)
    state["source"] = _source_of(node)
    outcome = "quiet"
    if fresh:
        run = Run.objects.create(
            flow=flow,
            version=flow.published_version,
            graph=flow.published_version.graph,
            trigger=Run.Trigger.SCHEDULE,
            input_items=fresh[:MAX_ITEMS_PER_RUN],
        )
        # Files the poll saved (an email's attachments) belong to the run from now on: kept and deleted with it.
        files_attach_to_run(refs=list(file_refs_in(run.input_items)), run_id=run.pk)
        enqueue(run)
        outcome = "started"
        if len(fresh) > MAX_ITEMS_PER_RUN:
            # The rest are forgotten by this state and come back in the next poll, which starts the next run.
            state["seen"] = [key for key in state["seen"] if key not in {node_type.dedupe_key(i) for i in fresh[MAX_ITEMS_PER_RUN:]}]
    entry.state, entry.failures, entry.last_error = state, 0, ""
    entry.next_poll_at, entry.last_polled_at = now + dt.timedelta(seconds=entry.interval_seconds), now
    entry.save(update_fields=["state", "failures", "last_error", "next_poll_at", "last_polled_at"])
    return outcome
