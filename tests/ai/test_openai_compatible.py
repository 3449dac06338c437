"""The LLM and agent steps against a local server answering like /v1/chat/completions (vLLM, Ollama, OpenAI)."""

import json

import pytest

from apps.flows.engine.context import LocalHost
from tests.ai.support import credentials, node, run_step
from tests.support.fake_http import FakeServer


def completion(content=None, tool_calls=None, finish_reason="stop", prompt_tokens=40, completion_tokens=9):
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-9x8y7z",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "llama-3.1-8b-instruct",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def function_call(name, arguments, call_id="call_abc123"):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


@pytest.fixture
def server():
    with FakeServer() as fake:
        fake.answers = []
        fake.routes["/v1/chat/completions"] = lambda request: fake.answers.pop(0)
        yield fake


def host_for(server, **kwargs):
    return LocalHost(credentials=credentials(server.url("/v1")), http_allow_hosts=("127.0.0.1",), **kwargs)


def sent(server, index=0):
    return json.loads(server.requests[index]["body"])


def test_text_answer_from_a_local_model_server(server):
    server.answers.append((200, {}, completion("네, 가능합니다.")))
    step = node(
        "ask",
        "ai.llm",
        provider="openai_compatible",
        credential="local",
        model="llama-3.1-8b-instruct",
        system="Be brief.",
        prompt="{{ json.q }}",
        temperature=0.3,
    )
    result, _ = run_step(step, [{"q": "배송 되나요?"}], host=host_for(server))
    assert result.status == "success", result.error
    body = sent(server)
    assert body["model"] == "llama-3.1-8b-instruct" and body["temperature"] == 0.3 and body["max_tokens"] == 1024
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "배송 되나요?"}]
    assert server.requests[0]["headers"]["Authorization"] == "Bearer local-secret-key"
    ai = result.last_items[0]["ai"]
    assert ai["text"] == "네, 가능합니다." and ai["provider"] == "openai_compatible" and ai["stop_reason"] == "stop"
    assert ai["usage"] == {"input_tokens": 40, "output_tokens": 9, "total_tokens": 49, "cost_usd": None}
    assert "local-secret-key" not in json.dumps(result.outputs)


def test_a_model_name_is_required_for_an_own_server(server):
    step = node("ask", "ai.llm", provider="openai_compatible", credential="local", prompt="hi")
    result, _ = run_step(step, host=host_for(server))
    assert result.status == "failed" and result.error_code == "ai_model_missing" and server.requests == []


def test_the_server_is_reached_only_when_the_organization_allowed_it(server):
    step = node("ask", "ai.llm", provider="openai_compatible", credential="local", model="m", prompt="hi")
    result, _ = run_step(step, host=LocalHost(credentials=credentials(server.url("/v1"))))
    assert result.status == "failed" and "internal address" in result.error and server.requests == []


def test_errors_of_openai_shaped_servers(server):
    step = node("ask", "ai.llm", provider="openai_compatible", credential="local", model="m", prompt="hi")
    bad_key = {
        "error": {
            "message": "Incorrect API key provided: sk-loc***",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    quota = {
        "error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}
    }
    too_long = {
        "error": {
            "message": "This model's maximum context length is 8192 tokens.",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        }
    }
    server.answers += [(401, {}, bad_key), (429, {}, quota), (400, {}, too_long)]
    codes = [run_step(step, host=host_for(server))[0].error_code for _ in range(3)]
    assert codes == ["ai_bad_key", "ai_quota", "ai_context_too_long"]
    assert len(server.requests) == 3  # a quota is not a rate limit: not retried


def test_rate_limit_retry_then_success(server):
    server.answers += [
        (429, {"Retry-After": "2"}, {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}),
        (200, {}, completion("ok")),
    ]
    sleeps = []
    result, _ = run_step(
        node("ask", "ai.llm", provider="openai_compatible", credential="local", model="m", prompt="hi"),
        host=host_for(server),
        sleeps=sleeps,
    )
    assert result.status == "success" and sleeps == [2.0]


def test_agent_calls_tools_and_records_every_call(server):
    server.answers += [
        (
            200,
            {},
            completion(
                None, [function_call("calculator", {"expression": "1200 * 1.1"}), function_call("current_time", {}, "call_2")], "tool_calls"
            ),
        ),
        (200, {}, completion(None, [function_call("calculator", {"expression": "__import__('os')"}, "call_3")], "tool_calls")),
        (200, {}, completion("With tax: 1320.", prompt_tokens=100, completion_tokens=7)),
    ]
    step = node("agent", "ai.agent", provider="openai_compatible", credential="local", model="m", prompt="Price 1200 plus 10% tax?")
    import datetime as dt
    from zoneinfo import ZoneInfo

    now = dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    result, _ = run_step(step, host=host_for(server, now=now))
    assert result.status == "success", result.error
    ai = result.last_items[0]["ai"]
    assert ai["text"] == "With tax: 1320." and ai["turns"] == 3
    calls = ai["tool_calls"]
    assert calls[0] == {"turn": 1, "tool": "calculator", "input": {"expression": "1200 * 1.1"}, "output": {"result": 1320}}
    assert calls[1]["tool"] == "current_time" and calls[1]["output"]["now"] == "2026-03-02T09:30:00+09:00"
    assert calls[2]["tool"] == "calculator" and "not allowed" in calls[2]["error"]
    assert ai["usage"]["input_tokens"] == 40 + 40 + 100
    first, second = sent(server, 0), sent(server, 1)
    assert {tool["function"]["name"] for tool in first["tools"]} == {"calculator", "current_time"}  # HTTP GET is off by default
    assert second["messages"][-3]["tool_calls"][0]["function"]["name"] == "calculator"
    assert second["messages"][-2] == {"role": "tool", "tool_call_id": "call_abc123", "content": '{"result": 1320}'}
    assert second["messages"][-1]["tool_call_id"] == "call_2"
