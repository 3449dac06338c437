"""Any server speaking OpenAI's chat completions API (vLLM, Ollama, LM Studio, llama.cpp, LiteLLM, OpenAI itself):
an organization can use its own model server. One POST to `<base URL>/chat/completions` through the SSRF guard; a
server on the organization's network must be on its allow-list like any internal host."""

from __future__ import annotations

import json

import httpx2

from apps.ai.providers import errors
from apps.ai.providers.base import AssistantTurn, ChatRequest, Provider, ProviderError, Reply, ToolCall, UserTurn
from apps.ai.providers.registry import register
from apps.flows.credential_kinds.base import t
from apps.flows.engine.errors import gettext_noop
from apps.flows.http.guard import guard_error, guarded_client

MAX_ANSWER_BYTES = 5 * 1024 * 1024


def _messages(request: ChatRequest) -> list[dict]:
    messages = [{"role": "system", "content": request.system}] if request.system else []
    for turn in request.turns:
        if isinstance(turn, UserTurn):
            if turn.images:
                parts = [{"type": "text", "text": turn.text}]
                parts += [{"type": "image_url", "image_url": {"url": f"data:{i.media_type};base64,{i.data}"}} for i in turn.images]
                messages.append({"role": "user", "content": parts})
            else:
                messages.append({"role": "user", "content": turn.text})
        elif isinstance(turn, AssistantTurn):
            message = {"role": "assistant", "content": turn.text or None}
            if turn.tool_calls:
                message["tool_calls"] = [
                    {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments, ensure_ascii=False)}}
                    for c in turn.tool_calls
                ]
            messages.append(message)
        else:
            messages.extend({"role": "tool", "tool_call_id": r.call_id, "content": r.content} for r in turn.results)
    return messages


def chat_body(request: ChatRequest) -> dict:
    body = {"model": request.model, "messages": _messages(request), "max_tokens": request.max_tokens}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [
            {"type": "function", "function": {"name": s.name, "description": s.description, "parameters": s.parameters}}
            for s in request.tools
        ]
    return body


def _error_fields(body) -> tuple[str, str, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or ""), str(error.get("type") or ""), str(error.get("code") or "")
    if isinstance(error, str):
        return error, "", ""
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"]), "", ""
    return "", "", ""


def _arguments(raw) -> dict:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {"_unparsed": str(raw)}
    return value if isinstance(value, dict) else {"value": value}


def _bad_answer(reason: str) -> ProviderError:
    return ProviderError(
        gettext_noop("The model server's answer is not a chat completion: %(reason)s"), code="ai_bad_answer", values={"reason": reason}
    )


@register
class OpenAICompatible(Provider):
    key = "openai_compatible"
    label = t("OpenAI-compatible server (own model server)", "OpenAI 호환 서버(자체 모델 서버)")
    credential_kind = "openai_compatible"
    needs_model = True

    def chat(self, request: ChatRequest, credential: dict) -> Reply:
        base = str(credential.get("base_url") or "").strip().rstrip("/")
        if not base.lower().startswith(("http://", "https://")):
            raise ProviderError(gettext_noop("The server address in the credential must start with http:// or https://."), code="bad_url")
        headers = {"Content-Type": "application/json"}
        if credential.get("api_key"):
            headers["Authorization"] = f"Bearer {credential['api_key']}"
        body = chat_body(request)
        if request.on_text is not None:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        streamed = None
        try:
            with (
                guarded_client(allow_hosts=request.allow_hosts, timeout=request.timeout) as client,
                client.stream("POST", f"{base}/chat/completions", headers=headers, json=body) as response,
            ):
                raw = b""
                if request.on_text is not None and response.status_code < 400 and _is_event_stream(response):
                    streamed = _read_events(response, request.on_text)
                else:
                    for chunk in response.iter_bytes():
                        raw += chunk
                        if len(raw) > MAX_ANSWER_BYTES:
                            raise _bad_answer("larger than 5 MB")
        except httpx2.TimeoutException:
            raise errors.timed_out(request.timeout) from None
        except httpx2.HTTPError as exc:
            if refused := guard_error(exc):
                raise ProviderError(refused.template, code="request_failed", values=refused.values) from None
            raise errors.unreachable(str(exc)) from None
        if streamed is not None:
            return _reply(streamed, request)
        try:
            body = json.loads(raw.decode("utf-8", "replace")) if raw else None
        except ValueError:
            body = None
        if response.status_code >= 400:
            message, error_type, code = _error_fields(body)
            message = message or raw[:300].decode("utf-8", "replace")
            raise errors.status_error(
                response.status_code, message=message, error_type=error_type, error_code=code, model=request.model, headers=response.headers
            )
        try:
            body["choices"][0]["message"]  # noqa: B018
        except (TypeError, KeyError, IndexError):
            raise _bad_answer(raw[:200].decode("utf-8", "replace")) from None
        return _reply(body, request)


def _is_event_stream(response) -> bool:
    return response.headers.get("content-type", "").split(";")[0].strip().lower() == "text/event-stream"


def _read_events(response, on_text) -> dict:
    """Reads `data:` lines of the server-sent events (`chat.completion.chunk` objects) until `[DONE]` and puts them
    together into one chat completion as a non-streamed answer would be: content, tool calls (their arguments arrive
    in pieces, by index), finish reason, usage (the last chunk with `stream_options.include_usage`) and model."""
    content: list[str] = []
    calls: dict[int, dict] = {}
    finish, usage, model = "", {}, ""
    size = 0
    for line in response.iter_lines():
        size += len(line)
        if size > MAX_ANSWER_BYTES:
            raise _bad_answer("larger than 5 MB")
        if not line.startswith("data:"):
            continue  # comments (": keep-alive"), event names, blank lines between events
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            chunk = json.loads(data)
        except ValueError:
            raise _bad_answer(data[:200]) from None
        if not isinstance(chunk, dict):
            raise _bad_answer(data[:200])
        if chunk.get("error"):
            message, _type, code = _error_fields(chunk)
            raise ProviderError(
                gettext_noop("The model server stopped with an error: %(message)s"),
                code="ai_server_error",
                values={"message": message or code or "?"},
            )
        model = str(chunk.get("model") or model)
        if isinstance(chunk.get("usage"), dict):
            usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            finish = str(choice.get("finish_reason") or finish)
            delta = choice.get("delta") or {}
            piece = delta.get("content")
            if isinstance(piece, str) and piece:
                content.append(piece)
                on_text(piece)
            for n, call in enumerate(delta.get("tool_calls") or []):
                if not isinstance(call, dict):
                    continue
                slot = calls.setdefault(int(call.get("index", n)), {"id": "", "function": {"name": "", "arguments": ""}})
                slot["id"] = call.get("id") or slot["id"]
                function = call.get("function") or {}
                slot["function"]["name"] += str(function.get("name") or "")
                slot["function"]["arguments"] += str(function.get("arguments") or "")
    message = {"content": "".join(content), "tool_calls": [calls[i] for i in sorted(calls)]}
    return {"model": model, "usage": usage, "choices": [{"message": message, "finish_reason": finish}]}


def _reply(body: dict, request: ChatRequest) -> Reply:
    choice = body["choices"][0]
    message = choice["message"]
    calls = tuple(
        ToolCall(
            id=str(call.get("id") or f"call_{n}"),
            name=str(call["function"]["name"]),
            arguments=_arguments(call["function"].get("arguments")),
        )
        for n, call in enumerate(message.get("tool_calls") or [])
        if isinstance(call, dict) and isinstance(call.get("function"), dict) and call["function"].get("name")
    )
    usage = body.get("usage") or {}
    return Reply(
        text=str(message.get("content") or ""),
        tool_calls=calls,
        stop_reason=str(choice.get("finish_reason") or ""),
        input_tokens=int(usage.get("prompt_tokens") or 0),
        output_tokens=int(usage.get("completion_tokens") or 0),
        model=str(body.get("model") or request.model),
    )
