"""Small graphs used by API and run tests."""


def node(node_id, type_, name=None, settings=None, **parameters):
    return {"id": node_id, "type": type_, "name": name or node_id, "parameters": parameters, "settings": settings or {}, "position": [0, 0]}


def edge(source, target, source_port="main", target_port="main"):
    return {"source": source, "target": target, "source_port": source_port, "target_port": target_port}


def greeting_graph(extra_field_value="{{ json.name }}"):
    return {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("set", "data.set", "Greet", fields=[{"name": "greeting", "value": f"Hello {extra_field_value}"}]),
            node("if", "flow.if", "VIP?", conditions=[{"left": "{{ json.vip }}", "operator": "is_true"}]),
            node("vip", "data.set", "VIP", fields=[{"name": "level", "value": "gold"}]),
        ],
        "edges": [edge("start", "set"), edge("set", "if"), edge("if", "vip", "true")],
    }


def failing_graph():
    return {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("ok", "data.set", "Ok", fields=[{"name": "step", "value": 1}]),
            node("bad", "data.set", "Divide", fields=[{"name": "x", "value": "{{ 10 / json.divisor }}"}]),
        ],
        "edges": [edge("start", "ok"), edge("ok", "bad")],
    }


def webhook_graph(**trigger):
    return {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", **trigger),
            node("set", "data.set", "Set", fields=[{"name": "total", "value": "{{ json.body.qty * json.body.price }}"}]),
            node("if", "flow.if", "Large?", conditions=[{"left": "{{ json.total }}", "operator": "gt", "right": 100}]),
            node("yes", "flow.respond", "Respond large", status=201, body={"size": "large", "total": "{{ json.total }}"}),
            node("no", "flow.respond", "Respond small", status=200, body={"size": "small", "total": "{{ json.total }}"}),
        ],
        "edges": [edge("hook", "set"), edge("set", "if"), edge("if", "yes", "true"), edge("if", "no", "false")],
    }
