"""One assistant turn with Claude: the request and the current flow go to the Messages API with the catalog tools;
tool calls change a working copy of the graph; when the model stops, the flow is validated and the problems are sent
back until it validates or the turn limit is reached. The system prompt (instructions and the catalog index) and
the tools are marked for prompt caching, so later turns and later requests read them from the cache.

No database here: the service records usage and falls back to the offline planner when this raises ClaudeFailed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from apps.ai.providers import anthropic as provider
from apps.ai.providers import errors
from apps.ai.providers.base import ProviderError
from apps.assistant.claude.tools import TOOL_SPECS, FlowTools, catalog_index
from apps.flows.http.guard import guard_error
from apps.flows.nodes.registry import NodeRegistry

INSTRUCTIONS = """You are the assistant of EZFlow, a no-code workflow automation platform for office workers in Korea.
You build or change one flow (a graph of steps: one trigger, then actions) from what the person asks, using the tools.
Rules:
- Use only step types from the catalog below (search_steps, step_details); never invent a key or a parameter.
- A new flow starts with exactly one trigger: a schedule (cron in the organization's time zone, preset "custom"), a
  webhook, or manual. Connect each step after the one before it.
- A follow-up changes the current flow: keep the steps the person did not ask to change (ids, names, parameters).
- Never fill credential parameters: the person connects accounts afterwards. Fill other required parameters from the
  request; a message text nobody named may be "{{ json }}" (the data of the step before).
- Call validate before you finish and fix what it reports (placeholders for accounts are fine).
- Finish with two or three short sentences in the person's language saying what the flow does. No markdown tables.

Step catalog (key [trigger kind]: English label / Korean label):
"""


@dataclass
class Usage:
    model: str = ""
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0


@dataclass
class ClaudeResult:
    graph: dict
    text: str
    missing: list[dict]
    problems: list
    usage: Usage
    turns: int
    tool_calls: list[dict] = field(default_factory=list)


class ClaudeFailed(Exception):
    """The API could not answer (the ProviderError says why); `usage` counts the calls made before."""

    def __init__(self, error: ProviderError, usage: Usage):
        super().__init__(str(error))
        self.error = error
        self.usage = usage


def sleep(seconds: float) -> None:  # replaced in tests
    time.sleep(seconds)


def _system(registry: NodeRegistry) -> list[dict]:
    return [{"type": "text", "text": INSTRUCTIONS + catalog_index(registry), "cache_control": {"type": "ephemeral"}}]


def _tools() -> list[dict]:
    specs = [dict(spec) for spec in TOOL_SPECS]
    specs[-1] = {**specs[-1], "cache_control": {"type": "ephemeral"}}
    return specs


def _request_text(prompt: str, graph: dict | None, language: str, time_zone: str) -> str:
    current = json.dumps(graph, ensure_ascii=False) if graph and graph.get("nodes") else "(empty: build a new flow)"
    answer_in = "Korean (합니다/하세요 style)" if language == "ko" else "English"
    return f"Organization time zone: {time_zone}. Answer in {answer_in}.\nCurrent flow: {current}\n\nRequest: {prompt}"


def _streamed(client, body: dict, on_delta: Callable[[str], None] | None):
    """One model turn through the SDK's streaming API: each text delta goes to `on_delta` as it arrives; the
    message the stream adds up to is returned (the same Message `messages.create` would give)."""
    with client.messages.stream(**body) as stream:
        for event in stream:
            if on_delta is not None and event.type == "content_block_delta" and event.delta.type == "text_delta" and event.delta.text:
                on_delta(event.delta.text)
        return stream.get_final_message()


def _call(client, body: dict, *, retries: int, max_wait: float, model: str, on_delta=None, on_retry=None):
    for attempt in range(retries + 1):
        try:
            return _streamed(client, body, on_delta)
        except provider.anthropic.APIStatusError as exc:
            error = errors.status_error(
                exc.status_code,
                message=str(exc.api_message or exc.message or ""),
                error_type=str(exc.type or ""),
                error_code=str(exc.error_code or ""),
                model=model,
                headers=exc.response.headers,
            )
        except provider.anthropic.APITimeoutError:
            error = errors.timed_out(float(client.timeout if isinstance(client.timeout, int | float) else 60))
        except provider.anthropic.APIConnectionError as exc:
            refused = guard_error(exc)
            if refused is not None:
                raise ProviderError(refused.template, code="request_failed", values=refused.values) from None
            error = errors.unreachable(str(exc.__cause__ or exc))
        if not error.retryable or attempt >= retries:
            raise error
        if on_retry is not None:  # text already streamed from the failed attempt is taken back
            on_retry()
        sleep(min(error.retry_after if error.retry_after is not None else 2.0**attempt, max_wait))
    raise AssertionError("unreachable")


def _blocks(message) -> list[dict]:
    out = []
    for block in message.content:
        if block.type == "text":
            out.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            out.append({"type": "tool_use", "id": block.id, "name": block.name, "input": dict(block.input or {})})
    return out


def run(
    prompt: str,
    *,
    graph: dict | None,
    language: str,
    time_zone: str,
    api_key: str,
    model: str,
    registry: NodeRegistry,
    allow_hosts=(),
    max_turns: int = 12,
    retries: int = 2,
    max_wait: float = 5.0,
    timeout: float = 60.0,
    on_text: Callable[[str], None] | None = None,
    on_delta: Callable[[int, str], None] | None = None,
    on_reset: Callable[[int], None] | None = None,
) -> ClaudeResult:
    """`on_delta(call, text)`: each piece of text as the model writes it (call: the model call's number, from 1);
    `on_reset(call)`: that call is being retried, drop what it streamed; `on_text(said)`: a call's whole text."""
    tools = FlowTools(graph, registry, language)
    usage = Usage(model=model)
    messages: list[dict] = [{"role": "user", "content": _request_text(prompt, graph, language, time_zone)}]
    body = {"model": model, "max_tokens": 4096, "system": _system(registry), "tools": _tools(), "messages": messages}
    text, calls_made, turns = "", [], 0
    with provider.http_client(allow_hosts=allow_hosts, timeout=timeout) as connection:
        client = provider._client(api_key, connection, timeout)
        while turns < max_turns:
            turns += 1
            try:
                message = _call(
                    client,
                    body,
                    retries=retries,
                    max_wait=max_wait,
                    model=model,
                    on_delta=(lambda piece, call=turns: on_delta(call, piece)) if on_delta is not None else None,
                    on_retry=(lambda call=turns: on_reset(call)) if on_reset is not None else None,
                )
            except ProviderError as error:
                raise ClaudeFailed(error, usage) from None
            usage.calls += 1
            usage.model = str(message.model or model)
            counted = message.usage
            cache_read = int(getattr(counted, "cache_read_input_tokens", 0) or 0)
            usage.input_tokens += int(counted.input_tokens or 0) + int(getattr(counted, "cache_creation_input_tokens", 0) or 0) + cache_read
            usage.cache_read_tokens += cache_read
            usage.output_tokens += int(counted.output_tokens or 0)
            blocks = _blocks(message)
            messages.append({"role": "assistant", "content": blocks or [{"type": "text", "text": "."}]})
            said = "".join(b["text"] for b in blocks if b["type"] == "text").strip()
            if said:
                text = said
                if on_text is not None:
                    on_text(said)
            uses = [b for b in blocks if b["type"] == "tool_use"]
            if uses:
                results = []
                for use in uses:
                    content, failed = tools.call(use["name"], use["input"])
                    calls_made.append({"turn": turns, "tool": use["name"], "input": use["input"], "error": failed})
                    results.append({"type": "tool_result", "tool_use_id": use["id"], "content": content, "is_error": failed})
                messages.append({"role": "user", "content": results})
                continue
            missing, problems = tools.review()
            if not problems or turns >= max_turns:
                return ClaudeResult(tools.graph, text, missing, problems, usage, turns, calls_made)
            report = tools.validate({})
            messages.append(
                {
                    "role": "user",
                    "content": "The flow does not validate yet. Fix these problems with the tools, then answer again:\n"
                    + json.dumps(report["problems"], ensure_ascii=False),
                }
            )
    missing, problems = tools.review()
    return ClaudeResult(tools.graph, text, missing, problems, usage, turns, calls_made)
