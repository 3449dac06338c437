"""AI usage and estimated cost surfaced where people look: the run page (per step and in total), the run's API and
monitoring (this month per flow and for the organization, against the budget), in both languages and never across
organizations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.ai.models import AiUsage
from apps.ai.services import ai_budget_set
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.services.runs import run_create, run_execute
from tests.ai.support import ANTHROPIC_KEY, AnthropicDouble, edge, message, node, text


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="ai-usage")
    connection.set_tenant(organization)
    return organization


def flow_asking(credential_id, name="Summariser"):
    graph = {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node(
                "ask",
                "ai.llm",
                "Summarise the message",
                provider="anthropic",
                credential=str(credential_id),
                prompt="Summarise: {{ json.text }}",
            ),
        ],
        "edges": [edge("start", "ask")],
    }
    flow = flow_create(user=None, name=name, graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


@pytest.fixture
def ai_run(organization, monkeypatch):
    key = credential_create(user=None, name="Claude", type="anthropic_api_key", data={"api_key": ANTHROPIC_KEY})
    AnthropicDouble(
        message(text("Short."), input_tokens=2000, output_tokens=100), message(text("Shorter."), input_tokens=1000, output_tokens=50)
    ).install(monkeypatch)
    flow = flow_asking(key.pk)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"text": "a"}, {"text": "b"}]).pk)
    assert run.status == "success", run.error
    return run


def test_the_run_page_shows_tokens_and_cost_per_step_and_in_total(data, organization, ai_run):
    client = data.client_for(organization, data.owner_of(organization))
    body = client.get(f"/runs/{ai_run.pk}/").content.decode()
    assert 'data-testid="run-ai-usage"' in body
    # claude-sonnet-4-5 at $3 / $15 per million tokens: 3000 in, 150 out → $0.01125
    assert "2 model calls, 3,150 tokens" in body
    assert "$0.0113" in body  # total and the step's row
    assert 'data-ai-step="ask"' in body and "Summarise the message" in body
    assert ">3,000<" in body and ">150<" in body
    # the live refresh renders the same fragment
    fragment = client.get(f"/runs/{ai_run.pk}/", {"fragment": "detail"}).content.decode()
    assert 'data-testid="run-ai-usage"' in fragment


def test_a_run_without_ai_steps_shows_no_ai_section(data, organization):
    graph = {"nodes": [node("start", "trigger.manual", "Start")], "edges": []}
    flow = flow_create(user=None, name="Plain", graph=graph)
    flow_publish(flow=flow, user=None)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{}]).pk)
    body = data.client_for(organization, data.owner_of(organization)).get(f"/runs/{run.pk}/").content.decode()
    assert "run-ai-usage" not in body


def test_the_run_api_has_the_usage(data, organization, ai_run):
    api = data.api_client(organization, data.create_token(organization, data.owner_of(organization)))
    detail = api.get(f"/api/v1/runs/{ai_run.pk}").json()
    usage = detail["extensions"]["ai_usage"]
    assert usage["total"] == {
        "calls": 2,
        "input_tokens": 3000,
        "output_tokens": 150,
        "total_tokens": 3150,
        "cost_usd": 0.01125,
        "cost_complete": True,
    }
    [step] = usage["steps"]
    assert (step["node_id"], step["node_name"], step["provider"], step["calls"]) == ("ask", "Summarise the message", "anthropic", 2)


def test_monitoring_shows_this_months_usage_per_flow_and_against_the_budget(data, organization, ai_run):
    ai_budget_set(amount="0.05")
    # last month's spending is not this month's
    last_month = timezone.now() - dt.timedelta(days=40)
    AiUsage.objects.create(flow_id=ai_run.flow_id, provider="anthropic", calls=9, cost_usd=Decimal("40"), created_at=last_month)
    # the assistant's calls (no run) count for the organization
    AiUsage.objects.create(flow_id=None, node_id="assistant", provider="anthropic", calls=1, input_tokens=500, cost_usd=Decimal("0.01375"))
    client = data.client_for(organization, data.owner_of(organization))
    body = client.get("/monitoring/").content.decode()
    assert 'data-testid="monitoring-ai-usage"' in body
    assert 'data-testid="ai-month-calls">3<' in body
    assert 'data-testid="ai-month-cost">$0.03<' in body  # 0.01125 + 0.01375
    assert 'data-testid="ai-month-budget">50%<' in body
    assert "$0.03 of $0.05 for the organization" in body
    assert f'data-ai-flow="{ai_run.flow_id}"' in body and "Summariser" in body
    assert "Without a flow (assistant)" in body

    one_flow = client.get("/monitoring/", {"flow": ai_run.flow_id}).content.decode()
    assert "AI usage of this flow this month" in one_flow
    assert 'data-testid="ai-month-cost">$0.01<' in one_flow
    assert 'data-testid="ai-month-budget">50%<' in one_flow  # the budget is the organization's

    korean = data.client_for(organization, data.owner_of(organization))
    korean.cookies["django_language"] = "ko"
    assert "이번 달 AI 사용량" in korean.get("/monitoring/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()


def test_usage_never_crosses_organizations(data, organization, ai_run):
    other = data.create_organization(slug="ai-usage-other")
    connection.set_tenant(other)
    graph = {"nodes": [node("start", "trigger.manual", "Start")], "edges": []}
    flow = flow_create(user=None, name="Theirs", graph=graph)
    flow_publish(flow=flow, user=None)
    theirs = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{}]).pk)
    assert theirs.pk == ai_run.pk  # the same run number in each organization's own schema
    client = data.client_for(other, data.owner_of(other))
    assert "run-ai-usage" not in client.get(f"/runs/{theirs.pk}/").content.decode()
    api = data.api_client(other, data.create_token(other, data.owner_of(other)))
    assert api.get(f"/api/v1/runs/{theirs.pk}").json()["extensions"]["ai_usage"]["total"]["calls"] == 0
    monitoring = client.get("/monitoring/").content.decode()
    assert 'data-testid="ai-month-calls">0<' in monitoring and "Summariser" not in monitoring


def test_graphql_has_the_run_usage_and_this_months_usage_for_members_only(data, organization, ai_run):
    ai_budget_set(amount="0.05")
    query = {
        "query": "query($run: Int!) { aiRunUsage(runId: $run) { total { calls totalTokens costUsd } steps { nodeId nodeName model } }"
        " aiUsageThisMonth { calls totalTokens costUsd budgetUsd budgetShare } }",
        "variables": {"run": ai_run.pk},
    }
    member = data.editor_api(organization)
    answer = member.post("/graphql/", query, content_type="application/json").json()
    assert "errors" not in answer, answer
    usage = answer["data"]["aiRunUsage"]
    assert usage["total"] == {"calls": 2, "totalTokens": 3150, "costUsd": 0.01125}
    assert usage["steps"] == [{"nodeId": "ask", "nodeName": "Summarise the message", "model": "claude-sonnet-4-5-20250929"}]
    month = answer["data"]["aiUsageThisMonth"]
    assert (month["calls"], month["costUsd"], month["budgetUsd"]) == (2, 0.01125, 0.05)
    assert abs(month["budgetShare"] - 0.225) < 1e-9

    other = data.create_organization(slug="ai-usage-gql-other")
    theirs = data.editor_api(other).post("/graphql/", query, content_type="application/json").json()["data"]
    assert theirs["aiRunUsage"] is None and theirs["aiUsageThisMonth"]["calls"] == 0
