from apps.flows.nodes.n8n import Converted, conditions, convert_expression, int_or, warning


def if_node(node: dict) -> Converted:
    warnings: list[dict] = []
    found, combine = conditions(node.get("parameters") or {}, warnings, node.get("name", ""))
    return {"conditions": found, "combine": combine}, warnings


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


def switch(node: dict) -> Converted:
    warnings: list[dict] = []
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
            found, combine = conditions({"conditions": rule.get("conditions") or {}}, warnings, name)
            output = rule.get("outputKey", "") if rule.get("renameOutput", True) else ""
            rules.append({"conditions": found, "combine": combine, "output": output})
    else:
        for rule in container.get("rules") or []:
            if isinstance(rule, dict):
                rules.append(_legacy_switch_rule(p, rule, warnings, name))
        rules = convert_expression(rules, warnings, name, "rules")
    return {"rules": rules, "all_matches": bool((p.get("options") or {}).get("allMatchingOutputs", False))}, warnings


def switch_ports(node: dict, parameters: dict) -> dict[int, list[str]]:
    """Which of our switch's ports each n8n output index stands for.

    Our switch sends rule N to port "N" and unmatched items to "fallback". n8n's v1 has four fixed outputs
    and a per-rule `output` index; v2 has one output per rule; v3 adds the fallback as an extra output
    after the rules (`options.fallbackOutput` "extra", or "last" in early 3.0). A numeric fallback sends
    unmatched items to that rule's output, so that output also stands for our "fallback" port.
    """
    p = node.get("parameters") or {}
    rules = parameters.get("rules") or []
    ports: dict[int, list[str]] = {}
    if str(node.get("typeVersion", 1)).split(".")[0] == "1" and "values" not in (p.get("rules") or {}):
        for number, rule in enumerate((p.get("rules") or {}).get("rules") or []):
            ports.setdefault(int_or(rule.get("output", 0), 0), []).append(str(number))
    else:
        for number in range(len(rules)):
            ports[number] = [str(number)]
    fallback = (p.get("options") or {}).get("fallbackOutput", p.get("fallbackOutput", "none"))
    if fallback in ("extra", "last"):
        ports[len(rules)] = ["fallback"]
    elif int_or(fallback, -1) >= 0:
        ports.setdefault(int_or(fallback, -1), []).append("fallback")
    return ports


def merge(node: dict) -> Converted:
    p = node.get("parameters") or {}
    mode = p.get("mode", "append")
    if mode in ("combine", "mergeByKey") and p.get("combineBy", "combineByFields") == "combineByFields":
        fields = (p.get("fieldsToMatchString") or "").split(",") if p.get("fieldsToMatchString") else []
        first = ((p.get("fields") or {}).get("values") or [{}])[0]
        key_a = first.get("field1") or (fields[0].strip() if fields else "id")
        key_b = first.get("field2") or key_a
        join = "left_join" if p.get("joinMode") in ("keepEverything", "enrichInput1") else "join"
        return {"mode": join, "key_a": key_a, "key_b": key_b}, []
    if mode in ("combine", "mergeByIndex") and p.get("combineBy") == "combineByPosition" or mode == "mergeByIndex":
        return {"mode": "by_position"}, []
    warnings = []
    if mode != "append":  # chooseBranch, multiplex, passThrough, combineAll, combineBySql, wait, keepKeyMatches...
        what = f"{mode} / {p['combineBy']}" if mode == "combine" and p.get("combineBy") else str(mode)
        warnings.append(
            warning(
                node,
                "mode_review",
                f"The merge mode “{what}” has no EZFlow equivalent; it became “append” (one after the other). "
                "Check what this step outputs.",
            )
        )
    return {"mode": "append"}, warnings


def wait(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    name = node.get("name", "")
    if p.get("resume", "timeInterval") == "specificTime":
        return {"mode": "until", "until": convert_expression(p.get("dateTime", ""), warnings, name, "parameters")}, warnings
    unit = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}.get(p.get("unit", "seconds"), 1)
    amount = p.get("amount", 1)
    seconds = amount * unit if isinstance(amount, (int, float)) else convert_expression(amount, warnings, name, "parameters")
    return {"mode": "duration", "seconds": seconds}, warnings


def respond(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    status = int((p.get("options") or {}).get("responseCode", 200))
    if p.get("respondWith") in ("json", "text"):
        body = convert_expression(p.get("responseBody", ""), warnings, node.get("name", ""), "parameters")
    else:
        body = "={{ $json }}"
    return {"status": status, "body": body}, warnings


def noop(node: dict) -> Converted:
    return {}, []


def sticky_note(node: dict) -> Converted:
    return {"text": (node.get("parameters") or {}).get("content", "")}, []


def loop(node: dict) -> Converted:
    return {"batch_size": max(int_or((node.get("parameters") or {}).get("batchSize", 1), 1), 1)}, []


def loop_ports(node: dict, parameters: dict) -> dict[int, list[str]]:
    """Split In Batches 1-2 had one output, the batch (the loop); version 3 added "done" as output 0."""
    version = float(node.get("typeVersion", 1) or 1)
    return {0: ["done"], 1: ["loop"]} if version >= 3 else {0: ["loop"]}


def placeholder(node: dict) -> Converted:
    return {"original_type": str(node.get("type", "")), "original_parameters": node.get("parameters") or {}}, []


def stop_and_error(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    message = p.get("errorMessage")
    if message is None and p.get("errorType") == "errorObject":
        message = p.get("errorObject", "Stopped by the flow")
    return {"message": convert_expression(message or "Stopped by the flow", warnings, node.get("name", ""), "message")}, warnings


def execute_workflow(node: dict) -> Converted:
    p = node.get("parameters") or {}
    reference = p.get("workflowId")
    if isinstance(reference, dict):
        reference = reference.get("cachedResultName") or reference.get("value", "")
    warnings = [warning(node, "flow_reference", "Choose the flow to run: n8n's workflow ids do not exist in EZFlow.")]
    if p.get("source") in ("parameter", "localFile", "url"):
        warnings.append(
            warning(node, "mode_review", "The workflow to run was given inline or as a file: import it as a flow, then choose it.")
        )
    return {"flow": "" if str(reference or "").startswith("=") else str(reference or "")}, warnings


def execution_data(node: dict) -> Converted:
    return {}, [warning(node, "option_review", "n8n saved data to search executions by; EZFlow's runs keep their items instead.")]
