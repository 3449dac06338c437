"""The agent step with the anthropic SDK: tool_use turns, flows as tools, HTTP GET through the guard, the step limit."""

import json

from apps.flows.engine.context import LocalHost
from apps.flows.engine.graph import Graph
from tests.ai.support import AnthropicDouble, credentials, edge, message, node, run_step, text, tool_use
from tests.support.fake_http import FakeServer

LOOKUP = Graph.from_dict(
    {
        "nodes": [
            node("t", "trigger.manual", "Start"),
            node("s", "data.set", "Found", fields=[{"name": "status", "value": "shipped on {{ json.order_id }}"}]),
        ],
        "edges": [edge("t", "s")],
    }
)


def agent(**parameters):
    return node("agent", "ai.agent", "Agent", **{"provider": "anthropic", "credential": "claude", **parameters})


def test_a_published_flow_is_a_tool_with_described_inputs(monkeypatch):
    api = AnthropicDouble(
        message(text("Let me look it up."), tool_use("order_status", {"order_id": "A-17"}), stop_reason="tool_use"),
        message(text("Your order A-17 has shipped.")),
    ).install(monkeypatch)
    tools = [
        {"flow": "lookup", "name": "order_status", "description": "Finds an order's status.", "inputs": "order_id (text): the order number"}
    ]
    host = LocalHost(credentials=credentials(), flows={"lookup": LOOKUP})
    result, _ = run_step(
        agent(prompt="Where is my order A-17?", flow_tools=tools, tool_calculator=False, tool_current_time=False), host=host
    )
    assert result.status == "success", result.error
    first, second = api.requests
    assert first["tools"] == [
        {
            "name": "order_status",
            "description": "Finds an order's status.",
            "input_schema": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "description": "the order number"}},
                "required": ["order_id"],
            },
        }
    ]
    assert second["messages"][1]["content"][1] == {
        "type": "tool_use",
        "id": "toolu_01A09q90qw90lq917835lq9",
        "name": "order_status",
        "input": {"order_id": "A-17"},
    }
    tool_result = second["messages"][2]["content"][0]
    assert tool_result["type"] == "tool_result" and json.loads(tool_result["content"])["status"] == "shipped on A-17"
    ai = result.last_items[0]["ai"]
    assert ai["text"] == "Your order A-17 has shipped."
    assert ai["tool_calls"] == [
        {"turn": 1, "tool": "order_status", "input": {"order_id": "A-17"}, "output": {"order_id": "A-17", "status": "shipped on A-17"}}
    ]


def test_the_step_limit_stops_an_agent_that_keeps_calling_tools(monkeypatch):
    looping = [message(tool_use("calculator", {"expression": f"{n}+1"}, f"toolu_{n}"), stop_reason="tool_use") for n in range(3)]
    api = AnthropicDouble(*looping).install(monkeypatch)
    result, _ = run_step(agent(prompt="count forever", max_steps=3))
    assert len(api.requests) == 3
    assert result.status == "failed" and result.error_code == "ai_step_limit"
    assert "within 3 model turns (3 tool calls)" in result.error
    assert [call["output"]["result"] for call in json.loads(result.error_detail)] == [1, 2, 3]


def test_http_get_tool_goes_through_the_ssrf_guard(monkeypatch):
    with FakeServer() as site:
        site.routes["/price"] = lambda r: (200, {"Content-Type": "text/plain"}, b"42000 KRW")
        api = AnthropicDouble(
            message(tool_use("http_get", {"url": site.url("/price")}), stop_reason="tool_use"),
            message(text("It costs 42000 won.")),
            message(tool_use("http_get", {"url": site.url("/price")}), stop_reason="tool_use"),
            message(text("I could not read the page.")),
        ).install(monkeypatch)
        allowed = LocalHost(credentials=credentials(), http_allow_hosts=("127.0.0.1",))
        result, _ = run_step(agent(prompt="price?", tool_http_get=True), host=allowed)
        assert result.last_items[0]["ai"]["tool_calls"][0]["output"]["body"] == "42000 KRW"
        refused, _ = run_step(agent(prompt="price?", tool_http_get=True), host=LocalHost(credentials=credentials()))
    call = refused.last_items[0]["ai"]["tool_calls"][0]
    assert "internal address" in call["error"]
    assert api.requests[3]["messages"][2]["content"][0]["is_error"] is True
    assert len(site.requests) == 1  # the refused call never reached the server


def test_a_missing_flow_fails_the_step(monkeypatch):
    AnthropicDouble(message(tool_use("lookup", {}), stop_reason="tool_use")).install(monkeypatch)
    result, _ = run_step(agent(prompt="x", flow_tools=[{"flow": "nope", "name": "lookup"}]), host=LocalHost(credentials=credentials()))
    assert result.status == "failed" and result.error_code == "flow_missing"
