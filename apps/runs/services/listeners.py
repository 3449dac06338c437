"""Listening triggers (an MQTT subscription): the runs side of apps.flows.triggers.listener.

`listener_sync` keeps the public index (core.ListenerEntry) in step with each flow's published version and switch,
inside the flow's transaction; `listener_deliver` saves the run of one message, with the message's key for the
dedupe of redeliveries, in one transaction. The supervisor that keeps the connections is apps/runs/listeners.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone

from apps.core.models import ListenerEntry
from apps.flows.models import Flow
from apps.flows.nodes.registry import registry
from apps.flows.triggers.listener import ListenerTriggerKind, Message
from apps.flows.triggers.registry import trigger_kinds
from apps.runs.models import Run, WebhookEvent

REDELIVERY_WINDOW = dt.timedelta(hours=1)
MAX_ITEMS_PER_RUN = 500


def listening_node(flow: Flow | None, version=None):
    """(node, node type) of the published version's listening trigger, or None."""
    version = version or (flow.published_version if flow is not None else None)
    if version is None:
        return None
    for node in version.graph.get("nodes", []):
        if isinstance(trigger_kinds.get(registry.trigger_kind_of(node)), ListenerTriggerKind):
            return node, registry.get(node["type"])
    return None


def fingerprint(node: dict) -> str:
    source = {"type": node.get("type"), "parameters": node.get("parameters") or {}}
    return hashlib.sha256(json.dumps(source, sort_keys=True, default=str).encode()).hexdigest()


def listener_sync(*, flow: Flow) -> None:
    schema = connection.schema_name
    found = listening_node(flow) if flow.active else None
    if found is None:
        ListenerEntry.objects.filter(schema_name=schema, flow_id=flow.pk).delete()
        return
    node, _node_type = found
    ListenerEntry.objects.update_or_create(
        schema_name=schema,
        flow_id=flow.pk,
        defaults={"version_id": flow.published_version_id, "node_id": node["id"], "fingerprint": fingerprint(node)},
    )


def listener_remove(*, flow_id: int) -> None:
    ListenerEntry.objects.filter(schema_name=connection.schema_name, flow_id=flow_id).delete()


def listener_deliver(*, flow_id: int, version_id: int, message: Message, enqueue=None) -> Run | None:
    """Saves the run of one message (in the current organization's schema); None when the flow is off or changed, or
    the message is a redelivery of one already saved. The caller acknowledges the message after this returns."""
    return listener_deliver_many(flow_id=flow_id, version_id=version_id, messages=[message], enqueue=enqueue)[0]


def listener_deliver_many(*, flow_id: int, version_id: int, messages: list[Message], enqueue=None) -> list[Run | None]:
    """The runs of several messages of one trigger, saved in one transaction (one commit for a burst of messages)."""
    from apps.runs.services.runs import run_enqueue

    enqueue = enqueue or run_enqueue
    now = timezone.now()
    saved: list[Run | None] = []
    with transaction.atomic():
        flow = Flow.objects.select_related("published_version").filter(pk=flow_id, active=True).first()
        if flow is None or flow.published_version_id != version_id or listening_node(flow) is None:
            return [None] * len(messages)
        for message in messages:
            key = message.key[:200]
            if key and message.redelivered:
                seen = WebhookEvent.objects.filter(flow=flow, key=key, created_at__gte=now - REDELIVERY_WINDOW).exists()
                if seen:
                    saved.append(None)
                    continue
            run = Run.objects.create(
                flow=flow,
                version=flow.published_version,
                graph=flow.published_version.graph,
                trigger=Run.Trigger.WEBHOOK,
                input_items=list(message.items)[:MAX_ITEMS_PER_RUN],
            )
            if key:
                updated = WebhookEvent.objects.filter(flow=flow, key=key).update(run_id=run.pk, created_at=now)
                if not updated:
                    WebhookEvent.objects.create(flow=flow, key=key, run_id=run.pk)
            enqueue(run)
            saved.append(run)
    return saved
