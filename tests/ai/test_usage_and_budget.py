"""Usage and cost recorded for real runs of an organization, totals per run, flow and organization, and the budget."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.ai import selectors
from apps.ai.models import AiUsage
from apps.ai.services import ai_budget_set
from apps.core.errors import DomainError
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import NodeRun, Run
from apps.runs.services.runs import run_create, run_execute
from tests.ai.support import ANTHROPIC_KEY, AnthropicDouble, edge, message, node, text


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="ai-co")
    connection.set_tenant(organization)
    return organization


def flow_asking(credential_id, name="Ask"):
    graph = {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("ask", "ai.llm", "Ask", provider="anthropic", credential=str(credential_id), prompt="Summarise: {{ json.text }}"),
        ],
        "edges": [edge("start", "ask")],
    }
    flow = flow_create(user=None, name=name, graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def test_a_run_records_tokens_and_cost_and_never_the_key(organization, monkeypatch):
    key = credential_create(user=None, name="Claude", type="anthropic_api_key", data={"api_key": ANTHROPIC_KEY})
    api = AnthropicDouble(
        message(text("Short."), input_tokens=2000, output_tokens=100), message(text("Shorter."), input_tokens=1000, output_tokens=50)
    ).install(monkeypatch)
    flow = flow_asking(key.pk)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"text": "a"}, {"text": "b"}]).pk)
    assert run.status == "success", run.error
    assert len(api.requests) == 2
    usage = AiUsage.objects.get()  # one row for the step's execution, not one per item
    assert (usage.flow_id, usage.run_id, usage.node_id, usage.provider) == (flow.pk, run.pk, "ask", "anthropic")
    assert (usage.calls, usage.input_tokens, usage.output_tokens) == (2, 3000, 150)
    # claude-sonnet-4-5 (dated) at $3 / $15 per million: 3000 * 3 + 150 * 15 = 11250 → $0.01125
    assert usage.cost_usd == Decimal("0.011250")
    assert selectors.usage_for_run(run_id=run.pk) == {
        "steps": 1,
        "calls": 2,
        "input_tokens": 3000,
        "output_tokens": 150,
        "cost_usd": Decimal("0.011250"),
    }
    month = timezone.now() - dt.timedelta(days=31)
    assert selectors.usage_since(since=month, flow_id=flow.pk)["cost_usd"] == Decimal("0.011250")
    assert selectors.usage_by_flow(since=month)[0]["flow_id"] == flow.pk
    stored = json.dumps([list(NodeRun.objects.filter(run=run).values()), list(Run.objects.filter(pk=run.pk).values())], default=str)
    assert ANTHROPIC_KEY not in stored
    ask = NodeRun.objects.get(run=run, node_id="ask")
    assert ask.outputs["main"][0]["ai"]["usage"]["cost_usd"] == 0.0075  # each item's own usage is in the step's output


def test_the_monthly_budget_stops_ai_steps_with_a_clear_message(organization, monkeypatch):
    key = credential_create(user=None, name="Claude", type="anthropic_api_key", data={"api_key": ANTHROPIC_KEY})
    flow = flow_asking(key.pk)
    ai_budget_set(amount="0.01")
    AiUsage.objects.create(flow_id=flow.pk, provider="anthropic", model="claude-sonnet-4-6", calls=1, cost_usd=Decimal("0.004"))
    last_month = timezone.now() - dt.timedelta(days=40)
    AiUsage.objects.create(flow_id=flow.pk, provider="anthropic", calls=1, cost_usd=Decimal("50"), created_at=last_month)
    api = AnthropicDouble(message(text("ok"), input_tokens=2000, output_tokens=100)).install(monkeypatch)
    first = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"text": "a"}]).pk)
    assert first.status == "success"  # $0.004 of $0.01 spent this month (last month's $50 does not count)
    refused = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"text": "b"}]).pk)
    assert refused.status == "failed" and len(api.requests) == 1  # $0.0115 ≥ $0.01: no call made
    failed = NodeRun.objects.get(run=refused, node_id="ask")
    assert failed.error_code == "ai_budget_exceeded"
    assert "monthly AI budget of $0.01 is used up ($0.01 this month)" in failed.error
    ai_budget_set(amount=None)
    api.answers.append(message(text("again")))
    assert run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"text": "c"}]).pk).status == "success"


@pytest.mark.parametrize("amount", ["lots", "-1", "NaN", "99999999999"])
def test_a_bad_budget_is_a_clear_error(organization, amount):
    with pytest.raises(DomainError) as caught:
        ai_budget_set(amount=amount)
    assert caught.value.code == "invalid"
