"""The credentials AI steps use. Keys are stored in credentials: never rename one."""

from __future__ import annotations

from apps.flows.credential_kinds.base import CredentialKind, Field, OutgoingRequest, TestResult, t
from apps.flows.credential_kinds.probe import ProbeFailed, send_probe
from apps.flows.credential_kinds.registry import register
from apps.flows.engine.errors import gettext_noop


def _verdict(status: int) -> TestResult:
    if status in (401, 403):
        return TestResult(False, gettext_noop("The AI service refused the API key (%(status)s)."), {"status": str(status)})
    if status >= 400:
        return TestResult(False, gettext_noop("The AI service answered %(status)s."), {"status": str(status)})
    return TestResult(True, gettext_noop("Connected: the AI service accepted the key."))


@register
class AnthropicApiKey(CredentialKind):
    key = "anthropic_api_key"
    label = t("Anthropic API key", "Anthropic API 키")
    fields = (Field("api_key", t("API key", "API 키")),)

    def test(self, data, *, allow_hosts=(), url=""):
        """Lists one model through the SDK (the same client, headers and SSRF-guarded connection as the step)."""
        from apps.ai.providers.anthropic import check_key

        return check_key(str(data.get("api_key", "")), allow_hosts=allow_hosts)


@register
class OpenAICompatibleServer(CredentialKind):
    key = "openai_compatible"
    label = t("OpenAI-compatible model server", "OpenAI 호환 모델 서버")
    fields = (
        Field("base_url", t("Server address (ending in /v1)", "서버 주소(/v1로 끝남)"), secret=False, url=True),
        Field("api_key", t("API key (empty if the server needs none)", "API 키(필요 없으면 비워 두기)"), required=False),
    )

    def problems(self, data):
        if not str(data.get("base_url", "")).lower().startswith(("http://", "https://")):
            return [(gettext_noop("The server address must start with http:// or https://."), {})]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        headers = {"Authorization": f"Bearer {data['api_key']}"} if data.get("api_key") else {}
        try:
            answer = send_probe(
                f"{str(data.get('base_url', '')).rstrip('/')}/models", allow_hosts=allow_hosts, request=OutgoingRequest(headers)
            )
        except ProbeFailed as failed:
            return failed.result
        return _verdict(answer.status)
