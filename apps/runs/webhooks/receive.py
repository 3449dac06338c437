"""Where a webhook call becomes a run: the one place, used by the one entry (apps.runs.webhooks.asgi).

1. `webhook_find` — one statement finds the active flow at the token (and, given the host, proves the host still
   belongs to the organization and refreshes its status), and reserves the run's id;
2. `webhook_start` — checks the method and the signature, then either saves and queues the run (answer 202) or,
   for a caller that waits, prepares a PendingRun;
3. `webhook_execute` — runs a waiting caller's run (inline when every step is pure) and turns it into the answer.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.jsonbody import JSONInputError, json_loads
from apps.files.refs import file_refs_in
from apps.files.services import files_attach_to_run
from apps.flows.engine.graph import Graph
from apps.flows.host import FlowHost
from apps.flows.models import Flow, FlowVersion
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.triggers.inbound import IgnoreCall, StartRun
from apps.runs.models import Run, WebhookEvent
from apps.runs.services.runs import RunSaved, run_create, run_enqueue, run_execute, run_execute_inline
from apps.runs.webhooks.multipart import MULTIPART, parse_multipart

SIGNATURE_HEADER = "X-EZFlow-Signature"
# Runs that may block or change the world run here, not on the few threads that serve lookups.
general_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="webhook-run")


@dataclass
class WebhookCall:
    method: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    content_type: str = ""


@dataclass
class WebhookAnswer:
    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)


def parse_body(call: WebhookCall, *, flow_id=None):
    """The body as the item carries it: JSON, a form as a dict, a multipart form with its uploads as stored files
    (docs/files.md), any other text as a string."""
    if not call.body:
        return None
    kind = call.content_type.split(";")[0].strip().lower()
    if kind == MULTIPART:
        full_type = next((v for k, v in call.headers.items() if k.lower() == "content-type"), call.content_type)
        return parse_multipart(body=call.body, content_type=full_type, flow_id=flow_id)
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return json_loads(call.body)  # bounded depth, no NUL: apps/core/jsonbody.py
        except JSONInputError as exc:
            raise DomainError(exc.message, code=exc.code) from None
        except ValueError:
            raise DomainError(_("The request body is not valid JSON."), code="bad_json") from None
    if kind == "application/x-www-form-urlencoded":
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(call.body.decode("utf-8", "replace")).items()}
    return call.body.decode("utf-8", "replace")


def _check_auth(params: dict, call: WebhookCall) -> None:
    mode, secret = params.get("auth", "none"), str(params.get("secret") or "")
    if mode == "none":
        return
    if not secret:
        raise DomainError(
            _("This webhook is set to check requests but has no secret configured."), code="webhook_misconfigured", status=500
        )
    lowered = {k.lower(): v for k, v in call.headers.items()}
    if mode == "header":
        given = lowered.get(str(params.get("auth_header") or "X-EZFlow-Secret").lower(), "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise DomainError(_("The secret header is missing or wrong."), code="unauthorized", status=401)
    elif mode == "hmac":
        expected = "sha256=" + hmac.new(secret.encode(), call.body, hashlib.sha256).hexdigest()
        given = lowered.get(SIGNATURE_HEADER.lower(), "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise DomainError(_("The request signature is missing or wrong."), code="unauthorized", status=401)


@dataclass
class WebhookTarget:
    """An active flow listening at a token, with what its run needs; found with one statement."""

    flow: Flow
    graph: Graph
    params: dict
    run_id: int  # reserved from the run id sequence: a run executed inline is written only at its end
    watched: bool  # alert rules watch the flow, so even a successful run of a flow with history off is kept
    pure: bool  # no node with side effects or that may block: the run can execute inline, written at the end
    trigger_type: object = None  # the webhook step's NodeType (its optional `receive_webhook` checks the call)


@dataclass
class PendingRun:
    """A webhook call whose caller waits for the run's answer; executed by webhook_execute."""

    target: WebhookTarget
    item: dict
    timeout: float
    run: Run | None = None  # already written (flows that are not pure take the recorded path)


@dataclass(frozen=True)
class _Version:
    version: FlowVersion
    graph: Graph
    trigger: dict | None
    pure: bool
    trigger_type: object = None


_versions: dict[tuple, _Version] = {}
_VERSIONS_KEPT = 1000


def _version(version_id: int, stamp) -> _Version:
    """Published versions never change, so each process keeps them parsed (the flow row says which one is live).
    Ids repeat across organization schemas, so the schema is part of the key."""
    key = (connection.schema_name, version_id, stamp)
    cached = _versions.get(key)
    if cached is None:
        version = FlowVersion.objects.get(pk=version_id)
        nodes = version.graph.get("nodes", [])
        registry = load_builtin_nodes()
        kinds = [registry.get(n.get("type")) for n in nodes]
        pure = all(kind is not None and not kind.side_effects and not kind.blocking for kind in kinds)
        trigger = next((n for n in nodes if registry.trigger_kind_of(n) == "webhook"), None)
        trigger_type = registry.get(trigger.get("type")) if trigger is not None else None
        cached = _Version(version, Graph.from_dict(version.graph), trigger, pure, trigger_type)
        if len(_versions) >= _VERSIONS_KEPT:
            _versions.clear()
        _versions[key] = cached
    return cached


_FLOW_FIELDS = ("flow_id", "name", "active", "save_history", "error_flow_id", "published_version_id", "run_id", "watched")
# The lookup row by name, in the order of _lookup_sql's columns; with the host, the organization's status follows.
_Found = namedtuple("_Found", (*_FLOW_FIELDS, "version_stamp"))
_FoundWithHost = namedtuple("_FoundWithHost", (*_FLOW_FIELDS, "status", "time_zone", "allowed_internal_hosts", "version_stamp"))


def _lookup_sql(*, with_host: bool) -> str:
    from apps.accounts.models import Domain, Organization

    # Only table names from model metadata are interpolated; every value is a parameter. The columns are in the
    # order of _Found / _FoundWithHost.
    flow_columns = "f.id, f.name, f.active, f.save_history, f.error_flow_id, f.published_version_id"
    reserve = f"nextval(pg_get_serial_sequence('{Run._meta.db_table}', 'id'))"
    watched = "f.watched_by_alerts"
    # With the version's id, its creation time identifies it in the cache even if a schema is ever created anew.
    stamp = f"(SELECT v.created_at FROM {FlowVersion._meta.db_table} v WHERE v.id = f.published_version_id)"  # noqa: S608
    if not with_host:
        return f"SELECT {flow_columns}, {reserve}, {watched}, {stamp} FROM {Flow._meta.db_table} f WHERE f.webhook_token = %s"  # noqa: S608
    # Also proves the cached host → organization mapping still holds, and reads the organization's current status.
    tables = f"{Domain._meta.db_table} d JOIN {Organization._meta.db_table} o ON o.id = d.tenant_id AND o.id = %s"
    organization = "o.status, o.time_zone, o.allowed_internal_hosts"
    return f"SELECT {flow_columns}, {reserve}, {watched}, {organization}, {stamp} FROM {tables} LEFT JOIN {Flow._meta.db_table} f ON f.webhook_token = %s WHERE d.domain = %s"  # noqa: S608, E501


class HostMoved(Exception):
    """The host no longer belongs to the organization this process remembered for it."""


def webhook_find(*, token: str, host: str | None = None) -> WebhookTarget:
    """The active flow at `token` in the current organization (connection.tenant), in one statement that also
    reserves the run id. With `host`, the statement also checks that the host still belongs to that organization
    (HostMoved otherwise) and refreshes its status, time zone and allowed hosts on connection.tenant."""
    organization = connection.tenant
    with connection.cursor() as cursor:
        if host is None:
            cursor.execute(_lookup_sql(with_host=False), [token])
        else:
            cursor.execute(_lookup_sql(with_host=True), [organization.pk, token, host])
        raw = cursor.fetchone()
    found = None if raw is None else (_Found(*raw) if host is None else _FoundWithHost(*raw))
    if host is not None:
        if found is None:
            raise HostMoved(host)
        organization.status, organization.time_zone = found.status, found.time_zone
        organization.allowed_internal_hosts = found.allowed_internal_hosts or []
        if organization.is_suspended:
            raise DomainError(
                _("This organization has been suspended. Its data is kept safe; please contact EZFlow support."),
                code="organization_suspended",
                status=403,
            )
    if found is None or found.flow_id is None or not found.active or found.published_version_id is None:
        raise DomainError(_("No active flow listens at this address."), code="not_found", status=404)
    version = _version(found.published_version_id, found.version_stamp)
    if version.trigger is None:
        raise DomainError(_("No active flow listens at this address."), code="not_found", status=404)
    flow = Flow(
        id=found.flow_id,
        name=found.name,
        active=found.active,
        save_history=found.save_history,
        error_flow_id=found.error_flow_id,
        published_version_id=found.published_version_id,
        webhook_token=token,
        watched_by_alerts=bool(found.watched),
    )
    flow.published_version = version.version
    params = {
        "response_mode": "immediately",
        "response_timeout_seconds": 30,
        **(version.trigger.get("parameters") or {}),
    }
    return WebhookTarget(
        flow=flow,
        graph=version.graph,
        params=params,
        run_id=found.run_id,
        watched=bool(found.watched),
        pure=version.pure,
        trigger_type=version.trigger_type,
    )


def webhook_start(*, target: WebhookTarget, call: WebhookCall) -> WebhookAnswer | PendingRun:
    """Checks the method and the signature, then queues the run (202) or prepares it for a waiting caller."""
    params = target.params
    # A trigger step may declare other methods by default (a payment redirect arrives as GET).
    declared = next((p.default for p in getattr(target.trigger_type, "params", ()) if p.name == "methods"), None)
    allowed = [str(m).upper() for m in params.get("methods") or declared or ["POST"]]
    if call.method.upper() not in allowed:
        raise DomainError(
            _("This address accepts only: %(methods)s.") % {"methods": ", ".join(allowed)},
            code="method_not_allowed",
            status=405,
            extra={"allowed": allowed},
        )
    _check_auth(params, call)
    receive = getattr(target.trigger_type, "receive_webhook", None)
    if receive is not None:
        return _start_checked(target, call, receive)
    item = {"method": call.method.upper(), "headers": call.headers, "query": call.query, "body": parse_body(call, flow_id=target.flow.pk)}
    uploads = list(file_refs_in(item["body"]))
    if params.get("response_mode") != "wait":
        run = run_create(flow=target.flow, trigger=Run.Trigger.WEBHOOK, items=[item])
        files_attach_to_run(refs=uploads, run_id=run.pk)
        run_enqueue(run)
        return WebhookAnswer(202, {"run_id": run.pk, "status": "queued"})
    pending = PendingRun(target=target, item=item, timeout=float(params.get("response_timeout_seconds") or 30))
    if not target.pure:
        pending.run = run_create(flow=target.flow, trigger=Run.Trigger.WEBHOOK, items=[item])
    files_attach_to_run(refs=uploads, run_id=pending.run.pk if pending.run is not None else target.run_id)
    return pending


def _start_checked(target: WebhookTarget, call: WebhookCall, receive) -> WebhookAnswer:
    """A call the trigger step checks itself (apps.flows.triggers.inbound): no run, or one run per event key, written
    with the key in one transaction (so the run row stays the outbox and a retried event finds its key)."""
    verdict = receive(call, params=target.params, host=FlowHost(organization=connection.tenant))
    if isinstance(verdict, IgnoreCall):
        return WebhookAnswer(verdict.status, {"status": "ignored", "message": verdict.message})
    assert isinstance(verdict, StartRun), verdict
    key = verdict.event_key[:200]
    try:
        with transaction.atomic():
            run = run_create(flow=target.flow, trigger=Run.Trigger.WEBHOOK, items=verdict.items)
            if key:
                WebhookEvent.objects.create(flow_id=target.flow.pk, key=key, run_id=run.pk)
    except IntegrityError:
        seen = WebhookEvent.objects.filter(flow_id=target.flow.pk, key=key).first()
        return WebhookAnswer(200, {"status": "duplicate", "run_id": seen.run_id if seen else None})
    run_enqueue(run)
    return WebhookAnswer(verdict.status, {**verdict.body, "run_id": run.pk, "status": "queued"})


def webhook_execute(pending: PendingRun) -> WebhookAnswer:
    """Executes the run of a waiting caller in this thread and turns its outcome into the answer. If the database
    goes away once the run is saved, the run finishes later (its lease lapses and a worker resumes it): the caller
    is told it was accepted, never asked to send it again."""
    try:
        if pending.run is None:
            target = pending.target
            finished = run_execute_inline(
                flow=target.flow, graph=target.graph, items=[pending.item], run_id=target.run_id, watched=target.watched
            )
        else:
            finished = run_execute(run_id=pending.run.pk) or Run.objects.get(pk=pending.run.pk)
    except RunSaved as saved:
        return webhook_accepted(saved.run_id)
    except DatabaseError:
        if pending.run is None:
            raise  # nothing was saved: the caller may send it again (503)
        return webhook_accepted(pending.run.pk)
    return webhook_answer(finished)


def webhook_accepted(run_id: int) -> WebhookAnswer:
    return WebhookAnswer(202, {"run_id": run_id, "status": "queued", "message": _("The run was accepted and will finish shortly.")})


def webhook_answer(finished: Run) -> WebhookAnswer:
    if finished.response:
        response = finished.response
        return WebhookAnswer(int(response.get("status", 200)), response.get("body"), response.get("headers") or {})
    if finished.status == Run.Status.FAILED:
        # The caller is outside the organization: the error itself (which may quote data) stays in the run.
        return WebhookAnswer(500, {"run_id": finished.pk, "status": "failed", "message": _("The flow failed. Its run shows the details.")})
    return WebhookAnswer(200, finished.result_sample)


def webhook_timed_out(pending: PendingRun) -> WebhookAnswer:
    run_id = pending.run.pk if pending.run is not None else pending.target.run_id
    return WebhookAnswer(504, {"run_id": run_id, "status": "running", "message": _("The flow is still running.")})


def webhook_execute_in_thread(tenant, pending: PendingRun) -> WebhookAnswer:
    """webhook_execute on a thread of general_pool, with a connection of its own for the organization."""
    close_old_connections()
    connection.set_tenant(tenant)
    try:
        return webhook_execute(pending)
    finally:
        close_old_connections()
