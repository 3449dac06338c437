"""Branching, merging, looping, waiting and the nodes that end or answer a run."""

from __future__ import annotations

import datetime as dt
import json

from apps.flows.engine.errors import NodeError, StopFlow, Suspend, gettext_noop
from apps.flows.nodes.base import DynamicOutputs, NodeType, Param, t
from apps.flows.nodes.builtin.common import COMBINE_PARAM, conditions_match, conditions_param, copy_item, get_path
from apps.flows.nodes.builtin.from_n8n import data as from_n8n_data
from apps.flows.nodes.builtin.from_n8n import export as to_n8n
from apps.flows.nodes.builtin.from_n8n import flow_control as from_n8n
from apps.flows.nodes.n8n import UNMAPPED, N8nMapping
from apps.flows.nodes.registry import register

INLINE_WAIT_SECONDS = 5.0  # shorter waits sleep in place; longer ones park the run and free the worker


@register
class If(NodeType):
    key = "flow.if"
    n8n = (N8nMapping(("n8n-nodes-base.if",), from_n8n.if_node, outputs=("true", "false"), export=to_n8n.if_node),)
    category = "flow"
    icon = "branch"
    label = t("If", "조건 분기")
    description = t(
        "Sends each item to “true” or “false” depending on the conditions.", "조건에 따라 각 항목을 “참” 또는 “거짓”으로 보냅니다."
    )
    params = (conditions_param(), COMBINE_PARAM)
    outputs = ("true", "false")

    def execute(self, ctx):
        yes, no = [], []
        for _index, item, params in ctx.each():
            (yes if conditions_match(params["conditions"], params["combine"]) else no).append(item)
        return {"true": yes, "false": no}


@register
class Switch(NodeType):
    key = "flow.switch"
    n8n = (N8nMapping(("n8n-nodes-base.switch",), from_n8n.switch, output_ports=from_n8n.switch_ports, export=to_n8n.switch),)
    category = "flow"
    icon = "switch"
    label = t("Switch", "여러 갈래 분기")
    description = t(
        "Sends each item to the first rule it matches; others go to “fallback”.",
        "각 항목을 처음 맞는 규칙의 출력으로 보내고, 맞는 규칙이 없으면 “기타”로 보냅니다.",
    )
    params = (
        Param(
            "rules",
            "list",
            t("Rules", "규칙"),
            default=[],
            item_fields=(conditions_param(), COMBINE_PARAM, Param("output", "string", t("Output name", "출력 이름"), expressions=False)),
        ),
        Param("all_matches", "boolean", t("Send to every matching rule", "맞는 규칙 모두로 보내기"), default=False, expressions=False),
    )
    dynamic_outputs = DynamicOutputs("rules", ("fallback",))

    def execute(self, ctx):
        ports = self.output_ports(ctx.node.parameters)
        out: dict[str, list] = {port: [] for port in ports}
        for _index, item, params in ctx.each():
            matched = False
            for number, rule in enumerate(params["rules"] or []):
                if conditions_match(rule.get("conditions") or [], rule.get("combine", "and")):
                    out[str(number)].append(item)
                    matched = True
                    if not params["all_matches"]:
                        break
            if not matched:
                out["fallback"].append(item)
        return out


@register
class Merge(NodeType):
    key = "flow.merge"
    n8n = (N8nMapping(("n8n-nodes-base.merge",), from_n8n.merge, inputs=("a", "b"), export=to_n8n.merge),)
    category = "flow"
    icon = "merge"
    label = t("Merge", "합치기")
    description = t("Waits for both inputs and combines their items.", "두 입력을 모두 기다려 항목을 합칩니다.")
    inputs = ("a", "b")
    per_item = False
    waits_for_all_inputs = True
    params = (
        Param(
            "mode",
            "select",
            t("How", "방식"),
            default="append",
            expressions=False,
            options=(
                ("append", t("one after the other", "이어 붙이기")),
                ("join", t("join items with the same key", "같은 키로 연결")),
                ("left_join", t("keep all of A, add matching B", "A 전체 유지, 맞는 B 추가")),
                ("by_position", t("pair items by position", "순서대로 짝짓기")),
            ),
        ),
        Param("key_a", "string", t("Key field in A", "A의 키 필드"), default="id", expressions=False),
        Param("key_b", "string", t("Key field in B", "B의 키 필드"), default="id", expressions=False),
    )

    def execute(self, ctx):
        params = ctx.params()
        a, b = ctx.inputs.get("a", []), ctx.inputs.get("b", [])
        mode = params["mode"]
        if mode == "append":
            return {"main": [*a, *b]}
        if mode == "by_position":
            return {"main": [{**x, **y} for x, y in zip(a, b, strict=False)]}
        index: dict[str, list[dict]] = {}
        for item in b:
            index.setdefault(json.dumps(get_path(item, params["key_b"]), default=str), []).append(item)
        out = []
        for item in a:
            matches = index.get(json.dumps(get_path(item, params["key_a"]), default=str), [])
            if matches:
                out.extend({**copy_item(item), **match} for match in matches)
            elif mode == "left_join":
                out.append(item)
        return {"main": out}


@register
class LoopOverItems(NodeType):
    key = "flow.loop"
    n8n = (
        N8nMapping(
            ("n8n-nodes-base.splitInBatches",),
            from_n8n.loop,
            output_ports=from_n8n.loop_ports,
            export=to_n8n.loop,
            export_outputs=("done", "loop"),
        ),
    )
    category = "flow"
    icon = "repeat"
    label = t("Loop over items", "항목 반복")
    description = t(
        "Sends items in batches through “loop”; connect the end of the loop back here. When all are done, “done” gets what came back.",
        "항목을 묶음으로 “반복” 출력에 보냅니다. 반복의 끝을 다시 이 노드에 연결하세요. 모두 끝나면 돌아온 항목이 “완료”로 나갑니다.",
    )
    outputs = ("loop", "done")
    is_loop = True
    per_item = False
    params = (Param("batch_size", "integer", t("Batch size", "묶음 크기"), default=1, minimum=1, maximum=10_000, expressions=False),)

    def execute(self, ctx):  # the executor drives loops itself
        raise NodeError(gettext_noop("A loop step is run by the engine."), code="internal")


@register
class Wait(NodeType):
    key = "flow.wait"
    n8n = (N8nMapping(("n8n-nodes-base.wait",), from_n8n.wait, export=to_n8n.wait),)
    category = "flow"
    blocking = True
    icon = "hourglass"
    label = t("Wait", "대기")
    description = t(
        "Pauses the run for a while or until a time. Long waits don't occupy a worker.",
        "일정 시간 또는 특정 시각까지 실행을 멈춥니다. 오래 기다려도 작업자를 붙잡지 않습니다.",
    )
    per_item = False
    params = (
        Param(
            "mode",
            "select",
            t("Wait", "대기 방식"),
            default="duration",
            expressions=False,
            options=(("duration", t("for an amount of time", "일정 시간 동안")), ("until", t("until a date and time", "특정 시각까지"))),
        ),
        Param("seconds", "number", t("Seconds", "초"), default=60, minimum=0, maximum=60 * 60 * 24 * 366),
        Param("until", "string", t("Until", "까지"), default=""),
    )

    def execute(self, ctx):
        if ctx.resumed:
            return {"main": ctx.items}
        params = ctx.params()
        now = ctx.host.now()
        if params["mode"] == "until":
            try:
                until = dt.datetime.fromisoformat(str(params["until"]).replace("Z", "+00:00"))
            except ValueError:
                raise NodeError(
                    gettext_noop("“%(value)s” is not a date and time like 2026-01-31T09:00."),
                    code="bad_date",
                    values={"value": str(params["until"])},
                ) from None
            if until.tzinfo is None:
                until = until.replace(tzinfo=now.tzinfo)
            seconds = (until - now).total_seconds()
        else:
            seconds = float(params["seconds"] or 0)
        if seconds <= 0:
            return {"main": ctx.items}
        if seconds <= INLINE_WAIT_SECONDS:
            ctx.executor.sleep(seconds)
            return {"main": ctx.items}
        raise Suspend(now + dt.timedelta(seconds=seconds))


@register
class StopWithError(NodeType):
    key = "flow.stop_error"
    n8n = (N8nMapping(("n8n-nodes-base.stopAndError",), from_n8n.stop_and_error, export=to_n8n.stop_error),)
    description = t("Stops the run as failed, with a message you write.", "직접 쓴 메시지와 함께 실행을 실패로 멈춥니다.")
    category = "flow"
    icon = "stop"
    label = t("Stop with error", "오류로 중단")
    outputs = ()
    params = (Param("message", "string", t("Error message", "오류 메시지"), required=True, default="Stopped by the flow"),)

    def execute(self, ctx):
        raise StopFlow(str(ctx.params()["message"]))


@register
class NoOp(NodeType):
    key = "flow.noop"
    n8n = (
        N8nMapping(("n8n-nodes-base.noOp",), from_n8n.noop, export=to_n8n.noop),
        N8nMapping(("n8n-nodes-base.executionData",), from_n8n.execution_data),
        N8nMapping(("n8n-nodes-base.set",), from_n8n_data.empty_set, when=from_n8n_data.is_empty_set),
    )
    description = t(
        "Passes items on unchanged; useful as a placeholder while you build.",
        "항목을 그대로 넘깁니다. 만드는 중에 자리를 표시할 때 씁니다.",
    )
    category = "flow"
    icon = "circle"
    label = t("Do nothing", "아무것도 안 함")
    per_item = False

    def execute(self, ctx):
        return {"main": ctx.items}


@register
class RespondToWebhook(NodeType):
    key = "flow.respond"
    n8n = (N8nMapping(("n8n-nodes-base.respondToWebhook",), from_n8n.respond, export=to_n8n.respond),)
    category = "flow"
    icon = "reply"
    label = t("Respond to webhook", "웹훅에 응답")
    description = t("Sets the answer that a webhook waiting for the flow sends back.", "결과를 기다리는 웹훅이 돌려줄 응답을 정합니다.")
    per_item = False
    params = (
        Param("status", "integer", t("Status code", "상태 코드"), default=200, minimum=100, maximum=599),
        Param("body", "json", t("Body", "본문"), default="{{ json }}"),
        Param("headers", "keyvalue", t("Headers", "헤더"), default={}),
    )

    def execute(self, ctx):
        params = ctx.params()
        headers = params["headers"] or {}
        if not isinstance(headers, dict):
            raise NodeError(gettext_noop("Headers must be name–value pairs."), code="bad_headers")
        ctx.respond(status=int(params["status"]), body=params["body"], headers={str(k): str(v) for k, v in headers.items()})
        return {"main": ctx.items}


@register
class CallFlow(NodeType):
    side_effects = True
    key = "flow.call"
    n8n = (N8nMapping(("n8n-nodes-base.executeWorkflow",), from_n8n.execute_workflow),)
    category = "flow"
    icon = "subflow"
    label = t("Run another flow", "다른 플로우 실행")
    description = t(
        "Runs another flow of your organization with these items and continues with its result.",
        "이 항목으로 조직의 다른 플로우를 실행하고 그 결과로 계속합니다.",
    )
    per_item = False
    params = (Param("flow", "string", t("Flow", "플로우"), required=True, expressions=False),)

    def execute(self, ctx):
        ctx.check_deadline()
        return {"main": ctx.host.call_flow(ctx.params()["flow"], ctx.items, ctx.executor.depth + 1)}


@register
class Placeholder(NodeType):
    """Stands where an imported node had no EZFlow equivalent, so its connections stay drawn and nothing is lost."""

    key = "flow.placeholder"
    outputs = ("main", "output_2", "output_3", "output_4")
    n8n = (N8nMapping((UNMAPPED,), from_n8n.placeholder, outputs=outputs, export=to_n8n.placeholder),)
    description = t(
        "Stands for a step from another tool that EZFlow cannot run yet; replace it before running the flow.",
        "EZFlow가 아직 실행할 수 없는 다른 도구의 단계를 대신합니다. 플로우를 실행하기 전에 바꾸세요.",
    )
    category = "flow"
    icon = "circle"
    label = t("Placeholder (not available yet)", "자리 표시 (아직 지원 안 함)")
    per_item = False
    params = (
        Param("original_type", "string", t("Original step type", "원래 단계 유형"), default="", expressions=False),
        Param("original_parameters", "json", t("Original settings", "원래 설정"), default={}, expressions=False),
    )

    def execute(self, ctx):
        raise NodeError(
            gettext_noop("“%(type)s” is not available in EZFlow yet: replace this placeholder with a step that does the same."),
            code="placeholder",
            values={"type": str(ctx.node.parameters.get("original_type", ""))},  # its n8n settings are not evaluated
        )


@register
class StickyNote(NodeType):
    key = "note.sticky"
    n8n = (N8nMapping(("n8n-nodes-base.stickyNote",), from_n8n.sticky_note, export=to_n8n.sticky_note),)
    description = t(
        "A note on the canvas for people reading the flow; it does not run.",
        "플로우를 보는 사람을 위한 캔버스 메모입니다. 실행되지 않습니다.",
    )
    category = "note"
    icon = "note"
    label = t("Sticky note", "메모")
    inputs = ()
    outputs = ()
    params = (Param("text", "text", t("Text", "내용"), default="", expressions=False),)

    def execute(self, ctx):
        return {}
