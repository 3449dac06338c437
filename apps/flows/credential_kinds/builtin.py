"""The kinds EZFlow ships with. Their keys are stored in credentials and flows: never rename one."""

from __future__ import annotations

import base64
import smtplib

from apps.flows.credential_kinds.base import BearerTokenKind, CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds.oauth2 import OAuth2Kind
from apps.flows.credential_kinds.probe import ProbeFailed, probe_http, send_probe
from apps.flows.credential_kinds.registry import register
from apps.flows.engine.errors import gettext_noop
from apps.flows.http.guard import GuardError
from apps.flows.http.smtp import smtp_session


class _HttpKind(CredentialKind):
    http_auth = True
    test_needs_url = True

    def test(self, data, *, allow_hosts=(), url=""):
        return probe_http(self, data, allow_hosts=allow_hosts, url=url)


@register
class HttpBasic(_HttpKind):
    key = "http_basic"
    label = t("Username and password (HTTP Basic)", "사용자 이름과 비밀번호(HTTP Basic)")
    fields = (Field("username", t("Username", "사용자 이름"), secret=False), Field("password", t("Password", "비밀번호")))

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        pair = f"{data.get('username', '')}:{data.get('password', '')}".encode()
        request.headers["Authorization"] = f"Basic {base64.b64encode(pair).decode()}"


@register
class HttpBearer(BearerTokenKind, _HttpKind):
    key = "http_bearer"
    label = t("Bearer token", "Bearer 토큰")
    fields = (Field("token", t("Token", "토큰")),)


@register
class HttpHeader(_HttpKind):
    key = "http_header"
    label = t("API key in a header", "헤더에 넣는 API 키")
    fields = (Field("header", t("Header name", "헤더 이름"), secret=False), Field("value", t("Value", "값")))

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        request.headers[data.get("header") or "X-API-Key"] = data.get("value", "")


@register
class HttpQuery(_HttpKind):
    key = "http_query"
    label = t("API key in the address", "주소에 넣는 API 키")
    fields = (Field("parameter", t("Parameter name", "매개변수 이름"), secret=False), Field("value", t("Value", "값")))

    def authenticate(self, request: OutgoingRequest, data: dict) -> None:
        request.query[data.get("parameter") or "api_key"] = data.get("value", "")


@register
class Smtp(CredentialKind):
    key = "smtp"
    label = t("Email server (SMTP)", "이메일 서버(SMTP)")
    fields = (
        Field("host", t("Server", "서버"), secret=False),
        Field("port", t("Port", "포트"), secret=False, pattern=r"^\s*[0-9]{1,5}\s*$", example="587"),
        Field("username", t("Username", "사용자 이름"), secret=False, required=False),
        Field("password", t("Password", "비밀번호"), required=False),
        Field("security", t("Security (none, starttls, ssl)", "보안 방식(none, starttls, ssl)"), secret=False, required=False),
        Field("from_email", t("Sender address", "보내는 사람 주소"), secret=False),
    )

    def problems(self, data):
        port = str(data.get("port") or "587").strip()
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            return [(gettext_noop("The port must be a number from 1 to 65535."), {})]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        """Connects and signs in; sends nothing."""
        try:
            with smtp_session(data, allow_hosts=allow_hosts, timeout=15.0) as client:
                client.noop()
        except GuardError as refused:
            return TestResult(False, refused.template, refused.values)
        except smtplib.SMTPAuthenticationError:
            return TestResult(False, gettext_noop("The mail server refused the username or password."))
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            return TestResult(False, gettext_noop("Could not connect to the mail server: %(reason)s"), {"reason": str(exc)})
        return TestResult(True, gettext_noop("Connected to the mail server and signed in."))


@register
class SlackWebhook(CredentialKind):
    icon = "slack"
    key = "slack_webhook"
    label = t("Slack incoming webhook", "Slack 수신 웹훅")
    fields = (Field("url", t("Webhook address", "웹훅 주소")),)

    def test(self, data, *, allow_hosts=(), url=""):
        """Posts an empty message, which Slack refuses as such (400 invalid_payload / no_text) without posting
        anything when the webhook exists; a removed or wrong webhook answers 403/404 (no_service, invalid_token)."""
        try:
            answer = send_probe(data.get("url", ""), allow_hosts=allow_hosts, method="POST", json_body={})
        except ProbeFailed as failed:
            return failed.result
        text = answer.body.decode("utf-8", "replace").strip()
        if answer.status < 300 or (answer.status == 400 and text in ("invalid_payload", "no_text")):
            return TestResult(True, gettext_noop("Slack knows this webhook."))
        return TestResult(
            False, gettext_noop("Slack answered %(status)s: %(answer)s"), {"status": str(answer.status), "answer": text[:200]}
        )


@register
class GenericOAuth2(OAuth2Kind):
    """Any OAuth2 service: the person types its addresses and scopes (connectors declare theirs instead)."""

    key = "oauth2"
    label = t("OAuth2 sign-in (any service)", "OAuth2 로그인(모든 서비스)")
