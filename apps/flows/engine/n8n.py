"""Converting n8n workflow JSON into an `ezflow/1` graph, for the node types EZFlow has equivalents of.

Nodes without an equivalent are never dropped silently: each is listed in `unsupported` and left on the canvas
as a sticky note at its position, so the person sees what to rebuild. Expressions are translated from n8n's
JavaScript flavour where the meaning is clear; anything else is kept and reported for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apps.flows.engine import expressions

PREFIX = "n8n-nodes-base."


@dataclass
class ImportResult:
    graph: dict
    name: str
    unsupported: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


_REPLACEMENTS = [
    (re.compile(r"\$\(\s*(['\"])(.+?)\1\s*\)\.(?:item|first\(\)|last\(\))\.json"), r"nodes['\2'].json"),
    (re.compile(r"\$\(\s*(['\"])(.+?)\1\s*\)\.all\(\)"), r"nodes['\2'].items"),
    (re.compile(r"\$node\[\s*(['\"])(.+?)\1\s*\]\.json"), r"nodes['\2'].json"),
    (re.compile(r"\$input\.(?:item|first\(\))\.json"), "json"),
    (re.compile(r"\$input\.all\(\)"), "nodes_input"),
    (re.compile(r"\$json\b"), "json"),
    (re.compile(r"\$now\b"), "now()"),
    (re.compile(r"\$today\b"), "today()"),
    (re.compile(r"\$execution\.id\b"), "run.id"),
    (re.compile(r"\$workflow\.(name|id)\b"), r"flow.\1"),
    (re.compile(r"\$vars\."), "vars."),
    (re.compile(r"\$itemIndex\b"), "index"),
    (re.compile(r"===?"), "=="),
    (re.compile(r"!==?"), "!="),
    (re.compile(r"&&"), " and "),
    (re.compile(r"\|\|"), " or "),
    (re.compile(r"\.toUpperCase\(\)"), ".upper()"),
    (re.compile(r"\.toLowerCase\(\)"), ".lower()"),
    (re.compile(r"\.trim\(\)"), ".strip()"),
    (re.compile(r"\.length\b"), "|length"),
]
# JavaScript that has no direct translation; expressions containing it are flagged for review.
_JS_ONLY = ("=>", "?", "`", ".includes(", ".map(", ".filter(", ".reduce(", "new Date", "DateTime", "Math.", "JSON.")


def convert_expression(value: Any, warnings: list, node_name: str, path: str) -> Any:
    if isinstance(value, dict):
        return {k: convert_expression(v, warnings, node_name, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [convert_expression(v, warnings, node_name, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or not value.startswith("="):
        return value
    text = value[1:]

    def translate(match: re.Match) -> str:
        inner = match.group(1)
        for pattern, replacement in _REPLACEMENTS:
            inner = pattern.sub(replacement, inner)
        return "{{ " + inner.strip() + " }}"

    converted = re.sub(r"\{\{(.*?)\}\}", translate, text, flags=re.DOTALL)
    if expressions.check_syntax(converted) or "$" in converted or any(token in text for token in _JS_ONLY):
        warnings.append(
            {
                "node": node_name,
                "path": path,
                "code": "expression_review",
                "message": f"Check this expression; it was written for n8n: {value[:200]}",
            }
        )
    return converted


def _pairs(container: Any) -> dict:
    items = (container or {}).get("parameters", []) if isinstance(container, dict) else []
    return {str(p.get("name", "")): p.get("value", "") for p in items if isinstance(p, dict) and p.get("name")}


_OPERATORS = {
    "equals": "equals",
    "notEquals": "not_equals",
    "notEqual": "not_equals",
    "contains": "contains",
    "notContains": "not_contains",
    "startsWith": "starts_with",
    "endsWith": "ends_with",
    "gt": "gt",
    "larger": "gt",
    "gte": "gte",
    "largerEqual": "gte",
    "lt": "lt",
    "smaller": "lt",
    "lte": "lte",
    "smallerEqual": "lte",
    "empty": "is_empty",
    "isEmpty": "is_empty",
    "notEmpty": "is_not_empty",
    "isNotEmpty": "is_not_empty",
    "exists": "is_not_empty",
    "notExists": "is_empty",
    "true": "is_true",
    "false": "is_false",
}


def _conditions(parameters: dict, warnings: list, name: str) -> tuple[list[dict], str]:
    conditions = parameters.get("conditions") or {}
    result: list[dict] = []
    combine = "and"
    if isinstance(conditions, dict) and "conditions" in conditions:  # IF v2 / filter v2
        combine = conditions.get("combinator", "and")
        for condition in conditions.get("conditions") or []:
            operation = (condition.get("operator") or {}).get("operation", "equals")
            result.append(
                {"left": condition.get("leftValue"), "operator": _OPERATORS.get(operation, "equals"), "right": condition.get("rightValue")}
            )
            if operation not in _OPERATORS:
                warnings.append({"node": name, "code": "operator_review", "message": f"The comparison “{operation}” became “is equal to”."})
    elif isinstance(conditions, dict):  # IF v1: {"string": [...], "number": [...], "boolean": [...]}
        combine = parameters.get("combineOperation", "all") == "any" and "or" or "and"
        for group in ("string", "number", "boolean", "dateTime"):
            for condition in conditions.get(group) or []:
                operation = condition.get("operation", "equal")
                mapped = {"equal": "equals", "notEqual": "not_equals", "isEmpty": "is_empty"}.get(
                    operation, _OPERATORS.get(operation, "equals")
                )
                result.append({"left": condition.get("value1"), "operator": mapped, "right": condition.get("value2")})
    return convert_expression(result, warnings, name, "conditions"), combine


# Switch v1/v2 (and early v3): one `value1` and `dataType` for the node, each rule an `operation` and `value2`.
_LEGACY_OPERATIONS = {
    "equal": "equals",
    "notEqual": "not_equals",
    "smaller": "lt",
    "smallerEqual": "lte",
    "larger": "gt",
    "largerEqual": "gte",
    "contains": "contains",
    "notContains": "not_contains",
    "startsWith": "starts_with",
    "endsWith": "ends_with",
    "after": "gt",
    "before": "lt",
}
_LEGACY_DEFAULT_OPERATION = {"number": "smaller", "string": "equal", "boolean": "equal", "dateTime": "after"}
_LEGACY_DEFAULT_VALUE = {"number": 0, "string": "", "boolean": False, "dateTime": ""}


def _legacy_switch_rule(p: dict, rule: dict, warnings: list, name: str) -> dict:
    data_type = p.get("dataType", "number")
    operation = rule.get("operation", _LEGACY_DEFAULT_OPERATION.get(data_type, "equal"))
    left = p.get("value1", _LEGACY_DEFAULT_VALUE.get(data_type, ""))
    right = rule.get("value2", _LEGACY_DEFAULT_VALUE.get(data_type, ""))
    operator = _LEGACY_OPERATIONS.get(operation)
    if data_type == "boolean" and operator in ("equals", "not_equals") and isinstance(right, bool):
        operator, right = ("is_true" if right == (operator == "equals") else "is_false"), None
    if operator is None:
        operator = "equals"
        warnings.append({"node": name, "code": "operator_review", "message": f"The comparison “{operation}” became “is equal to”."})
    elif data_type == "dateTime":
        warnings.append(
            {
                "node": name,
                "code": "operator_review",
                "message": f"The date comparison “{operation}” became “{operator}”: it compares the values as they are, "
                "so check that both are dates in the same format.",
            }
        )
    condition = {"left": left, "operator": operator, "right": right}
    return {"conditions": [condition], "combine": "and", "output": str(rule.get("outputKey", ""))}


def _switch(node: dict, warnings: list) -> dict:
    p = node.get("parameters") or {}
    name = node.get("name", "")
    container = p.get("rules") or {}
    rules = []
    if p.get("mode") == "expression":
        warnings.append(
            {
                "node": name,
                "code": "mode_review",
                "message": "The switch chose its output with an expression; EZFlow's switch uses rules. Add a rule for each output.",
            }
        )
    elif "values" in container:  # v3: each rule holds filter-style conditions
        for rule in container.get("values") or []:
            conditions, combine = _conditions({"conditions": rule.get("conditions") or {}}, warnings, name)
            output = rule.get("outputKey", "") if rule.get("renameOutput", True) else ""
            rules.append({"conditions": conditions, "combine": combine, "output": output})
    else:
        for rule in container.get("rules") or []:
            if isinstance(rule, dict):
                rules.append(_legacy_switch_rule(p, rule, warnings, name))
        rules = convert_expression(rules, warnings, name, "rules")
    return {"rules": rules, "all_matches": bool((p.get("options") or {}).get("allMatchingOutputs", False))}


def _schedule(parameters: dict) -> dict:
    if parameters.get("cronExpression"):
        return {"preset": "custom", "cron": parameters["cronExpression"]}
    for rule in (parameters.get("rule") or {}).get("interval") or []:
        kind = rule.get("field", "days")
        hour, minute = int(rule.get("triggerAtHour", 0) or 0), int(rule.get("triggerAtMinute", 0) or 0)
        if kind == "cronExpression":
            return {"preset": "custom", "cron": rule.get("expression", "")}
        if kind == "minutes":
            return {"preset": "custom", "cron": f"*/{int(rule.get('minutesInterval', 5))} * * * *"}
        if kind == "hours":
            return {"preset": "custom", "cron": f"{minute} */{int(rule.get('hoursInterval', 1))} * * *"}
        if kind == "days":
            return {"preset": "custom", "cron": f"{minute} {hour} */{int(rule.get('daysInterval', 1))} * *".replace("*/1 ", "* ")}
        if kind == "weeks":
            days = ",".join(str(d) for d in rule.get("triggerAtDay") or [1])
            return {"preset": "custom", "cron": f"{minute} {hour} * * {days}"}
        if kind == "months":
            return {"preset": "custom", "cron": f"{minute} {hour} {int(rule.get('triggerAtDayOfMonth', 1))} * *"}
    return {"preset": "daily_9"}


def _convert_node(node: dict, warnings: list) -> tuple[str, dict] | None:
    kind = str(node.get("type", "")).removeprefix(PREFIX)
    p = node.get("parameters") or {}
    name = node.get("name", "")

    def conv(value, path="parameters"):
        return convert_expression(value, warnings, name, path)

    if kind == "manualTrigger":
        return "trigger.manual", {}
    if kind == "errorTrigger":
        return "trigger.error", {}
    if kind in ("scheduleTrigger", "cron"):
        return "trigger.schedule", _schedule(p)
    if kind == "webhook":
        if p.get("authentication", "none") != "none":
            warnings.append(
                {
                    "node": name,
                    "code": "secret_not_imported",
                    "message": "The webhook's authentication secret was not imported; set it again.",
                }
            )
        mode = "wait" if p.get("responseMode") in ("lastNode", "responseNode") else "immediately"
        return "trigger.webhook", {"methods": [str(p.get("httpMethod", "GET")).upper()], "response_mode": mode}
    if kind == "httpRequest":
        if p.get("authentication", "none") not in ("none", None):
            warnings.append(
                {"node": name, "code": "credential_not_imported", "message": "Credentials are never imported; choose one in the node."}
            )
        content = {"json": "json", "form-urlencoded": "form", "multipart-form-data": "multipart", "raw": "raw"}.get(
            p.get("contentType", "json"), "json"
        )
        body: Any = None
        if p.get("sendBody"):
            if content == "json" and p.get("specifyBody") == "json":
                body = conv(p.get("jsonBody", ""))
            else:
                body = conv(_pairs(p.get("bodyParameters")))
        return "net.http", {
            "method": str(p.get("method", "GET")).upper(),
            "url": conv(p.get("url", "")),
            "query": conv(_pairs(p.get("queryParameters"))) if p.get("sendQuery") else {},
            "headers": conv(_pairs(p.get("headerParameters"))) if p.get("sendHeaders") else {},
            "body_type": content if p.get("sendBody") else "none",
            "body": body,
        }
    if kind == "set":
        fields = []
        assignments = (p.get("assignments") or {}).get("assignments")
        if assignments is not None:
            fields = [{"name": a.get("name", ""), "value": conv(a.get("value"))} for a in assignments]
            keep = p.get("includeOtherFields", True) if "includeOtherFields" in p else True
        else:
            for group in ("string", "number", "boolean"):
                fields += [{"name": v.get("name", ""), "value": conv(v.get("value"))} for v in (p.get("values") or {}).get(group) or []]
            keep = not p.get("keepOnlySet", False)
        return "data.set", {"fields": fields, "keep_other_fields": bool(keep)}
    if kind in ("if", "filter"):
        conditions, combine = _conditions(p, warnings, name)
        return ("flow.if" if kind == "if" else "data.filter"), {"conditions": conditions, "combine": combine}
    if kind == "switch":
        return "flow.switch", _switch(node, warnings)
    if kind == "merge":
        mode = p.get("mode", "append")
        if mode in ("combine", "mergeByKey") and p.get("combineBy", "combineByFields") == "combineByFields":
            pairs = (p.get("fieldsToMatchString") or "").split(",") if p.get("fieldsToMatchString") else []
            first = ((p.get("fields") or {}).get("values") or [{}])[0]
            key_a = first.get("field1") or (pairs[0].strip() if pairs else "id")
            key_b = first.get("field2") or key_a
            join = "left_join" if p.get("joinMode") in ("keepEverything", "enrichInput1") else "join"
            return "flow.merge", {"mode": join, "key_a": key_a, "key_b": key_b}
        if mode in ("combine", "mergeByIndex") and p.get("combineBy") == "combineByPosition" or mode == "mergeByIndex":
            return "flow.merge", {"mode": "by_position"}
        if mode != "append":  # chooseBranch, multiplex, passThrough, combineAll, combineBySql, wait, keepKeyMatches...
            what = f"{mode} / {p['combineBy']}" if mode == "combine" and p.get("combineBy") else str(mode)
            warnings.append(
                {
                    "node": name,
                    "code": "mode_review",
                    "message": f"The merge mode “{what}” has no EZFlow equivalent; it became “append” (one after the other). "
                    "Check what this step outputs.",
                }
            )
        return "flow.merge", {"mode": "append"}
    if kind == "wait":
        if p.get("resume", "timeInterval") == "specificTime":
            return "flow.wait", {"mode": "until", "until": conv(p.get("dateTime", ""))}
        unit = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}.get(p.get("unit", "seconds"), 1)
        amount = p.get("amount", 1)
        return "flow.wait", {"mode": "duration", "seconds": amount * unit if isinstance(amount, (int, float)) else conv(amount)}
    if kind == "code":
        if p.get("language") in ("python", "pythonNative"):
            warnings.append(
                {"node": name, "code": "code_review", "message": "Python code was imported as is: use `items` and set `result`."}
            )
            return "code.python", {"code": p.get("pythonCode", ""), "mode": "each" if p.get("mode") == "runOnceForEachItem" else "all"}
        return None  # JavaScript cannot run in EZFlow's Python code node
    if kind == "respondToWebhook":
        status = int((p.get("options") or {}).get("responseCode", 200))
        if p.get("respondWith") in ("json", "text"):
            body = conv(p.get("responseBody", "")) if p.get("respondWith") == "json" else conv(p.get("responseBody", ""))
        else:
            body = "{{ json }}"
        return "flow.respond", {"status": status, "body": body}
    if kind == "noOp":
        return "flow.noop", {}
    if kind == "stickyNote":
        return "note.sticky", {"text": p.get("content", "")}
    if kind == "splitInBatches":
        return "flow.loop", {"batch_size": int(p.get("batchSize", 1) or 1)}
    return None


def _settings(node: dict) -> dict:
    settings: dict[str, Any] = {}
    if node.get("disabled"):
        settings["disabled"] = True
    if node.get("retryOnFail"):
        settings["retry_attempts"] = max(1, min(int(node.get("maxTries", 3)), 10))
        settings["retry_backoff_seconds"] = min(float(node.get("waitBetweenTries", 1000)) / 1000, 3600)
    on_error = node.get("onError") or ("continueRegularOutput" if node.get("continueOnFail") else None)
    if on_error:
        settings["on_error"] = {"continueRegularOutput": "continue", "continueErrorOutput": "error_output"}.get(on_error, "stop")
    if node.get("executeOnce"):
        settings["execute_once"] = True
    if node.get("notes"):
        settings["notes"] = str(node["notes"])[:2000]
    return settings


def _switch_ports(node: dict, rules: list[dict]) -> dict[int, list[str]]:
    """Which of our switch's ports each n8n output index stands for.

    Our switch sends rule N to port "N" and unmatched items to "fallback". n8n's v1 has four fixed outputs
    and a per-rule `output` index; v2 has one output per rule; v3 adds the fallback as an extra output
    after the rules (`options.fallbackOutput` "extra", or "last" in early 3.0). A numeric fallback sends
    unmatched items to that rule's output, so that output also stands for our "fallback" port.
    """
    p = node.get("parameters") or {}
    ports: dict[int, list[str]] = {}
    if str(node.get("typeVersion", 1)).split(".")[0] == "1" and "values" not in (p.get("rules") or {}):
        for number, rule in enumerate((p.get("rules") or {}).get("rules") or []):
            ports.setdefault(_int(rule.get("output", 0), 0), []).append(str(number))
    else:
        for number in range(len(rules)):
            ports[number] = [str(number)]
    fallback = (p.get("options") or {}).get("fallbackOutput", p.get("fallbackOutput", "none"))
    if fallback in ("extra", "last"):
        ports[len(rules)] = ["fallback"]
    elif _int(fallback, -1) >= 0:
        ports.setdefault(_int(fallback, -1), []).append("fallback")
    return ports


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _output_ports(our_type: str, index: int, switch_ports: dict[int, list[str]] | None) -> list[str]:
    if our_type == "flow.switch":
        return (switch_ports or {}).get(index, [])
    return [_output_port(our_type, index)]


def _output_port(our_type: str, index: int) -> str:
    if our_type == "flow.if":
        return ("true", "false")[index] if index < 2 else "false"
    if our_type == "data.filter":
        return ("main", "discarded")[min(index, 1)]
    if our_type == "flow.loop":
        return ("done", "loop")[min(index, 1)]  # n8n: 0 = done, 1 = loop
    return "main"


def import_n8n(data: dict) -> ImportResult:
    warnings: list[dict] = []
    unsupported: list[dict] = []
    nodes, ids = [], {}
    used_ids: set[str] = set()
    for index, raw in enumerate(data.get("nodes") or []):
        if not isinstance(raw, dict):
            continue
        name = str(raw.get("name") or f"Node {index + 1}")
        converted = _convert_node(raw, warnings)
        base_id = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"node-{index + 1}"
        node_id = base_id
        while node_id in used_ids:
            node_id = f"{base_id}-{len(used_ids)}"
        used_ids.add(node_id)
        position = raw.get("position") or [0, 0]
        if converted is None:
            unsupported.append({"name": name, "type": raw.get("type", "")})
            nodes.append(
                {
                    "id": node_id,
                    "type": "note.sticky",
                    "name": name,
                    "type_version": 1,
                    "position": position,
                    "parameters": {"text": f"Not imported: “{name}” ({raw.get('type', '')}) has no EZFlow equivalent yet."},
                    "settings": {},
                }
            )
            continue
        our_type, parameters = converted
        ids[name] = (node_id, our_type, _switch_ports(raw, parameters["rules"]) if our_type == "flow.switch" else None)
        nodes.append(
            {
                "id": node_id,
                "type": our_type,
                "name": name,
                "type_version": 1,
                "position": position,
                "parameters": parameters,
                "settings": _settings(raw),
            }
        )
    edges = []
    for source_name, outputs in (data.get("connections") or {}).items():
        for output_index, targets in enumerate((outputs or {}).get("main") or []):
            for target in targets or []:
                target_name = target.get("node")
                if source_name not in ids or target_name not in ids:
                    warnings.append(
                        {
                            "node": source_name,
                            "code": "edge_dropped",
                            "message": f"The connection from “{source_name}” to “{target_name}” touches a node that was not imported.",
                        }
                    )
                    continue
                source_id, source_type, switch_ports = ids[source_name]
                target_id, target_type, _ = ids[target_name]
                target_port = ("a", "b")[min(int(target.get("index", 0)), 1)] if target_type == "flow.merge" else "main"
                source_ports = _output_ports(source_type, output_index, switch_ports)
                if not source_ports:
                    warnings.append(
                        {
                            "node": source_name,
                            "code": "edge_dropped",
                            "message": f"The connection from output {output_index} of “{source_name}” to “{target_name}” "
                            "was left out: no rule sends items to that output.",
                        }
                    )
                for source_port in source_ports:
                    edges.append({"source": source_id, "source_port": source_port, "target": target_id, "target_port": target_port})
    return ImportResult(
        graph={"format": "ezflow/1", "nodes": nodes, "edges": edges},
        name=str(data.get("name") or "Imported flow"),
        unsupported=unsupported,
        warnings=warnings,
    )


def looks_like_n8n(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("nodes"), list) and isinstance(data.get("connections"), dict)
