from apps.flows.nodes.n8n import Converted, int_or, static_value, warning


def manual(node: dict) -> Converted:
    return {}, []


def error(node: dict) -> Converted:
    return {}, []


def five_fields(cron: str, node: dict, warnings: list) -> str:
    """n8n's cron takes an optional seconds field first; EZFlow's, like most, starts at minutes."""
    parts = str(cron).split()
    if len(parts) == 6:
        if parts[0] not in ("0", "*"):
            warnings.append(warning(node, "option_review", f"The seconds field “{parts[0]}” of “{cron}” was left out."))
        return " ".join(parts[1:])
    return str(cron)


def schedule(node: dict) -> Converted:
    converted, warnings = _schedule(node)
    if converted.get("cron"):
        converted["cron"] = five_fields(converted["cron"], node, warnings)
    return converted, warnings


def _schedule(node: dict) -> Converted:
    parameters = node.get("parameters") or {}
    if parameters.get("cronExpression"):
        return {"preset": "custom", "cron": parameters["cronExpression"]}, []
    for item in (parameters.get("triggerTimes") or {}).get("item") or []:  # the old Cron node
        hour, minute = int_or(item.get("hour", 0), 0), int_or(item.get("minute", 0), 0)
        mode = item.get("mode", "everyDay")
        if mode == "everyMinute":
            return {"preset": "custom", "cron": "* * * * *"}, []
        if mode == "everyHour":
            return {"preset": "custom", "cron": f"{minute} * * * *"}, []
        if mode == "everyWeek":
            return {"preset": "custom", "cron": f"{minute} {hour} * * {int_or(item.get('weekday', 1), 1)}"}, []
        if mode == "everyMonth":
            return {"preset": "custom", "cron": f"{minute} {hour} {int_or(item.get('dayOfMonth', 1), 1)} * *"}, []
        if mode == "custom" and item.get("cronExpression"):
            return {"preset": "custom", "cron": item["cronExpression"]}, []
        return {"preset": "custom", "cron": f"{minute} {hour} * * *"}, []
    for rule in (parameters.get("rule") or {}).get("interval") or []:
        kind = rule.get("field", "days")
        hour, minute = int_or(rule.get("triggerAtHour", 0) or 0, 0), int_or(rule.get("triggerAtMinute", 0) or 0, 0)
        if kind == "cronExpression":
            return {"preset": "custom", "cron": rule.get("expression", "")}, []
        if kind == "minutes":
            return {"preset": "custom", "cron": f"*/{int(rule.get('minutesInterval', 5))} * * * *"}, []
        if kind == "hours":
            return {"preset": "custom", "cron": f"{minute} */{int(rule.get('hoursInterval', 1))} * * *"}, []
        if kind == "days":
            return {"preset": "custom", "cron": f"{minute} {hour} */{int(rule.get('daysInterval', 1))} * *".replace("*/1 ", "* ")}, []
        if kind == "weeks":
            days = ",".join(str(d) for d in rule.get("triggerAtDay") or [1])
            return {"preset": "custom", "cron": f"{minute} {hour} * * {days}"}, []
        if kind == "months":
            return {"preset": "custom", "cron": f"{minute} {hour} {int(rule.get('triggerAtDayOfMonth', 1))} * *"}, []
    return {"preset": "daily_9"}, []


def webhook(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = []
    if p.get("authentication", "none") != "none":
        warnings.append(warning(node, "secret_not_imported", "The webhook's authentication secret was not imported; set it again."))
    mode = "wait" if p.get("responseMode") in ("lastNode", "responseNode") else "immediately"
    method = static_value(p.get("httpMethod", "GET"))
    methods = method if isinstance(method, list) else [method]
    if (p.get("options") or {}).get("allowedOrigins") or (p.get("options") or {}).get("rawBody"):
        warnings.append(warning(node, "option_review", "Some webhook options (allowed origins, raw body) were left out."))
    return {"methods": [str(m).upper() for m in methods if str(m).upper() in WEBHOOK_METHODS] or ["POST"], "response_mode": mode}, warnings


WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def called_by_another(node: dict) -> Converted:
    """n8n's Execute Workflow Trigger: the flow is started by another flow's “Run another flow” step (or by hand)."""
    return {}, [warning(node, "trigger_review", "This flow was started by another n8n workflow: run it from a “Run another flow” step.")]


def form_or_chat(node: dict) -> Converted:
    """n8n's form and chat triggers become a webhook receiving the form fields (or the chat message) as its body."""
    kind = str(node.get("type", "")).rsplit(".", 1)[-1]
    text = "a chat message (chatInput)" if "chat" in kind.lower() else "the form's fields"
    return {"methods": ["POST"], "response_mode": "immediately"}, [
        warning(node, "trigger_review", f"This was n8n's {kind}: the webhook receives {text} in its body; point your form or chat at it.")
    ]
