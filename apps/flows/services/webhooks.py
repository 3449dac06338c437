"""Receiving a webhook call: find the active flow, check method and signature, start the run."""

from __future__ import annotations

import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.flows.models import Flow
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_enqueue, run_execute

SIGNATURE_HEADER = "X-EZFlow-Signature"
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="webhook-run")


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


def _trigger_node(flow: Flow) -> dict | None:
    graph = flow.published_version.graph if flow.published_version else {}
    return next((n for n in graph.get("nodes", []) if n.get("type") == "trigger.webhook"), None)


def _parse_body(call: WebhookCall):
    if not call.body:
        return None
    kind = call.content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return json.loads(call.body)
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


def webhook_receive(*, token: str, call: WebhookCall) -> WebhookAnswer:
    flow = Flow.objects.select_related("published_version").filter(webhook_token=token).first()
    trigger = _trigger_node(flow) if flow is not None else None
    if flow is None or not flow.active or trigger is None:
        raise DomainError(_("No active flow listens at this address."), code="not_found", status=404)
    params = {"methods": ["POST"], "response_mode": "immediately", "response_timeout_seconds": 30, **(trigger.get("parameters") or {})}
    allowed = [str(m).upper() for m in params.get("methods") or ["POST"]]
    if call.method.upper() not in allowed:
        raise DomainError(
            _("This address accepts only: %(methods)s.") % {"methods": ", ".join(allowed)},
            code="method_not_allowed",
            status=405,
            extra={"allowed": allowed},
        )
    _check_auth(params, call)
    item = {"method": call.method.upper(), "headers": call.headers, "query": call.query, "body": _parse_body(call)}
    run = run_create(flow=flow, trigger=Run.Trigger.WEBHOOK, items=[item])
    if params.get("response_mode") != "wait":
        run_enqueue(run)
        return WebhookAnswer(202, {"run_id": run.pk, "status": "queued"})
    return _wait_for(run, timeout=float(params.get("response_timeout_seconds") or 30))


def _execute_in_thread(tenant, run_id: int):
    close_old_connections()
    connection.set_tenant(tenant)
    try:
        return run_execute(run_id=run_id)
    finally:
        close_old_connections()


def _wait_for(run: Run, *, timeout: float) -> WebhookAnswer:
    future = _pool.submit(_execute_in_thread, connection.tenant, run.pk)
    # Hand this request's connection back to the pool while waiting: the run's thread needs one, and with
    # every request thread holding its own, a busy server would deadlock on the pool.
    connection.close()
    try:
        finished = future.result(timeout=timeout)
    except FutureTimeout:
        return WebhookAnswer(504, {"run_id": run.pk, "status": "running", "message": _("The flow is still running.")})
    finished = finished or Run.objects.get(pk=run.pk)
    if finished.response:
        response = finished.response
        return WebhookAnswer(int(response.get("status", 200)), response.get("body"), response.get("headers") or {})
    if finished.status == Run.Status.FAILED:
        # The caller is outside the organization: the error itself (which may quote data) stays in the run.
        return WebhookAnswer(500, {"run_id": run.pk, "status": "failed", "message": _("The flow failed. Its run shows the details.")})
    return WebhookAnswer(200, finished.result_sample)
