"""How connector steps talk to a service: one call through the SSRF guard (the HTTP step's `send_request`), the
credential applied by its kind, the answer read as JSON or XML, and the service's errors said in words.

A service reads its own error bodies (`Service.read_error`) and returns a NodeError whose message names the provider's
code and says what to do. What every service shares is handled here: HTTP 429 (waits once when the service asks for a
short pause with Retry-After, otherwise a clear "too many requests"), and an access token the service calls expired
(the credential is renewed once and the call repeated). Base addresses come from the class unless
`settings.EZFLOW_CONNECTOR_BASE_URLS` names the service (tests point them at fake servers on 127.0.0.1)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xmltodict

from apps.flows import credential_kinds
from apps.flows.credential_kinds import OutgoingRequest
from apps.flows.credential_kinds.oauth2 import TOKENS
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.builtin.network import send_request

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# The longest Retry-After a step waits for by itself; a longer pause fails the step with the time to wait.
RATE_LIMIT_WAIT_SECONDS = 3.0
# The code a service's error reader gives an access token it no longer accepts: renewed once, then the call repeats.
TOKEN_EXPIRED = "credential_expired"
RATE_LIMITED = "rate_limited"


def base_urls() -> dict:
    from django.conf import settings

    configured = getattr(settings, "EZFLOW_CONNECTOR_BASE_URLS", None)
    return configured if isinstance(configured, dict) else {}


@dataclass(frozen=True)
class Service:
    """A service's address and how its errors read. `key` names it in EZFLOW_CONNECTOR_BASE_URLS."""

    key: str
    name: str  # the brand, the same in every language
    base_url: str
    read_error: Callable[[Answer], NodeError | None] | None = None

    def url(self, path: str) -> str:
        return (base_urls().get(self.key) or self.base_url).rstrip("/") + path


@dataclass
class Answer:
    status: int
    headers: dict
    raw: bytes
    service: Service
    _parsed: Any = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    @property
    def looks_like_xml(self) -> bool:
        return "xml" in self.headers.get("content-type", "") or self.raw.lstrip()[:1] == b"<"

    def json(self) -> Any:
        try:
            return json.loads(self.raw) if self.raw.strip() else None
        except ValueError:
            raise NodeError(
                gettext_noop("%(service)s answered something that is not JSON."),
                code="bad_answer",
                detail=self.text[:2000],
                values={"service": self.service.name},
            ) from None

    def xml(self) -> dict:
        try:
            return xmltodict.parse(self.raw)
        except Exception:  # expat reports malformed XML in several exception types
            raise NodeError(
                gettext_noop("%(service)s answered something that is not XML."),
                code="bad_answer",
                detail=self.text[:2000],
                values={"service": self.service.name},
            ) from None

    def data(self) -> Any:
        """The body as JSON or XML (by its type or first character), or text; never raises on a readable body."""
        if self._parsed is None:
            try:
                self._parsed = self.xml() if self.looks_like_xml else self.json()
            except NodeError:
                self._parsed = self.text
        return self._parsed

    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after", "")
        try:
            return max(float(value), 0.0)
        except ValueError:
            return None


class Credential:
    """A credential a step uses: read once, applied to each request by its kind, renewed when the service says its
    token expired."""

    def __init__(self, ctx, credential_id, kind_key: str):
        self.ctx, self.id, self.kind_key = ctx, credential_id, kind_key
        self.kind = credential_kinds.get(kind_key)
        self.data = ctx.credential(credential_id, kind_key)

    def apply(self, headers: dict, query: dict) -> None:
        self.kind.authenticate(OutgoingRequest(headers, query), self.data)

    def renew(self) -> bool:
        token = (self.data.get(TOKENS) or {}).get("access_token", "")
        if not (self.kind.oauth2 and token):
            return False
        renewed = self.ctx.renew_credential(self.id, self.kind_key, refused_token=token)
        if renewed is None:
            return False
        self.data = renewed
        return True


def rate_limited(answer: Answer) -> NodeError:
    seconds = answer.retry_after()
    if seconds is not None:
        return NodeError(
            gettext_noop(
                "%(service)s is receiving too many requests from this account (HTTP 429). It asks to wait %(seconds)s "
                "seconds: run the step again later, or run the flow less often."
            ),
            code=RATE_LIMITED,
            detail=answer.text[:2000],
            values={"service": answer.service.name, "seconds": f"{seconds:g}"},
        )
    return NodeError(
        gettext_noop(
            "%(service)s is receiving too many requests from this account (HTTP 429). Wait a little and run the step "
            "again, or run the flow less often."
        ),
        code=RATE_LIMITED,
        detail=answer.text[:2000],
        values={"service": answer.service.name},
    )


def http_failure(answer: Answer) -> NodeError:
    return NodeError(
        gettext_noop("%(service)s answered HTTP %(status)s."),
        code="service_error",
        detail=answer.text[:2000],
        values={"service": answer.service.name, "status": str(answer.status)},
    )


def call(
    ctx,
    service: Service,
    method: str,
    path: str,
    *,
    credential: Credential | None = None,
    headers: dict | None = None,
    query: dict | None = None,
    form: dict | None = None,
    json_body: Any = None,
    content: bytes | None = None,
    files: list | None = None,
    url: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """One call to `service` (at `path` under its base address, or at `url`). Returns the answer when the service
    accepted the request; raises NodeError otherwise (its own words from `read_error`, or the shared ones)."""
    address = url or service.url(path)
    waited = renewed = False
    while True:
        sent_headers, sent_query = dict(headers or {}), {k: v for k, v in (query or {}).items() if v is not None}
        plain_headers, plain_query = set(sent_headers), set(sent_query)
        if credential is not None:
            credential.apply(sent_headers, sent_query)
        response, raw = send_request(
            ctx,
            method=method,
            url=address,
            headers=sent_headers,
            query=sent_query,
            data=form,
            json_body=json_body,
            content=content,
            files=files,
            secret_headers=frozenset(name for name in sent_headers if name not in plain_headers),
            secret_query={k: v for k, v in sent_query.items() if k not in plain_query},
            timeout=min(timeout, max(ctx.seconds_left(), 1.0)),
            max_bytes=max_bytes,
        )
        answer = Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, raw, service)
        error = service.read_error(answer) if service.read_error else None
        if error is None and answer.status == 429:
            error = rate_limited(answer)
        if error is None and answer.status >= 400:
            error = http_failure(answer)
        if error is None:
            return answer
        if answer.status == 429 and not waited:
            pause = answer.retry_after()
            if pause is not None and pause <= RATE_LIMIT_WAIT_SECONDS and ctx.seconds_left() > pause + 1:
                waited = True
                sleep(pause)
                continue
        if error.code == TOKEN_EXPIRED and credential is not None and not renewed and credential.renew():
            renewed = True
            continue
        raise error


def provider_error(template: str, *, code: str, service: Service, provider_code: Any, answer: Answer, **values) -> NodeError:
    """A service's error said in words. `template` names the provider's code as %(code)s and says what to do."""
    return NodeError(
        template,
        code=code,
        detail=answer.text[:2000],
        values={"service": service.name, "code": str(provider_code), **values},
    )


class HostContext:
    """What `call` needs from a step's context, outside any run: a trigger checking a webhook call with the service
    before a run exists (apps.flows.triggers.inbound). Reads credentials through the organization's FlowHost; an
    expired OAuth2 token is not renewed here (the caller is told to try again)."""

    def __init__(self, host, *, seconds: float = 8.0):
        self.host = host
        self._deadline = time.monotonic() + seconds

    def seconds_left(self) -> float:
        return max(self._deadline - time.monotonic(), 0.0)

    def credential(self, credential_id, credential_type: str) -> dict:
        if credential_id in (None, ""):
            raise NodeError(gettext_noop("Choose a credential for this step."), code="credential_missing")
        return self.host.credential(credential_id, credential_type)

    def renew_credential(self, credential_id, credential_type: str, *, refused_token: str) -> dict | None:
        return None
