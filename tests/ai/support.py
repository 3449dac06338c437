"""Model API doubles that answer what the real APIs answer, and a runner for AI steps through the real engine."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx2

from apps.flows.engine.context import LocalHost
from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.reporter import RecordingReporter

ANTHROPIC_KEY = "sk-ant-api03-test-secret-key-0123456789"


def message(*content, stop_reason="end_turn", input_tokens=25, output_tokens=12, model="claude-sonnet-4-5-20250929") -> dict:
    """A Messages API response body as the API sends it."""
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": list(content),
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        },
    }


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def tool_use(name: str, arguments: dict, call_id: str = "toolu_01A09q90qw90lq917835lq9") -> dict:
    return {"type": "tool_use", "id": call_id, "name": name, "input": arguments}


def api_error(status: int, error_type: str, text_: str, headers: dict | None = None) -> httpx2.Response:
    body = {"type": "error", "error": {"type": error_type, "message": text_}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}
    return httpx2.Response(status, json=body, headers={"request-id": "req_011CSHoEeqs5C35K2UUqR7Fy", **(headers or {})})


def sse_stream(body: dict, piece: int = 4) -> bytes:
    """A Messages API response body as the streaming API sends it (server-sent events): message_start, each content
    block as start / deltas / stop (text in pieces of `piece` characters, tool input as partial JSON), message_delta
    with the stop reason and output tokens, message_stop."""
    events: list[tuple[str, dict]] = []
    usage = body["usage"]
    start = {**body, "content": [], "stop_reason": None, "stop_sequence": None, "usage": {**usage, "output_tokens": 1}}
    events.append(("message_start", {"type": "message_start", "message": start}))
    events.append(("ping", {"type": "ping"}))
    for index, block in enumerate(body["content"]):
        if block["type"] == "text":
            opening = {"type": "text", "text": ""}
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}))
            for at in range(0, len(block["text"]), piece):
                delta = {"type": "text_delta", "text": block["text"][at : at + piece]}
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        else:
            opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}))
            arguments = json.dumps(block["input"], ensure_ascii=False)
            for at in range(0, len(arguments), 8):
                delta = {"type": "input_json_delta", "partial_json": arguments[at : at + 8]}
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    ending = {"stop_reason": body["stop_reason"], "stop_sequence": None}
    events.append(("message_delta", {"type": "message_delta", "delta": ending, "usage": {"output_tokens": usage["output_tokens"]}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events).encode()


class AnthropicDouble:
    """Answers POST /v1/messages with the queued responses in order; records every request body and headers.
    A request with `"stream": true` gets the queued message as a real server-sent event stream."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.streamed = 0

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages", request.url
        self.requests.append(json.loads(request.content))
        self.headers.append(dict(request.headers))
        answer = self.answers.pop(0)
        if self.requests[-1].get("stream") and isinstance(answer, dict) and answer.get("type") == "message":
            self.streamed += 1
            headers = {"request-id": "req_1", "content-type": "text/event-stream; charset=utf-8"}
            return httpx2.Response(200, content=sse_stream(answer), headers=headers)
        return answer if isinstance(answer, httpx2.Response) else httpx2.Response(200, json=answer, headers={"request-id": "req_1"})

    def install(self, monkeypatch) -> AnthropicDouble:
        from apps.ai.providers import anthropic as provider

        monkeypatch.setattr(provider, "http_client", lambda **kw: httpx2.Client(transport=httpx2.MockTransport(self.handler)))
        return self


def node(node_id, type_, name=None, **parameters):
    return {"id": node_id, "type": type_, "name": name or node_id, "parameters": parameters, "settings": {}}


def edge(source, target):
    return {"source": source, "target": target, "source_port": "main", "target_port": "main"}


def run_step(step: dict, items=None, *, host=None, sleeps: list | None = None, flows=None):
    """Runs trigger → step through the engine; returns (result, reporter)."""
    host = host or LocalHost(credentials=credentials(), http_allow_hosts=("127.0.0.1",), flows=flows)
    graph = Graph.from_dict({"nodes": [node("start", "trigger.manual", "Start"), step], "edges": [edge("start", step["id"])]})
    reporter = RecordingReporter()
    record: Callable = sleeps.append if sleeps is not None else (lambda seconds: None)
    result = Executor(graph, host=host, reporter=reporter, sleep=record).run(trigger_items=items if items is not None else [{}])
    return result, reporter


def credentials(base_url: str = "") -> dict:
    return {
        "claude": {"type": "anthropic_api_key", "data": {"api_key": ANTHROPIC_KEY}},
        "local": {"type": "openai_compatible", "data": {"base_url": base_url, "api_key": "local-secret-key"}},
    }
