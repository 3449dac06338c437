"""An AI agent: a model that may call tools the person attaches (published flows of the organization and a few
built-in tools) until it answers, within a step limit. Every tool call is recorded in the step's output."""

from __future__ import annotations

import json

from apps.ai import calls, n8n, tools
from apps.ai.nodes.builtin.common import add_usage, connection_params, temperature, tuning_params
from apps.ai.pricing import Tally
from apps.ai.providers.base import AssistantTurn, ChatRequest, ToolResult, ToolResults, UserTurn
from apps.ai.usage import budget_check, usage_record
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register


@register
class Agent(NodeType):
    key = "ai.agent"
    n8n = (N8nMapping((n8n.LANGCHAIN + "agent",), n8n.agent, absorbs=n8n.ABSORBED),)
    category = "action"
    icon = "robot"
    label = t("AI agent", "AI 에이전트")
    description = t(
        "A language model that may use tools you attach (other flows, calculator, current time, reading web pages) until it can answer.",
        "연결한 도구(다른 플로우, 계산기, 현재 시각, 웹 페이지 읽기)를 쓰면서 답을 찾는 언어 모델입니다.",
    )
    side_effects = True  # tools may run flows that change the world
    params = (
        *connection_params(),
        Param("tool_calculator", "boolean", t("Tool: calculator", "도구: 계산기"), default=True, expressions=False),
        Param("tool_current_time", "boolean", t("Tool: current date and time", "도구: 현재 날짜와 시각"), default=True, expressions=False),
        Param(
            "tool_http_get",
            "boolean",
            t("Tool: read a web address (GET)", "도구: 웹 주소 읽기(GET)"),
            default=False,
            expressions=False,
            help=t("Internal addresses stay blocked unless an admin allowed them.", "관리자가 허용하지 않은 내부 주소는 막힙니다."),
        ),
        Param(
            "flow_tools",
            "list",
            t("Flows as tools", "도구로 쓸 플로우"),
            default=[],
            expressions=False,
            help=t(
                "Published flows of this organization the agent may run. Describe when to use each and its inputs, one per "
                "line as “name (text|number|integer|boolean): description”; the flow starts with one item of those fields.",
                "에이전트가 실행할 수 있는 이 조직의 게시된 플로우입니다. 언제 쓰는지와 입력을 한 줄에 하나씩 "
                "“이름 (text|number|integer|boolean): 설명” 형식으로 적으세요. 플로우는 그 필드를 가진 항목 하나로 시작합니다.",
            ),
            item_fields=(
                Param("flow", "string", t("Flow", "플로우"), expressions=False),
                Param("name", "string", t("Tool name", "도구 이름"), default="", expressions=False),
                Param("description", "text", t("What it does, when to use it", "하는 일과 쓸 때"), default="", expressions=False),
                Param("inputs", "text", t("Inputs", "입력"), default="", expressions=False),
            ),
        ),
        Param("max_steps", "integer", t("At most model turns", "최대 모델 호출 횟수"), default=8, minimum=1, maximum=50, expressions=False),
        *tuning_params(),
    )

    def execute(self, ctx):
        raw = {**{p.name: p.default for p in self.params}, **ctx.node.parameters}  # options, never expressions
        provider = calls.provider_for(raw.get("provider", "anthropic"))
        model = calls.model_for(provider, raw.get("model"))
        available = tools.tools_for(raw)
        budget_check(ctx)
        tally = Tally(provider=provider.key)
        out = []
        try:
            for _index, item, params in ctx.each():
                credential = ctx.credential(params["credential"], provider.credential_kind)
                out.append(self._one(ctx, provider, credential, model, available, item, params, tally))
        finally:
            usage_record(ctx, tally)
        return {"main": out}

    def _one(self, ctx, provider, credential, model, available, item, params, tally) -> dict:
        request = ChatRequest(
            model=model,
            system=str(params.get("system") or ""),
            turns=[UserTurn(str(params.get("prompt") or ""))],
            max_tokens=int(params["max_tokens"]),
            temperature=temperature(params.get("temperature")) if provider.takes_temperature else None,
            tools=tuple(tool.spec for tool in available.values()),
        )
        limit = int(params["max_steps"])
        recorded, usage = [], None
        for turn in range(1, limit + 1):
            reply, call_usage = calls.chat(ctx, provider, credential, request, tally)
            usage = add_usage(usage, call_usage)
            if not reply.tool_calls:
                result = copy_item(item)
                if params.get("answer_only"):  # as n8n's agent gives it: {output: "..."}
                    result[params["result_field"] or "ai"] = reply.text
                    return result
                result[params["result_field"] or "ai"] = {
                    "text": reply.text,
                    "tool_calls": recorded,
                    "turns": turn,
                    "provider": provider.key,
                    "model": reply.model or model,
                    "stop_reason": reply.stop_reason,
                    "usage": usage,
                }
                return result
            request.turns.append(AssistantTurn(reply.text, reply.tool_calls))
            results = []
            for call in reply.tool_calls:
                ctx.check_deadline()
                entry = {"turn": turn, "tool": call.name, "input": call.arguments}
                tool = available.get(call.name)
                try:
                    if tool is None:
                        raise tools.ToolFailed(f"there is no tool named {call.name!r}")
                    value = tool.run(ctx, call.arguments)
                    entry["output"] = value
                    results.append(ToolResult(call.id, tools.result_text(value)))
                except tools.ToolFailed as failed:
                    entry["error"] = str(failed)
                    results.append(ToolResult(call.id, str(failed), is_error=True))
                recorded.append(entry)
            request.turns.append(ToolResults(tuple(results)))
        raise NodeError(
            gettext_noop(
                "The agent did not finish within %(limit)s model turns (%(calls)s tool calls). Raise the limit or make the task simpler."
            ),
            code="ai_step_limit",
            values={"limit": str(limit), "calls": str(len(recorded))},
            detail=json.dumps(recorded, ensure_ascii=False, default=str)[:10_000],
        )
