"""Our built-in steps written as n8n nodes (the reverse of the converters beside this file), for export to n8n."""

from __future__ import annotations

import uuid
from typing import Any

from apps.flows.nodes.n8n import OPERATORS, PREFIX

PRESET_CRON = {
    "every_minute": "* * * * *",
    "hourly": "0 * * * *",
    "daily_9": "0 9 * * *",
    "weekdays_9": "0 9 * * 1-5",
    "weekly_monday_9": "0 9 * * 1",
    "monthly_1st_9": "0 9 1 * *",
}
# our operator -> n8n's filter operation (the first n8n name that imports to it)
BACK_OPERATORS = {ours: theirs for theirs, ours in reversed(list(OPERATORS.items()))}


def node(kind: str, version: float, parameters: dict) -> dict:
    return {"type": kind if "." in kind else PREFIX + kind, "typeVersion": version, "parameters": parameters}


def manual(p: dict) -> dict:
    return node("manualTrigger", 1, {})


def webhook(p: dict) -> dict:
    methods = p.get("methods") or ["POST"]
    mode = "responseNode" if p.get("response_mode") == "wait" else "onReceived"
    return node("webhook", 2, {"httpMethod": str(methods[0]), "path": str(uuid.uuid4()), "responseMode": mode, "options": {}})


def schedule(p: dict) -> dict:
    cron = p.get("cron", "0 9 * * 1-5") if p.get("preset", "custom") == "custom" else PRESET_CRON.get(p.get("preset"), "0 9 * * *")
    return node("scheduleTrigger", 1.2, {"rule": {"interval": [{"field": "cronExpression", "expression": cron}]}})


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def set_fields(p: dict) -> dict:
    assignments = [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{i}:{f.get('name')}")),
            "name": f.get("name", ""),
            "value": f.get("value"),
            "type": _kind(f.get("value")),
        }
        for i, f in enumerate(p.get("fields") or [])
    ]
    return node(
        "set",
        3.4,
        {"assignments": {"assignments": assignments}, "includeOtherFields": bool(p.get("keep_other_fields", True)), "options": {}},
    )


def _conditions(p: dict) -> dict:
    conditions = [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"c{i}")),
            "leftValue": c.get("left", ""),
            "rightValue": c.get("right", ""),
            "operator": {
                "type": "number" if isinstance(c.get("right"), int | float) else "string",
                "operation": BACK_OPERATORS.get(c.get("operator"), "equals"),
            },
        }
        for i, c in enumerate(p.get("conditions") or [])
        if isinstance(c, dict)
    ]
    return {"options": {"caseSensitive": True, "typeValidation": "loose"}, "conditions": conditions, "combinator": p.get("combine", "and")}


def if_node(p: dict) -> dict:
    return node("if", 2.2, {"conditions": _conditions(p), "options": {}})


def filter_items(p: dict) -> dict:
    return node("filter", 2.2, {"conditions": _conditions(p), "options": {}})


def noop(p: dict) -> dict:
    return node("noOp", 1, {})


def placeholder(p: dict) -> dict:
    return node(str(p.get("original_type") or "n8n-nodes-base.noOp"), 1, dict(p.get("original_parameters") or {}))


def javascript(p: dict) -> dict:
    mode = "runOnceForEachItem" if p.get("mode") == "each" else "runOnceForAllItems"
    return node("code", 2, {"mode": mode, "jsCode": p.get("code", "")})


def python(p: dict) -> dict:
    mode = "runOnceForEachItem" if p.get("mode") == "each" else "runOnceForAllItems"
    return node("code", 2, {"mode": mode, "language": "python", "pythonCode": p.get("code", "")})


def _pairs(values: Any) -> dict:
    return (
        {"parameters": [{"name": str(k), "value": v} for k, v in (values or {}).items()]}
        if isinstance(values, dict)
        else {"parameters": []}
    )


def http_request(p: dict) -> dict:
    body_type = p.get("body_type", "none")
    parameters: dict = {"method": p.get("method", "GET"), "url": p.get("url", ""), "options": {}}
    if p.get("query"):
        parameters.update(sendQuery=True, queryParameters=_pairs(p["query"]))
    if p.get("headers"):
        parameters.update(sendHeaders=True, headerParameters=_pairs(p["headers"]))
    if body_type != "none":
        parameters["sendBody"] = True
        if body_type == "json" and not isinstance(p.get("body"), dict):
            parameters.update(specifyBody="json", jsonBody=p.get("body") or "")
        else:
            content = {"form": "form-urlencoded", "multipart": "multipart-form-data", "raw": "raw"}.get(body_type)
            if content:
                parameters["contentType"] = content
            parameters["bodyParameters"] = _pairs(p.get("body"))
    if p.get("output", "full") == "full":  # EZFlow's status/headers/body item is n8n's full response
        parameters["options"] = {"response": {"response": {"fullResponse": True}}}
    return node("httpRequest", 4.2, parameters)


def respond(p: dict) -> dict:
    return node(
        "respondToWebhook",
        1.1,
        {"respondWith": "json", "responseBody": p.get("body", "={{ $json }}"), "options": {"responseCode": p.get("status", 200)}},
    )


def stop_error(p: dict) -> dict:
    return node("stopAndError", 1, {"errorMessage": p.get("message", "")})


def wait(p: dict) -> dict:
    if p.get("mode") == "until":
        return node("wait", 1.1, {"resume": "specificTime", "dateTime": p.get("until", "")})
    return node("wait", 1.1, {"resume": "timeInterval", "amount": p.get("seconds", 1), "unit": "seconds"})


def sticky_note(p: dict) -> dict:
    return node("stickyNote", 1, {"content": p.get("text", "")})


def limit(p: dict) -> dict:
    return node("limit", 1, {"maxItems": p.get("max_items", 1), "keep": "lastItems" if p.get("keep") == "last" else "firstItems"})


def sort(p: dict) -> dict:
    order = "descending" if p.get("order") == "desc" else "ascending"
    return node("sort", 1, {"sortFieldsUi": {"sortField": [{"fieldName": p.get("field", ""), "order": order}]}, "options": {}})


def split_out(p: dict) -> dict:
    return node(
        "splitOut",
        1,
        {"fieldToSplitOut": p.get("field", ""), "include": "allOtherFields" if p.get("include_other_fields") else "noOtherFields"},
    )


def loop(p: dict) -> dict:
    return node("splitInBatches", 3, {"batchSize": p.get("batch_size", 1), "options": {}})


def merge(p: dict) -> dict:
    mode = p.get("mode", "append")
    if mode in ("join", "left_join"):
        fields = {"values": [{"field1": p.get("key_a", ""), "field2": p.get("key_b", "")}]}
        join = "enrichInput1" if mode == "left_join" else "keepMatches"
        return node("merge", 2.1, {"mode": "combine", "combineBy": "combineByFields", "fields": fields, "joinMode": join, "options": {}})
    if mode == "by_position":
        return node("merge", 2.1, {"mode": "combine", "combineBy": "combineByPosition", "options": {}})
    return node("merge", 2.1, {"mode": "append"})


def switch(p: dict) -> dict:
    """n8n's Switch 3.2: one output per rule (named by the rule's output name), then the fallback as an extra output."""
    rules = [r for r in p.get("rules") or [] if isinstance(r, dict)]
    values = []
    for rule in rules:
        name = str(rule.get("output") or "")
        value = {"conditions": _conditions(rule), "renameOutput": bool(name)}
        if name:
            value["outputKey"] = name
        values.append(value)
    options = {"fallbackOutput": "extra"}
    if p.get("all_matches"):
        options["allMatchingOutputs"] = True
    exported = node("switch", 3.2, {"rules": {"values": values}, "options": options})
    exported["outputs"] = (*(str(number) for number in range(len(rules))), "fallback")
    return exported
