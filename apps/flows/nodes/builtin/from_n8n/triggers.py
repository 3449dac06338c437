from apps.flows.nodes.n8n import Converted, warning


def manual(node: dict) -> Converted:
    return {}, []


def error(node: dict) -> Converted:
    return {}, []


def schedule(node: dict) -> Converted:
    parameters = node.get("parameters") or {}
    if parameters.get("cronExpression"):
        return {"preset": "custom", "cron": parameters["cronExpression"]}, []
    for rule in (parameters.get("rule") or {}).get("interval") or []:
        kind = rule.get("field", "days")
        hour, minute = int(rule.get("triggerAtHour", 0) or 0), int(rule.get("triggerAtMinute", 0) or 0)
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
    return {"methods": [str(p.get("httpMethod", "GET")).upper()], "response_mode": mode}, warnings
