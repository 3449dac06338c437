"""“Listen for a test request”: the editor waits for one real call to the flow's test address and pins it.

The test address is /webhook-test/<token> on the organization's host (the production one is /webhook/<token>). It
answers only while someone listens: `webhook_listen_start` writes a short-lived WebhookListen row, the next call to
the test address is turned into exactly the item a production run receives ({"method", "headers", "query", "body"},
built by the same body parser as apps.runs.webhooks.receive) and stored on that row, and the editor, polling
`webhook_listen_get`, pins it as the webhook step's test data. Nothing runs: the flow may be an unpublished draft.
The ASGI route (apps.runs.webhooks.asgi) hands this prefix to `serve` before anything else.
"""

from __future__ import annotations

import json
import shlex
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http.request import validate_host
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import remove_www

from apps.core.errors import DomainError
from apps.flows.models import Flow
from apps.flows.nodes.registry import load_builtin_nodes
from apps.runs.models import WebhookListen

PREFIX = "/webhook-test/"
LISTEN_SECONDS = 120
EXAMPLE_BODY = {"name": "Kim", "amount": 12000}


def test_path(flow: Flow) -> str:
    return f"{PREFIX}{flow.webhook_token}"


def _webhook_node(flow: Flow, node_id: str | None) -> dict:
    registry = load_builtin_nodes()
    webhooks = [node for node in flow.draft.get("nodes", []) if registry.trigger_kind_of(node) == "webhook"]
    if node_id is None:
        if not webhooks:
            raise DomainError(_("This flow has no webhook step to listen for."), code="no_webhook_step", status=409)
        return webhooks[0]
    for node in webhooks:
        if node.get("id") == node_id:
            return node
    raise DomainError(_("This flow has no webhook step with that id."), code="invalid", field="node_id")


def curl_example(url: str, node: dict) -> str:
    """A command a person can paste into a terminal to send the test request the step accepts."""
    methods = [str(m).upper() for m in (node.get("parameters") or {}).get("methods") or ["POST"]]
    method = methods[0]
    if method in ("GET", "HEAD", "DELETE"):
        return f"curl -X {method} {shlex.quote(url + '?name=Kim&amount=12000')}"
    body = json.dumps(EXAMPLE_BODY, ensure_ascii=False)
    return f"curl -X {method} {shlex.quote(url)} -H 'Content-Type: application/json' -d {shlex.quote(body)}"


def webhook_listen_start(*, flow: Flow, node_id: str | None = None, user=None) -> WebhookListen:
    """Starts waiting for one test request (a new start replaces the flow's earlier, unfinished one)."""
    node_id = _webhook_node(flow, node_id)["id"]
    now = timezone.now()
    with transaction.atomic():
        WebhookListen.objects.filter(flow=flow, captured_at__isnull=True).delete()
        WebhookListen.objects.filter(flow=flow, expires_at__lt=now - timedelta(hours=1)).delete()
        return WebhookListen.objects.create(
            flow=flow,
            node_id=node_id,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            expires_at=now + timedelta(seconds=LISTEN_SECONDS),
        )


def webhook_listen_status(listen: WebhookListen) -> str:
    if listen.captured_at is not None:
        return "captured"
    return "listening" if listen.expires_at > timezone.now() else "expired"


def webhook_listen_stop(*, flow: Flow, listen_id: int) -> None:
    WebhookListen.objects.filter(flow=flow, pk=listen_id, captured_at__isnull=True).delete()


def webhook_listen_capture(*, token: str, call) -> tuple[int, dict]:
    """The answer (status, body) to a call at the test address; the call is stored for the listening editor."""
    from apps.runs.webhooks.receive import parse_body

    flow = Flow.objects.filter(webhook_token=token).only("id").first()
    with transaction.atomic():
        listen = (
            WebhookListen.objects.select_for_update()
            .filter(flow_id=getattr(flow, "id", None), captured_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if listen is None:
            message = _(
                "Nobody is waiting for a test request at this address. Press “Listen for a test request” on the webhook "
                "step in the editor, then send the request again."
            )
            return 404, {"error": {"code": "not_listening", "message": message}}
        try:
            body = parse_body(call, flow_id=flow.pk)
        except DomainError as exc:
            return exc.status, {"error": {"code": exc.code, "message": str(exc.message)}}
        # The same item as apps.runs.webhooks.receive.webhook_start gives a production run (a test compares them).
        listen.item = {"method": call.method.upper(), "headers": call.headers, "query": call.query, "body": body}
        listen.captured_at = timezone.now()
        listen.save(update_fields=["item", "captured_at"])
    return 200, {"status": "captured", "message": _("Test request received. The editor shows it as the webhook step's test data.")}


# --- the ASGI side: called by apps.runs.webhooks.asgi.WebhookRoute for paths under PREFIX ---


def _capture(organization, token: str, call, language: str, *, settle: bool = True):
    from apps.runs.webhooks import asgi

    try:
        asgi._use(organization)
        with translation.override(language):
            return webhook_listen_capture(token=token, call=call)
    finally:
        if settle:
            asgi._settle_connection()


async def serve(route, scope, receive, send):
    import asyncio

    from apps.runs.webhooks import asgi
    from apps.runs.webhooks.receive import WebhookCall

    token = scope["path"][len(PREFIX) :]
    headers = asgi._headers(scope)
    host = remove_www(headers.get("Host", "").rsplit(":", 1)[0].lower())
    if not asgi.TOKEN.fullmatch(token) or not host or not validate_host(host, settings.ALLOWED_HOSTS):
        return await route.django_app(scope, receive, send)
    organization = asgi._hosts.get(host) or await route._call(asgi._fast, asgi._resolve, host)
    if organization is None or organization.is_suspended:
        return await route.django_app(scope, receive, send)
    language = asgi._language(headers)
    limit = asgi.body_limit(headers)
    body = await asgi._read_body(receive, limit)
    if body is None:
        with translation.override(language):
            message = _("The request body is larger than %(size)s bytes.") % {"size": limit}
        return await asgi._send(send, 413, {"error": {"code": "too_large", "message": message}}, language=language)
    call = WebhookCall(
        method=scope["method"],
        headers={k: v for k, v in headers.items() if k.lower() not in asgi.HOP_HEADERS},
        query=dict(asgi.parse_qsl(scope.get("query_string", b"").decode("latin1"), keep_blank_values=True)),
        body=body,
        content_type=headers.get("Content-Type", "").split(";")[0].strip(),
    )
    args = (organization, token.rstrip("/"), call, language)
    if route.in_caller_thread:
        from asgiref.sync import sync_to_async

        status, answer = await sync_to_async(lambda: _capture(*args, settle=False), thread_sensitive=True)()
    else:
        status, answer = await asyncio.get_running_loop().run_in_executor(asgi._fast, _capture, *args)
    return await asgi._send(send, status, answer, language=language)
