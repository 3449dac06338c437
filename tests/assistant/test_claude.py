"""The Claude engine with the real anthropic SDK on a mock transport answering like the Messages API: tool-use turns
over the catalog and the flow, the validate-and-repair loop, prompt caching marks, usage and cost per organization,
retries after 429, fallback to the offline planner (with a notice) on overload, a refused key, the per-organization
hourly limit and the monthly budget. Nothing leaves the machine."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from apps.ai.models import AiUsage
from apps.ai.services import ai_budget_set
from apps.assistant.claude import engine
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create
from tests.ai.support import ANTHROPIC_KEY, AnthropicDouble, api_error, message, text, tool_use

FLAGSHIP = "매일 아침 9시에 네이버 뉴스에서 '자동화'를 검색해서 슬랙으로 보내줘"


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.time_zone = "Asia/Seoul"
    organization.save()
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def member(data, organization):
    member = data.create_member(organization)
    credential_create(user=member.user, name="Claude", type="anthropic_api_key", data={"api_key": ANTHROPIC_KEY})
    return member


@pytest.fixture
def sleeps(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(engine, "sleep", waited.append)
    return waited


def ask(data, organization, member, prompt=FLAGSHIP, **body):
    api = data.api_client(organization, data.create_token(organization, member.user))
    flow = flow_create(user=member.user, name="f")
    answer = api.post(f"/api/v1/assistant/flows/{flow.pk}/conversation", {"prompt": prompt, **body}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json(), flow


def building_turns():
    """Claude searching, reading a step, building schedule → Slack, validating, then saying what it did."""
    return [
        message(tool_use("search_steps", {"query": "슬랙"}, "toolu_1"), stop_reason="tool_use", input_tokens=3000, output_tokens=40),
        message(tool_use("step_details", {"key": "net.slack"}, "toolu_2"), stop_reason="tool_use"),
        message(
            text("일정 트리거부터 만들겠습니다."),
            tool_use(
                "add_step",
                {"key": "trigger.schedule", "parameters": {"preset": "custom", "cron": "0 9 * * *", "time_zone": "Asia/Seoul"}},
                "toolu_3",
            ),
            tool_use("add_step", {"key": "net.slack", "after": "n1", "parameters": {"text": "{{ json }}"}}, "toolu_4"),
            stop_reason="tool_use",
        ),
        message(tool_use("validate", {}, "toolu_5"), stop_reason="tool_use"),
        message(text("매일 9시에 슬랙으로 보내는 플로우를 만들었습니다. 슬랙 계정을 연결하세요."), input_tokens=100, output_tokens=60),
    ]


def test_claude_builds_the_flow_with_tools_and_usage_is_recorded(data, organization, member, monkeypatch):
    api = AnthropicDouble(*building_turns()).install(monkeypatch)
    turn, flow = ask(data, organization, member)
    assert turn["engine"] == "claude" and turn["notice"] == ""
    assert [(n["id"], n["type"]) for n in turn["graph"]["nodes"]] == [("n1", "trigger.schedule"), ("n2", "net.slack")]
    assert turn["graph"]["edges"] == [{"source": "n1", "target": "n2", "source_port": "main", "target_port": "main"}]
    assert turn["message"].startswith("매일 9시에 슬랙으로 보내는 플로우를 만들었습니다.")
    assert [c["action"] for c in turn["changes"]] == ["added", "added"]
    assert any(m["code"] == "connect" and m["credential_type"] == "slack_webhook" and m["node_id"] == "n2" for m in turn["missing"])

    first = api.requests[0]
    assert first["model"] == "claude-sonnet-4-6"
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"} and "net.slack" in first["system"][0]["text"]
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert {t["name"] for t in first["tools"]} == {
        "search_steps",
        "step_details",
        "add_step",
        "connect",
        "set_parameters",
        "remove_step",
        "validate",
    }
    assert FLAGSHIP in first["messages"][0]["content"] and "Asia/Seoul" in first["messages"][0]["content"]
    assert any(ANTHROPIC_KEY in value for value in api.headers[0].values())
    # Tool answers go back as tool_result blocks with the call's id.
    search_result = api.requests[1]["messages"][2]["content"][0]
    assert search_result["tool_use_id"] == "toolu_1" and "net.slack" in search_result["content"] and not search_result["is_error"]
    details = json.loads(api.requests[2]["messages"][4]["content"][0]["content"])
    assert details["key"] == "net.slack" and any(
        p["name"] == "credential" and p["credential_kind"] == "slack_webhook" for p in details["parameters"]
    )
    validated = json.loads(api.requests[4]["messages"][-1]["content"][0]["content"])
    assert validated["valid"] is True and validated["placeholders"][0]["code"] == "connect"

    usage = AiUsage.objects.get()
    assert (usage.flow_id, usage.node_id, usage.provider, usage.calls) == (flow.pk, "assistant", "anthropic", 5)
    assert usage.input_tokens == 3000 + 25 * 3 + 100 and usage.output_tokens == 40 + 12 * 3 + 60
    assert usage.cost_usd == Decimal("0.011565")  # claude-sonnet-4-5-20250929: 3175 * $3 + 136 * $15 per million tokens


def test_a_flow_that_does_not_validate_is_sent_back_until_repaired(data, organization, member, monkeypatch):
    api = AnthropicDouble(
        message(tool_use("add_step", {"key": "trigger.schedule", "parameters": {"preset": "at_nine"}}, "toolu_1"), stop_reason="tool_use"),
        message(tool_use("add_step", {"key": "no.such.step"}, "toolu_2"), stop_reason="tool_use"),
        message(text("Done.")),
        message(tool_use("set_parameters", {"node_id": "n1", "parameters": {"preset": "daily_9"}}, "toolu_3"), stop_reason="tool_use"),
        message(text("Every day at 9:00.")),
    ).install(monkeypatch)
    turn, _flow = ask(data, organization, member, prompt="Every day at 9")
    assert turn["engine"] == "claude" and turn["graph"]["nodes"][0]["parameters"]["preset"] == "daily_9"
    assert not [m for m in turn["missing"] if m["code"] == "problem"]
    invented = api.requests[2]["messages"][-1]["content"][0]
    assert invented["is_error"] and "no.such.step" in invented["content"]
    repair = api.requests[3]["messages"][-1]
    assert repair["role"] == "user" and "does not validate" in repair["content"] and "not_a_choice" in repair["content"]
    assert turn["message"] == "Every day at 9:00."


def test_the_turn_limit_ends_the_loop_and_problems_are_listed(data, organization, member, monkeypatch, settings):
    settings.EZFLOW_ASSISTANT_CLAUDE_MAX_TURNS = 2
    AnthropicDouble(
        message(tool_use("add_step", {"key": "trigger.schedule", "parameters": {"preset": "at_nine"}}, "toolu_1"), stop_reason="tool_use"),
        message(text("Done.")),
    ).install(monkeypatch)
    turn, _flow = ask(data, organization, member, prompt="Every day at 9")
    assert turn["engine"] == "claude"
    assert [m["code"] for m in turn["missing"]] == ["problem"]


def test_a_rate_limit_is_retried_after_the_servers_wait(data, organization, member, monkeypatch, sleeps):
    api = AnthropicDouble(
        api_error(429, "rate_limit_error", "Number of requests has exceeded your rate limit", {"retry-after": "3"}),
        message(tool_use("add_step", {"key": "trigger.manual"}, "toolu_1"), stop_reason="tool_use"),
        message(text("A manual trigger.")),
    ).install(monkeypatch)
    turn, _flow = ask(data, organization, member, prompt="start by hand")
    assert turn["engine"] == "claude" and sleeps == [3.0] and len(api.requests) == 3


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (api_error(529, "overloaded_error", "Overloaded"), "과부하"),
        (api_error(401, "authentication_error", "invalid x-api-key"), "API 키"),
    ],
)
def test_when_claude_fails_the_offline_planner_answers_with_a_notice(data, organization, member, monkeypatch, sleeps, failure, said):
    api = AnthropicDouble(*[failure] * 3).install(monkeypatch)
    turn, _flow = ask(data, organization, member)
    assert turn["engine"] == "offline" and said in turn["notice"] and "오프라인 어시스턴트" in turn["notice"]
    assert turn["graph"]["nodes"][1]["parameters"]["query"] == "자동화"  # the offline draft
    assert len(api.requests) == (3 if failure.status_code == 529 else 1)
    assert AiUsage.objects.count() == 0  # no answered call, nothing to pay


def test_platform_key_hourly_limit_budget_and_switch(data, organization, monkeypatch, settings, sleeps):
    member = data.create_member(organization)
    settings.EZFLOW_ASSISTANT_ANTHROPIC_API_KEY = "sk-ant-platform-key"
    settings.EZFLOW_ASSISTANT_CLAUDE_PER_HOUR = 1
    api = AnthropicDouble(
        message(tool_use("add_step", {"key": "trigger.manual"}, "t1"), stop_reason="tool_use"), message(text("ok"))
    ).install(monkeypatch)
    assert ask(data, organization, member, prompt="start by hand")[0]["engine"] == "claude"
    assert any("sk-ant-platform-key" in value for value in api.headers[0].values())
    limited, _flow = ask(data, organization, member, prompt="start by hand")
    assert limited["engine"] == "offline" and "this hour" in limited["notice"] and len(api.requests) == 2

    settings.EZFLOW_ASSISTANT_CLAUDE_PER_HOUR = 10
    ai_budget_set(amount=Decimal("0.000001"))
    over, _flow = ask(data, organization, member, prompt="start by hand")
    assert over["engine"] == "offline" and "budget" in over["notice"] and len(api.requests) == 2

    ai_budget_set(amount=None)
    settings.EZFLOW_ASSISTANT_ENGINE = "offline"
    off, _flow = ask(data, organization, member, prompt="start by hand")
    assert off["engine"] == "offline" and off["notice"] == "" and len(api.requests) == 2


def test_an_answer_the_engine_does_not_expect_falls_back_too(data, organization, member, monkeypatch):
    AnthropicDouble(message(tool_use("add_step", {"key": "trigger.manual"}, "t1"), stop_reason="tool_use"), {"unexpected": True}).install(
        monkeypatch
    )
    turn, _flow = ask(data, organization, member)
    assert turn["engine"] == "offline" and "예상하지 못한" in turn["notice"]


def test_claudes_text_is_streamed_token_by_token_to_the_askers_live_page(data, organization, member, monkeypatch):
    """The engine uses the SDK's streaming API (the mock transport answers with real server-sent events): each text
    delta reaches the asker's live group as it arrives, numbered by model call; the final answer is unchanged."""
    from apps.assistant import live_pages
    from apps.runs.realtime.pages import live_pages as registry

    sent = []
    monkeypatch.setattr(live_pages, "publish_to_groups", lambda groups, payload: sent.append((groups, payload)))
    api = AnthropicDouble(*building_turns()).install(monkeypatch)
    turn, flow = ask(data, organization, member)
    assert all(body["stream"] is True for body in api.requests) and api.streamed == 5
    group = f"t.{organization.schema_name}.assistant.{member.user.pk}.{flow.pk}"
    assert {tuple(groups) for groups, _payload in sent} == {(group,)}
    assert all(payload["type"] == "assistant.delta" and payload["flow_id"] == flow.pk for _groups, payload in sent)
    pieces = [(payload["call"], payload["text"]) for _groups, payload in sent]
    # Token-sized pieces (the double sends 4 characters per delta), in order, per model call.
    assert len(pieces) == 4 + 11 and all(len(text) <= 4 for _call, text in pieces)
    assert pieces[0] == (3, "일정 트")
    assert "".join(text for call, text in pieces if call == 3) == "일정 트리거부터 만들겠습니다."
    last = "매일 9시에 슬랙으로 보내는 플로우를 만들었습니다. 슬랙 계정을 연결하세요."
    assert "".join(text for call, text in pieces if call == 5) == last
    # The answer is what it was without streaming: the last call's whole text, tool inputs parsed from partial JSON.
    assert turn["message"].startswith("매일 9시에 슬랙으로 보내는 플로우를 만들었습니다. 슬랙 계정을 연결하세요.")
    assert turn["graph"]["nodes"][0]["parameters"] == {"preset": "custom", "cron": "0 9 * * *", "time_zone": "Asia/Seoul"}
    assert turn["graph"]["nodes"][1]["parameters"]["text"] == "{{ json }}"

    page = registry.get("assistant")
    someone = data.create_member(organization)
    assert page.group(schema=organization.schema_name, user=someone.user, object_id=flow.pk) != group  # their own group
    assert page.may_see(user=member.user, membership=member, object_id=flow.pk)
    assert not page.may_see(user=member.user, membership=member, object_id=flow.pk + 1000)
    assert not page.may_see(user=member.user, membership=None, object_id=flow.pk)


def test_a_retried_call_takes_back_the_text_it_streamed(data, organization, member, monkeypatch, sleeps):
    from apps.assistant import live_pages

    sent = []
    monkeypatch.setattr(live_pages, "publish_to_groups", lambda groups, payload: sent.append(payload))
    AnthropicDouble(
        message(text("Adding a trigger."), tool_use("add_step", {"key": "trigger.manual"}, "t1"), stop_reason="tool_use"),
        api_error(529, "overloaded_error", "Overloaded"),
        message(text("A manual flow.")),
    ).install(monkeypatch)
    turn, _flow = ask(data, organization, member, prompt="start by hand")
    assert turn["engine"] == "claude" and turn["message"].startswith("A manual flow.")
    assert [p.get("reset", False) for p in sent if p["call"] == 2][0] is True  # the overloaded attempt is retried
    assert "".join(p["text"] for p in sent if p["call"] == 2) == "A manual flow."
