"""The one request behind "test connection", through the SSRF guard, and what its answer means."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx2

from apps.flows.credential_kinds.base import OutgoingRequest, TestResult
from apps.flows.engine.errors import gettext_noop
from apps.flows.http.guard import guard_error, guarded_client

TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    body: bytes
    location: str = ""


class ProbeFailed(Exception):
    def __init__(self, result: TestResult):
        super().__init__(result.message)
        self.result = result


def send_probe(
    url: str, *, allow_hosts: Iterable[str], request: OutgoingRequest | None = None, method: str = "GET", json_body=None
) -> Answer:
    """One request, redirects not followed (a credential must not travel to another address during a test)."""
    if not str(url).lower().startswith(("http://", "https://")):
        raise ProbeFailed(TestResult(False, gettext_noop("The address must start with http:// or https://.")))
    request = request or OutgoingRequest()
    try:
        with guarded_client(allow_hosts=allow_hosts, timeout=TIMEOUT_SECONDS) as client:
            response = client.request(method, url, headers=request.headers, params=request.query or None, json=json_body)
            return Answer(response.status_code, response.reason_phrase, response.content[:2000], response.headers.get("location", ""))
    except httpx2.TimeoutException:
        raise ProbeFailed(
            TestResult(False, gettext_noop("The server did not answer within %(seconds)s seconds."), {"seconds": f"{TIMEOUT_SECONDS:g}"})
        ) from None
    except httpx2.HTTPError as exc:
        if refused := guard_error(exc):
            raise ProbeFailed(TestResult(False, refused.template, refused.values)) from None
        raise ProbeFailed(TestResult(False, gettext_noop("The request failed: %(reason)s"), {"reason": str(exc)})) from None


def http_verdict(answer: Answer) -> TestResult:
    values = {"status": str(answer.status), "reason": answer.reason}
    if answer.status in (401, 403):
        return TestResult(False, gettext_noop("The server refused the credential (%(status)s %(reason)s)."), values)
    if 300 <= answer.status < 400:
        return TestResult(
            False,
            gettext_noop("The server answered with a redirect to %(location)s; test with the address it points to."),
            {"location": answer.location or "?"},
        )
    if answer.status >= 400:
        return TestResult(False, gettext_noop("The server answered %(status)s %(reason)s."), values)
    return TestResult(True, gettext_noop("The server accepted the credential (%(status)s %(reason)s)."), values)


def probe_http(kind, data: dict, *, allow_hosts: Iterable[str], url: str) -> TestResult:
    if not url:
        return TestResult(False, gettext_noop("Give an address to test the credential with (an API address it is meant for)."))
    request = OutgoingRequest()
    kind.authenticate(request, data)
    try:
        return http_verdict(send_probe(url, allow_hosts=allow_hosts, request=request))
    except ProbeFailed as failed:
        return failed.result
