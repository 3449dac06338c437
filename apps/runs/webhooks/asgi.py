"""/webhook/<token> served before Django's request machinery.

Webhook callers are machines: they need no session, CSRF, messages, membership or locale middleware, and each of
those costs time on every call. This ASGI route answers webhook calls itself and hands everything else to Django:

- the organization comes from the Host header through a per-process host → organization map; the single lookup
  statement of every call (apps.runs.webhooks.receive.webhook_find) proves the mapping still holds and reads
  the organization's status, so a suspension, a publish, an activation or a deactivation made through any
  process applies to the very next call, with no cache to invalidate;
- the database work runs on a few threads per process that keep their connection (and its search_path) between
  calls; runs of flows with side effects or slow nodes run on the general webhook pool instead;
- it is the only entry: Django has no webhook view. How a call becomes a run is apps.runs.webhooks.receive;
- the answer says whether the run was saved: 202 once it is (even if the broker was away: the run row is the
  outbox, see run_enqueue), 503 with Retry-After only when the database was away and nothing was saved, so a
  caller that retries a 503 never causes a second run.

Tests drive this same route in-process with `WebhookRoute(app, in_caller_thread=True)`: the database work then
runs on the caller's thread (and its test transaction) instead of the route's own threads.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import DatabaseError, connection
from django.http.request import validate_host
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header
from django_tenants.utils import remove_www

from apps.core.errors import DomainError
from apps.core.logs import log_context
from apps.core.metrics import RequestTimer
from apps.runs.webhooks import listen

logger = logging.getLogger("ezflow.webhooks")
PREFIX = "/webhook/"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}/?")  # as in ezflow_site/urls_tenant.py
HOP_HEADERS = {"host", "cookie", "authorization", "content-length", "connection"}
THREADS = int(os.environ.get("EZFLOW_WEBHOOK_THREADS", "4"))

_fast = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="webhook-fast")
_hosts: dict[str, object] = {}  # host → Organization (status and settings refreshed by every call's lookup)
_HOSTS_KEPT = 10_000
RETRY_AFTER_SECONDS = 5


class _Moved(Exception):
    pass


def _language(headers: dict[str, str]) -> str:
    for code, _quality in parse_accept_lang_header(headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _use(organization) -> None:
    # A new search_path only when the organization changes: the thread keeps its connection between calls.
    if connection.schema_name != organization.schema_name:
        connection.set_tenant(organization)
    else:
        connection.tenant = organization


def _settle_connection() -> None:
    """After each job: a connection left in a transaction or broken by an error goes back to the pool."""
    if connection.connection is None:
        return
    if connection.in_atomic_block or (connection.errors_occurred and not connection.is_usable()):
        connection.close()
    connection.errors_occurred = False


def _resolve(host: str):
    try:
        return _resolve_unsettled(host)
    finally:
        _settle_connection()


def _resolve_unsettled(host: str):
    from apps.accounts.models import Domain

    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None or domain.tenant.is_public:
        return None
    if len(_hosts) >= _HOSTS_KEPT:
        _hosts.clear()
    _hosts[host] = domain.tenant
    return domain.tenant


def _start_unsettled(organization, host: str, token: str, call, language: str):
    from apps.runs.webhooks.receive import HostMoved, webhook_find, webhook_start

    _use(organization)
    with translation.override(language), log_context(organization=organization.schema_name):
        try:
            return webhook_start(target=webhook_find(token=token, host=host), call=call)
        except HostMoved:
            _hosts.pop(host, None)
            raise _Moved from None
        except DomainError as exc:
            return exc


def _start(organization, host: str, token: str, call, language: str):
    try:
        return _start_unsettled(organization, host, token, call, language)
    finally:
        _settle_connection()


def _execute_fast(organization, pending, language: str):
    from apps.runs.webhooks.receive import webhook_execute

    try:
        _use(organization)
        with translation.override(language):
            return webhook_execute(pending)
    finally:
        _settle_connection()


def _execute_general(organization, pending, language: str):
    from apps.runs.webhooks.receive import webhook_execute_in_thread

    with translation.override(language):
        return webhook_execute_in_thread(organization, pending)


def _in_caller_thread(function):
    """For tests: the same steps on the caller's own connection, which is left as it is (no settling)."""
    from apps.runs.webhooks.receive import webhook_execute

    def execute(organization, pending, language: str):
        _use(organization)
        with translation.override(language):
            return webhook_execute(pending)

    return _start_unsettled if function is _start else execute


class WebhookRoute:
    def __init__(self, django_app, *, in_caller_thread: bool = False):
        self.django_app = django_app
        self.in_caller_thread = in_caller_thread

    async def _call(self, pool, function, *args):
        if self.in_caller_thread:
            from asgiref.sync import sync_to_async

            if function is _resolve:
                return await sync_to_async(_resolve_unsettled, thread_sensitive=True)(*args)
            return await sync_to_async(_in_caller_thread(function), thread_sensitive=True)(*args)
        return await asyncio.get_running_loop().run_in_executor(pool, function, *args)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(listen.PREFIX):  # the editor's test address
            return await listen.serve(self, scope, receive, send)
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            return await self.django_app(scope, receive, send)
        token = scope["path"][len(PREFIX) :]
        headers = _headers(scope)
        host = remove_www(headers.get("Host", "").rsplit(":", 1)[0].lower())
        if not TOKEN.fullmatch(token) or not host or not validate_host(host, settings.ALLOWED_HOSTS):
            return await self.django_app(scope, receive, send)
        token = token.rstrip("/")
        try:
            organization = _hosts.get(host) or await self._call(_fast, _resolve, host)
        except DatabaseError:
            logger.warning("webhook call refused: database unavailable", exc_info=True)
            return await _send_unavailable(send, _language(headers))
        if organization is None:  # the public site or an unknown host: Django answers as for any other path
            return await self.django_app(scope, receive, send)
        timer = RequestTimer()
        status = await self._serve(scope, receive, send, organization, host, token, headers)
        timer.observe(scope["method"], status)

    async def _serve(self, scope, receive, send, organization, host, token, headers) -> int:
        from apps.runs.webhooks.receive import PendingRun, WebhookAnswer, WebhookCall, webhook_timed_out

        language = _language(headers)
        try:
            limit = body_limit(headers)
            body = await _read_body(receive, limit)
            if body is None:
                with translation.override(language):
                    message = _("The request body is larger than %(size)s bytes.") % {"size": limit}
                return await _send(send, 413, {"error": {"code": "too_large", "message": message}}, language=language)
            call = WebhookCall(
                method=scope["method"],
                headers={k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS},
                query=dict(parse_qsl(scope.get("query_string", b"").decode("latin1"), keep_blank_values=True)),
                body=body,
                content_type=headers.get("Content-Type", "").split(";")[0].strip(),
            )
            try:
                started = await self._call(_fast, _start, organization, host, token, call, language)
            except _Moved:
                organization = await self._call(_fast, _resolve, host)
                if organization is None:
                    with translation.override(language):
                        started = DomainError(_("No active flow listens at this address."), code="not_found", status=404)
                else:
                    started = await self._call(_fast, _start, organization, host, token, call, language)
            if isinstance(started, DomainError):
                return await _send_error(send, started, language)
            if isinstance(started, PendingRun):
                execute = _execute_fast if started.run is None else _execute_general
                pool = _fast if started.run is None else _general_pool()
                future = asyncio.ensure_future(self._call(pool, execute, organization, started, language))
                try:
                    started = await asyncio.wait_for(asyncio.shield(future), timeout=started.timeout)
                except TimeoutError:
                    with translation.override(language):
                        started = webhook_timed_out(started)
            assert isinstance(started, WebhookAnswer)
            return await _send_answer(send, started, language)
        except DatabaseError:  # raised before the run was saved (a saved run is answered 202 by receive.py)
            logger.warning("webhook call refused: database unavailable", extra={"organization": organization.schema_name}, exc_info=True)
            return await _send_unavailable(send, language)
        except Exception:
            logger.exception("webhook call failed", extra={"organization": organization.schema_name})
            with translation.override(language):
                message = _("Something went wrong on our side. Please try again in a moment.")
            return await _send(send, 500, {"error": {"code": "server_error", "message": message}}, language=language)


def _general_pool():
    from apps.runs.webhooks.receive import general_pool

    return general_pool


def _headers(scope) -> dict[str, str]:
    """Header names as Django's request.headers spells them (X-Trace); repeated headers joined with commas."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1").replace("_", "-").title()
        value = raw_value.decode("latin1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


def body_limit(headers: dict) -> int:
    """Uploads (multipart/form-data) may be as large as EZFLOW_FILES_WEBHOOK_MAX_BYTES; other bodies keep Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE."""
    kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return max(settings.EZFLOW_FILES_WEBHOOK_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


async def _read_body(receive, limit: int | None) -> bytes | None:
    """The request body, or None once it exceeds `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("the caller went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_unavailable(send, language: str) -> int:
    with translation.override(language):
        message = _("The service is briefly unavailable and nothing was saved. Please send this request again in a few seconds.")
    body = {"error": {"code": "unavailable", "message": message}}
    return await _send(send, 503, body, language=language, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _send_error(send, exc: DomainError, language: str) -> int:
    body = {"error": {"code": exc.code, "message": str(exc.message), **exc.extra}}
    extra = {"Allow": ", ".join(exc.extra.get("allowed", []))} if exc.status == 405 else {}
    return await _send(send, exc.status, body, language=language, headers=extra)


async def _send_answer(send, answer, language: str) -> int:
    extra = {
        name: value
        for name, value in answer.headers.items()
        if name.lower() not in HOP_HEADERS and name.lower() != "content-type" and "\n" not in value and "\r" not in value
    }
    content_type = next((v for k, v in answer.headers.items() if k.lower() == "content-type" and "\n" not in v and "\r" not in v), None)
    if isinstance(answer.body, (dict, list)) or answer.body is None:
        return await _send(send, answer.status, answer.body, language=language, headers=extra, content_type=content_type)
    return await _send(
        send,
        answer.status,
        str(answer.body).encode(),
        language=language,
        headers=extra,
        content_type=content_type or "text/plain; charset=utf-8",
    )


async def _send(send, status: int, body, *, language: str, headers: dict | None = None, content_type: str | None = None) -> int:
    if not isinstance(body, bytes):
        body = json.dumps(body, ensure_ascii=False, default=str).encode()
        content_type = content_type or "application/json"
    raw = [
        (b"content-type", content_type.encode("latin1")),
        (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    for name, value in (headers or {}).items():
        try:
            raw.append((name.encode("latin1"), str(value).encode("latin1")))
        except UnicodeEncodeError:  # a header HTTP cannot carry is left out rather than failing the answer
            continue
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
    return status
