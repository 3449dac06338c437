"""Claude through the official `anthropic` SDK. The SDK's own retries are off (the step retries within its timeout,
the same way for every provider) and its HTTP client is the SSRF-guarded one."""

from __future__ import annotations

import httpx2
from django.conf import settings

from apps.ai.providers import errors
from apps.ai.providers.base import AssistantTurn, ChatRequest, Provider, ProviderError, Reply, ToolCall, UserTurn
from apps.ai.providers.registry import register
from apps.core.lazy import LazyModule
from apps.flows.credential_kinds.base import TestResult, t
from apps.flows.engine.errors import gettext_noop
from apps.flows.http.guard import guard_error, guarded_client

# The SDK takes about a second and tens of megabytes to import: imported on the first Claude call.
anthropic = LazyModule("anthropic")


def http_client(*, allow_hosts, timeout: float) -> httpx2.Client:
    """The connection the SDK uses; tests replace it with a mock transport."""
    return guarded_client(allow_hosts=allow_hosts, timeout=timeout)


def _content(turn) -> list[dict]:
    if isinstance(turn, UserTurn):
        blocks = [{"type": "image", "source": {"type": "base64", "media_type": i.media_type, "data": i.data}} for i in turn.images]
        return [*blocks, {"type": "text", "text": turn.text or "."}]
    if isinstance(turn, AssistantTurn):
        blocks = [{"type": "text", "text": turn.text}] if turn.text else []
        return blocks + [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in turn.tool_calls]
    return [{"type": "tool_result", "tool_use_id": r.call_id, "content": r.content, "is_error": r.is_error} for r in turn.results]


def messages_body(request: ChatRequest) -> dict:
    body = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": [
            {"role": "assistant" if isinstance(turn, AssistantTurn) else "user", "content": _content(turn)} for turn in request.turns
        ],
    }
    if request.system:
        body["system"] = request.system
    if request.answer_schema is not None:
        body["output_config"] = {"format": {"type": "json_schema", "schema": request.answer_schema}}
    if request.tools:
        body["tools"] = [{"name": s.name, "description": s.description, "input_schema": s.parameters} for s in request.tools]
    return body


def _client(api_key: str, connection: httpx2.Client, timeout: float) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=api_key,
        base_url=settings.EZFLOW_AI_ANTHROPIC_BASE_URL,
        max_retries=0,
        timeout=timeout,
        http_client=connection,
        open_telemetry=False,
    )


def check_key(api_key: str, *, allow_hosts) -> TestResult:
    """ "Test connection" for an Anthropic API key."""
    try:
        with http_client(allow_hosts=allow_hosts, timeout=15.0) as connection:
            _client(api_key, connection, 15.0).models.list(limit=1)
    except anthropic.APIStatusError as exc:
        error = errors.status_error(exc.status_code, message=str(exc.api_message or ""), error_type=str(exc.type or ""))
        return TestResult(False, error.template, error.values)
    except anthropic.APIConnectionError as exc:
        refused = guard_error(exc)
        return TestResult(
            False, *((refused.template, refused.values) if refused else (errors.unreachable(str(exc)).template, {"reason": str(exc)}))
        )
    return TestResult(True, gettext_noop("Connected: the AI service accepted the key."))


def _streamed(client, request: ChatRequest):
    """The Messages API's server-sent events through the SDK's stream helper: each text delta goes to `on_text`, and
    the SDK assembles the same final message `create` would have returned (text, tool_use blocks, usage)."""
    with client.messages.stream(**messages_body(request)) as stream:
        for event in stream:
            if event.type == "text" and event.text:
                request.on_text(event.text)
        return stream.get_final_message()


@register
class Anthropic(Provider):
    key = "anthropic"
    label = t("Anthropic (Claude)", "Anthropic (Claude)")
    credential_kind = "anthropic_api_key"
    takes_temperature = False

    def chat(self, request: ChatRequest, credential: dict) -> Reply:
        with http_client(allow_hosts=request.allow_hosts, timeout=request.timeout) as connection:
            client = _client(str(credential.get("api_key") or ""), connection, request.timeout)
            try:
                message = _streamed(client, request) if request.on_text else client.messages.create(**messages_body(request))
            except anthropic.APIStatusError as exc:
                raise errors.status_error(
                    exc.status_code,
                    message=str(exc.api_message or exc.message or ""),
                    error_type=str(exc.type or ""),
                    error_code=str(exc.error_code or ""),
                    model=request.model,
                    headers=exc.response.headers,
                ) from None
            except anthropic.APITimeoutError:
                raise errors.timed_out(request.timeout) from None
            except anthropic.APIConnectionError as exc:
                refused = guard_error(exc)
                if refused is not None:
                    raise ProviderError(refused.template, code="request_failed", values=refused.values) from None
                raise errors.unreachable(str(exc.__cause__ or exc)) from None
        text = "".join(block.text for block in message.content if block.type == "text")
        calls = tuple(
            ToolCall(id=block.id, name=block.name, arguments=dict(block.input or {}))
            for block in message.content
            if block.type == "tool_use"
        )
        usage = message.usage
        return Reply(
            text=text,
            tool_calls=calls,
            stop_reason=str(message.stop_reason or ""),
            input_tokens=int(usage.input_tokens or 0)
            + int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
            + int(getattr(usage, "cache_read_input_tokens", 0) or 0),
            output_tokens=int(usage.output_tokens or 0),
            model=str(message.model or request.model),
        )
