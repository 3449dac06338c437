"""An LLM answer shown while it is written when a person tests the step in the editor: the real anthropic SDK reading
Messages API server-sent events from a mock transport, an OpenAI-compatible local server answering with
`stream: true` chunks, the text sent to that person's live socket only, and the final output unchanged."""

import json

import httpx2
import pytest
from asgiref.sync import async_to_sync
from django.db import connection

from apps.ai.providers.base import ChatRequest, UserTurn
from apps.ai.providers.registry import get as provider
from apps.ai.streaming import stream_group
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create
from apps.runs.services.runs import run_create, run_execute
from tests.ai.support import ANTHROPIC_KEY, AnthropicDouble, edge, message, node, text
from tests.support.fake_http import FakeServer

PIECES = ["안녕하세요, ", "주문하신 상품은 ", "내일 도착합니다."]


def sse(events) -> bytes:
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events).encode()


def anthropic_stream(pieces, *, input_tokens=31, output_tokens=17, model="claude-sonnet-4-5-20250929") -> httpx2.Response:
    """The Messages API's event stream, event by event, as the API sends it."""
    start = message(input_tokens=input_tokens, output_tokens=1, model=model)
    start.update(content=[], stop_reason=None)
    events = [("message_start", {"type": "message_start", "message": start})]
    events.append(("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}))
    events.append(("ping", {"type": "ping"}))
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})
        for piece in pieces
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return httpx2.Response(200, content=sse(events), headers={"content-type": "text/event-stream", "request-id": "req_1"})


class StreamingAnthropic(AnthropicDouble):
    """Streams when asked to (`"stream": true` in the body, as the SDK's stream helper sends), else answers whole."""

    def handler(self, request):
        body = json.loads(request.content)
        self.requests.append(body)
        answer = self.answers.pop(0)
        if body.get("stream"):
            return anthropic_stream(answer)
        return httpx2.Response(200, json=message(text("".join(answer)), input_tokens=31, output_tokens=17), headers={"request-id": "r"})


def chat_request(**kwargs):
    return ChatRequest(model="claude-sonnet-4-5", system="", turns=[UserTurn("배송 언제 와요?")], max_tokens=200, **kwargs)


def test_anthropic_streams_text_with_the_real_sdk_and_answers_the_same(monkeypatch):
    api = StreamingAnthropic(PIECES, PIECES).install(monkeypatch)
    seen = []
    streamed = provider("anthropic").chat(chat_request(on_text=seen.append), {"api_key": ANTHROPIC_KEY})
    whole = provider("anthropic").chat(chat_request(), {"api_key": ANTHROPIC_KEY})
    assert seen == PIECES
    assert api.requests[0]["stream"] is True and "stream" not in api.requests[1]
    assert streamed == whole
    assert (streamed.text, streamed.input_tokens, streamed.output_tokens, streamed.stop_reason) == ("".join(PIECES), 31, 17, "end_turn")


def chunk(delta, finish=None, usage=None):
    body = {
        "id": "chatcmpl-9x8y7z",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": "llama-3.1-8b-instruct",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if delta is not None else [],
    }
    if usage is not None:
        body["usage"] = usage
    return body


def openai_events(pieces, tool_call=False) -> bytes:
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in pieces]
    if tool_call:
        chunks.append(
            chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": ""}}]})
        )
        chunks += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}) for part in ('{"order', '": 42}')]
    chunks.append(chunk({}, finish="tool_calls" if tool_call else "stop"))
    chunks.append(chunk(None, usage={"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}))
    lines = [": keep-alive\n\n"] + [f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


@pytest.fixture
def server():
    with FakeServer() as fake:

        def answer(request):
            body = json.loads(request["body"])
            if body.get("stream"):
                return 200, {"Content-Type": "text/event-stream"}, openai_events(PIECES, tool_call=body.get("tools") is not None)
            completion = {
                "id": "chatcmpl-9x8y7z",
                "object": "chat.completion",
                "model": "llama-3.1-8b-instruct",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(PIECES)}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49},
            }
            return 200, {}, completion

        fake.routes["/v1/chat/completions"] = answer
        yield fake


def test_openai_compatible_reads_server_sent_events_and_answers_the_same(server):
    credential = {"base_url": server.url("/v1"), "api_key": "k"}
    seen = []
    request = chat_request(on_text=seen.append, allow_hosts=("127.0.0.1",))
    streamed = provider("openai_compatible").chat(request, credential)
    whole = provider("openai_compatible").chat(chat_request(allow_hosts=("127.0.0.1",)), credential)
    sent = json.loads(server.requests[0]["body"])
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert "stream" not in json.loads(server.requests[1]["body"])
    assert seen == PIECES
    assert streamed == whole
    assert (streamed.input_tokens, streamed.output_tokens, streamed.model) == (40, 9, "llama-3.1-8b-instruct")


def test_openai_compatible_stream_puts_tool_call_pieces_together(server):
    from apps.ai.providers.base import ToolSpec

    tools = (ToolSpec("lookup", "Find an order", {"type": "object", "properties": {"order": {"type": "integer"}}}),)
    reply = provider("openai_compatible").chat(
        chat_request(on_text=lambda piece: None, allow_hosts=("127.0.0.1",), tools=tools), {"base_url": server.url("/v1")}
    )
    [call] = reply.tool_calls
    assert (call.id, call.name, call.arguments, reply.stop_reason) == ("call_1", "lookup", {"order": 42}, "tool_calls")


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="ai-stream")
    connection.set_tenant(organization)
    return organization


def test_testing_the_step_in_the_editor_streams_to_the_tester_only(data, organization, monkeypatch):
    StreamingAnthropic(PIECES, PIECES, PIECES).install(monkeypatch)
    sent = []
    monkeypatch.setattr("apps.ai.streaming.publish_to_groups", lambda groups, payload: sent.append((groups, payload)))
    key = credential_create(user=None, name="Claude", type="anthropic_api_key", data={"api_key": ANTHROPIC_KEY})
    graph = {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("ask", "ai.llm", "Ask", provider="anthropic", credential=str(key.pk), prompt="{{ json.q }}"),
        ],
        "edges": [edge("start", "ask")],
    }
    flow = flow_create(user=None, name="Inquiry", graph=graph)
    member = data.create_member(organization)
    api = data.api_client(organization, data.create_token(organization, member.user))
    tested = api.post(f"/api/v1/flows/{flow.pk}/test-node", {"node_id": "ask", "items": [{"q": "배송?"}]}, content_type="application/json")
    assert tested.status_code == 200, tested.content
    answer = tested.json()["outputs"]["main"]["items"][0]["ai"]
    assert answer["text"] == "".join(PIECES) and answer["usage"]["output_tokens"] == 17

    assert sent, "nothing was streamed"
    group = stream_group(organization.schema_name, member.user.pk, flow.pk)
    assert all(groups == [group] for groups, _payload in sent)
    payloads = [payload for _groups, payload in sent]
    assert all(p["type"] == "ai.stream" and p["flow_id"] == flow.pk and p["node_id"] == "ask" and p["item"] == 0 for p in payloads)
    assert payloads[0]["text"] == PIECES[0] and not payloads[0]["done"]  # the first piece goes out at once
    assert payloads[-1] == {**payloads[-1], "text": "".join(PIECES), "done": True}

    # a run (not a test) neither streams nor publishes, and its output is what the test showed
    sent.clear()
    from apps.flows.services.flows import flow_publish

    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"q": "배송?"}]).pk)
    assert run.status == "success" and sent == []
    ask = run.node_runs.get(node_id="ask")
    assert ask.outputs["main"][0]["ai"]["text"] == answer["text"]


def test_the_stream_page_admits_only_the_organizations_flows(data, organization, monkeypatch):
    import channels.db

    from tests.runs.realtime.test_consumer import cookie_for, open_socket

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    flow = flow_create(user=None, name="Mine", graph={"nodes": [], "edges": []})
    owner = data.owner_of(organization)
    cookie = cookie_for(data, organization, owner)
    connection.set_schema_to_public()

    async def scenario():
        from channels.layers import get_channel_layer

        communicator, connected, _ = await open_socket(organization.host, cookie)
        assert connected
        await communicator.send_json_to({"type": "subscribe", "page": "ai_stream", "id": flow.pk})
        assert await communicator.receive_json_from() == {"type": "subscribed", "page": "ai_stream", "id": flow.pk}
        await communicator.send_json_to({"type": "subscribe", "page": "ai_stream", "id": flow.pk + 1000})
        assert (await communicator.receive_json_from())["code"] == "not_found"
        payload = {"type": "ai.stream", "flow_id": flow.pk, "node_id": "ask", "item": 0, "text": "안녕", "done": False}
        layer = get_channel_layer()
        await layer.group_send(stream_group(organization.schema_name, owner.pk, flow.pk), {"type": "live.event", "payload": payload})
        assert await communicator.receive_json_from() == payload
        await layer.group_send(stream_group(organization.schema_name, owner.pk + 1, flow.pk), {"type": "live.event", "payload": payload})
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    async_to_sync(scenario)()
