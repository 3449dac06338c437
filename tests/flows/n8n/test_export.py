"""Export to n8n: steps with an n8n equivalent are written as n8n nodes and import back to the same flow."""

from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.n8n import import_n8n
from apps.flows.engine.n8n_export import export_n8n
from tests.flows.n8n.test_mapping import link, n, workflow


def comparable(graph):
    nodes = {node["name"]: (node["type"], node["parameters"]) for node in graph["nodes"]}
    ids = {node["id"]: node["name"] for node in graph["nodes"]}
    edges = {(ids[e["source"]], e["source_port"], ids[e["target"]], e["target_port"]) for e in graph["edges"]}
    return nodes, edges


ORIGINAL = workflow(
    n("Hook", "webhook", {"httpMethod": "POST", "path": "x", "responseMode": "responseNode"}, 2),
    n("Every weekday", "scheduleTrigger", {"rule": {"interval": [{"field": "cronExpression", "expression": "0 9 * * 1-5"}]}}, 1.2),
    n("Fields", "set", {"assignments": {"assignments": [{"name": "total", "value": "={{ $json.body.qty * 2 }}", "type": "number"}]}}, 3.4),
    n(
        "Big?",
        "if",
        {
            "conditions": {
                "combinator": "and",
                "conditions": [{"leftValue": "={{ $json.total }}", "rightValue": 10, "operator": {"type": "number", "operation": "gt"}}],
            }
        },
        2.2,
    ),
    n("Code", "code", {"mode": "runOnceForAllItems", "jsCode": "return $input.all();"}, 2),
    n(
        "Call",
        "httpRequest",
        {
            "method": "POST",
            "url": "https://example.com/api",
            "sendBody": True,
            "specifyBody": "json",
            "jsonBody": "={{ JSON.stringify($json) }}",
        },
        4.2,
    ),
    n("Loop", "splitInBatches", {"batchSize": 2}, 3),
    n("Join", "merge", {"mode": "append"}, 2.1),
    n("Reply", "respondToWebhook", {"respondWith": "json", "responseBody": "={{ $json }}", "options": {"responseCode": 201}}, 1.1),
    n("DB", "redis", {"operation": "get", "key": "select 1"}, 1),
    n("Note", "stickyNote", {"content": "Keep {{ this }}"}),
    connections=link(
        ("Hook", "Fields"),
        ("Fields", "Big?"),
        ("Big?", "Code", 0),
        ("Big?", "Join", 1),
        ("Code", "Loop"),
        ("Loop", "Reply", 0),
        ("Loop", "Call", 1),
        ("Call", "Loop"),
        ("Every weekday", "DB"),
        ("DB", "Join"),
    ),
    name="Round trip",
)


def test_import_export_import_gives_the_same_flow():
    first = import_n8n(ORIGINAL)
    exported = export_n8n(first.graph, "Round trip")
    assert exported.skipped == [] and exported.warnings == []
    types = {node["name"]: node["type"] for node in exported.workflow["nodes"]}
    assert types["DB"] == "n8n-nodes-base.redis" and types["Code"] == "n8n-nodes-base.code"
    assert exported.workflow["connections"]["Big?"]["main"][1] == [{"node": "Join", "type": "main", "index": 0}]
    second = import_n8n(exported.workflow)
    assert comparable(second.graph) == comparable(first.graph)


def test_an_ezflow_flow_exports_with_its_expressions_translated_where_exact():
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start", "parameters": {}},
            {"id": "set", "type": "data.set", "name": "Set", "parameters": {"fields": [{"name": "e", "value": "{{ json.user.email }}"}]}},
            {"id": "odd", "type": "data.set", "name": "Odd", "parameters": {"fields": [{"name": "x", "value": "{{ json.a | upper }}"}]}},
            {"id": "csv", "type": "transform.csv", "name": "CSV", "parameters": {}},
        ],
        "edges": [{"source": "start", "target": "set"}, {"source": "set", "target": "odd"}, {"source": "odd", "target": "csv"}],
    }
    exported = export_n8n(graph, "Mine")
    nodes = {node["name"]: node for node in exported.workflow["nodes"]}
    assert nodes["Set"]["parameters"]["assignments"]["assignments"][0]["value"] == "={{ $json.user.email }}"
    assert [w["node"] for w in exported.warnings] == ["Odd"]
    assert exported.skipped == [{"node": "CSV", "type": "transform.csv"}] and nodes["CSV"]["type"] == "n8n-nodes-base.noOp"
    assert exported.workflow["connections"]["Odd"]["main"][0][0]["node"] == "CSV"
    back = import_n8n(exported.workflow)
    result = Executor(Graph.from_dict(back.graph), sleep=lambda s: None).run(trigger_items=[{"user": {"email": "a@b.c"}}])
    assert result.outputs["set"]["main"][0]["e"] == "a@b.c"


def test_export_api_and_download_refuse_other_organizations(data):
    org = data.create_organization(slug="n8n-export")
    other = data.create_organization(slug="n8n-export-other")
    api = data.editor_api(org)
    created = api.post("/api/v1/flows/import", ORIGINAL, content_type="application/json").json()
    flow_id = created["flow"]["id"]
    response = api.get(f"/api/v1/flows/{flow_id}/export/n8n")
    assert response.status_code == 200
    assert {node["name"] for node in response.json()["workflow"]["nodes"]} >= {"Hook", "Code", "DB"}
    assert data.editor_api(other).get(f"/api/v1/flows/{flow_id}/export/n8n").status_code == 404


def switch_workflow(version, parameters):
    return workflow(
        n("Start", "manualTrigger"),
        n("Route", "switch", parameters, version),
        n("Small", "noOp"),
        n("Large", "noOp"),
        n("Other", "noOp"),
        connections=link(("Start", "Route"), ("Route", "Small", 0), ("Route", "Large", 1), ("Route", "Other", 2)),
    )


def _rule(operation, right, key=""):
    conditions = {
        "conditions": [{"leftValue": "={{ $json.n }}", "rightValue": right, "operator": {"type": "number", "operation": operation}}]
    }
    return {"conditions": {**conditions, "combinator": "and"}, "renameOutput": bool(key), **({"outputKey": key} if key else {})}


def test_switch_exports_and_imports_back_routing_the_same():
    v3 = {"rules": {"values": [_rule("lt", 10, "small"), _rule("gte", 100)]}, "options": {"fallbackOutput": "extra"}}
    v1 = {
        "dataType": "number",
        "value1": "={{ $json.n }}",
        "rules": {"rules": [{"operation": "smaller", "value2": 10, "output": 0}, {"operation": "largerEqual", "value2": 100, "output": 1}]},
        "fallbackOutput": 2,
    }
    for version, parameters in ((3.2, v3), (1, v1)):
        first = import_n8n(switch_workflow(version, parameters))
        exported = export_n8n(first.graph, "Switch")
        assert exported.skipped == [] and exported.warnings == []
        route = next(node for node in exported.workflow["nodes"] if node["name"] == "Route")
        assert route["type"] == "n8n-nodes-base.switch" and route["parameters"]["options"]["fallbackOutput"] == "extra"
        assert [[t["node"] for t in targets] for targets in exported.workflow["connections"]["Route"]["main"]] == [
            ["Small"],
            ["Large"],
            ["Other"],
        ]
        second = import_n8n(exported.workflow)
        assert comparable(second.graph) == comparable(first.graph)
        result = Executor(Graph.from_dict(second.graph), sleep=lambda s: None).run(trigger_items=[{"n": 3}, {"n": 500}, {"n": 50}])
        assert result.status == "success", result.error
        assert [result.outputs[name]["main"] for name in ("small", "large", "other")] == [[{"n": 3}], [{"n": 500}], [{"n": 50}]]


def test_an_ezflow_switch_exports_with_its_rule_names_and_fallback():
    rule = {"conditions": [{"left": "{{ json.kind }}", "operator": "equals", "right": "vip"}], "combine": "and", "output": "vip"}
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start", "parameters": {}},
            {"id": "route", "type": "flow.switch", "name": "Route", "parameters": {"rules": [rule], "all_matches": True}},
            {"id": "vip", "type": "flow.noop", "name": "VIP", "parameters": {}},
            {"id": "rest", "type": "flow.noop", "name": "Rest", "parameters": {}},
        ],
        "edges": [
            {"source": "start", "target": "route"},
            {"source": "route", "source_port": "0", "target": "vip"},
            {"source": "route", "source_port": "fallback", "target": "rest"},
        ],
    }
    exported = export_n8n(graph, "Mine")
    route = next(node for node in exported.workflow["nodes"] if node["name"] == "Route")
    value = route["parameters"]["rules"]["values"][0]
    assert value["outputKey"] == "vip" and value["conditions"]["conditions"][0]["leftValue"] == "={{ $json.kind }}"
    assert route["parameters"]["options"] == {"fallbackOutput": "extra", "allMatchingOutputs": True}
    assert exported.workflow["connections"]["Route"]["main"] == [
        [{"node": "VIP", "type": "main", "index": 0}],
        [{"node": "Rest", "type": "main", "index": 0}],
    ]
