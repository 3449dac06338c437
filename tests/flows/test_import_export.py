import json
from pathlib import Path

import pytest

from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.n8n import import_n8n
from apps.flows.engine.validation import validate_graph

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "n8n_orders.json").read_text())


def test_n8n_import_maps_nodes_edges_settings_and_lists_what_it_could_not():
    result = import_n8n(FIXTURE)
    by_name = {n["name"]: n for n in result.graph["nodes"]}
    assert {u["name"] for u in result.unsupported} == {"Postgres"}
    assert by_name["JS code"]["type"] == "code.javascript" and by_name["JS code"]["parameters"]["code"] == "return $input.all();"
    assert by_name["Postgres"]["type"] == "flow.placeholder"
    assert by_name["Postgres"]["parameters"]["original_type"] == "n8n-nodes-base.postgres"
    assert by_name["Webhook"]["type"] == "trigger.webhook" and by_name["Webhook"]["parameters"]["response_mode"] == "wait"
    # n8n's expressions are kept and the step says so: they run as JavaScript, with n8n's values
    assert by_name["Edit Fields"]["parameters"]["fields"][0]["value"] == "={{ $json.body.qty * $json.body.price }}"
    assert by_name["Edit Fields"]["parameters"]["fields"][1]["value"] == "={{ $json.body.name.toUpperCase() }}"
    assert by_name["Lookup CRM"]["parameters"]["query"] == {"email": "={{ $('Webhook').item.json.body.email }}"}
    assert by_name["Lookup CRM"]["settings"] == {
        "retry_attempts": 4,
        "retry_backoff_seconds": 2.0,
        "on_error": "error_output",
        "expression_dialect": "n8n",
    }
    assert all(node["settings"]["expression_dialect"] == "n8n" for node in result.graph["nodes"])
    assert by_name["Weekdays"]["parameters"] == {"preset": "custom", "cron": "0 9 * * 1,2,3,4,5"}
    assert by_name["Wait"]["parameters"] == {"mode": "duration", "seconds": 120}
    assert by_name["Sticky Note"]["type"] == "note.sticky"
    ports = {(e["source"], e["source_port"], e["target"]) for e in result.graph["edges"]}
    assert ("big-order", "true", "respond-large") in ports and ("big-order", "false", "respond-small") in ports
    assert ("lookup-crm", "main", "postgres") in ports  # a connection to a placeholder is kept
    assert not any(w["code"] == "edge_dropped" for w in result.warnings)
    statuses = {entry["node"]: entry["status"] for entry in result.report}
    assert statuses["Postgres"] == "placeholder" and statuses["JS code"] == "imported" and statuses["Lookup CRM"] == "imported"


def test_the_imported_flow_runs_like_the_original():
    graph = Graph.from_dict(import_n8n(FIXTURE).graph)
    result = Executor(graph, sleep=lambda s: None).run(
        trigger_items=[{"body": {"qty": 3, "price": 10, "name": "kim", "email": "k@e.x"}}], start_node="webhook"
    )
    assert result.outputs["edit-fields"]["main"][0]["total"] == 30
    assert result.outputs["edit-fields"]["main"][0]["customer"] == "KIM"
    assert result.response["status"] == 200 and result.response["body"]["total"] == 30


@pytest.fixture
def api(data):
    return data.editor_api(data.create_organization(slug="io-co"))


def test_import_api_creates_a_flow_and_reports_everything(api):
    response = api.post("/api/v1/flows/import", FIXTURE, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["source"] == "n8n" and body["flow"]["name"] == "Order intake"
    assert {u["name"] for u in body["unsupported"]} == {"Postgres"}
    report = {entry["node"]: entry for entry in body["report"]}
    assert report["Postgres"]["summary"] == "Not available yet — kept as a placeholder (n8n-nodes-base.postgres)."
    assert report["JS code"]["summary"] == "Imported as “Code (JavaScript)”." and report["JS code"]["step_type"] == "code.javascript"
    assert [f["flow"]["id"] for f in body["flows"]] == [body["flow"]["id"]]
    refused = api.post("/api/v1/flows/import", {"hello": "world"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "unknown_format"


def test_export_strips_secrets_credentials_and_pinned_data_and_round_trips(api):
    graph = {
        "nodes": [
            {"id": "hook", "type": "trigger.webhook", "name": "Hook", "parameters": {"auth": "header", "secret": "TOP-SECRET-123"}},
            {
                "id": "http",
                "type": "net.http",
                "name": "Call",
                "parameters": {"url": "https://x.example", "authentication": "http_bearer", "credential": "42"},
            },
        ],
        "edges": [{"source": "hook", "target": "http"}],
        "pinned": {"hook": [{"private": "data"}]},
    }
    flow = api.post("/api/v1/flows", {"name": "Secretive", "graph": graph}, content_type="application/json").json()
    exported = api.get(f"/api/v1/flows/{flow['id']}/export")
    text = exported.content.decode()
    assert "TOP-SECRET-123" not in text and '"42"' not in text and "private" not in text
    again = api.post("/api/v1/flows/import", exported.json(), content_type="application/json").json()
    assert again["source"] == "ezflow" and again["flow"]["name"] == "Secretive"
    assert [n["id"] for n in again["flow"]["graph"]["nodes"]] == ["hook", "http"]


BRANCHES = json.loads((Path(__file__).parent / "fixtures" / "n8n_branches.json").read_text())


def test_n8n_import_of_switches_merges_filter_triggers_and_python():
    result = import_n8n(BRANCHES)
    by_id = {n["id"]: n for n in result.graph["nodes"]}
    assert result.unsupported == []
    assert {node_id: node["type"] for node_id, node in by_id.items()} == {
        "manual": "trigger.manual",
        "route": "flow.switch",
        "paid-only": "data.filter",
        "legacy-amount": "flow.switch",
        "legacy-text": "flow.switch",
        "choose": "flow.merge",
        "multiplex": "flow.merge",
        "pass": "flow.merge",
        "join": "flow.merge",
        "python": "code.python",
        "on-error": "trigger.error",
        "notify": "flow.noop",
    }
    assert by_id["route"]["parameters"]["rules"][0] == {
        "conditions": [{"left": "={{ $json.amount }}", "operator": "gt", "right": 100}],
        "combine": "and",
        "output": "large",
    }
    # v1/v2 shape: the node's value1 against each rule's value2; a missing number operation is n8n's default "smaller"
    legacy = by_id["legacy-amount"]["parameters"]["rules"]
    assert [rule["conditions"] for rule in legacy] == [
        [{"left": "={{ $json.amount }}", "operator": "gt", "right": 50}],
        [{"left": "={{ $json.amount }}", "operator": "lt", "right": 5}],
    ]
    assert [rule["output"] for rule in legacy] == ["medium", "tiny"]
    text_rules = by_id["legacy-text"]["parameters"]["rules"]
    assert [rule["conditions"][0]["operator"] for rule in text_rules] == ["starts_with", "equals"]
    assert by_id["paid-only"]["parameters"]["conditions"] == [{"left": "={{ $json.paid }}", "operator": "is_true", "right": ""}]
    assert [by_id[node_id]["parameters"]["mode"] for node_id in ("choose", "multiplex", "pass", "join")] == [
        "append",
        "append",
        "append",
        "join",
    ]
    assert by_id["python"]["parameters"]["mode"] == "all" and "checked" in by_id["python"]["parameters"]["code"]

    edges = {(e["source"], e["source_port"], e["target"], e["target_port"]) for e in result.graph["edges"]}
    assert edges == {
        ("manual", "main", "route", "main"),
        ("route", "0", "paid-only", "main"),
        ("route", "1", "legacy-amount", "main"),
        ("route", "fallback", "legacy-text", "main"),  # v3's extra output after the two rules
        ("paid-only", "main", "choose", "a"),
        ("legacy-amount", "0", "choose", "b"),
        ("legacy-amount", "1", "multiplex", "a"),
        ("legacy-amount", "fallback", "multiplex", "a"),  # v2: fallbackOutput 1 shares rule 1's output
        ("legacy-text", "0", "multiplex", "b"),
        ("legacy-text", "1", "pass", "a"),  # v1: rule 1 sends to fixed output 2
        ("multiplex", "main", "pass", "b"),
        ("choose", "main", "join", "a"),
        ("pass", "main", "join", "b"),
        ("join", "main", "python", "main"),
        ("on-error", "main", "notify", "main"),
    }

    warnings = {(w["node"], w["code"]) for w in result.warnings}
    assert warnings == {
        ("Legacy text", "operator_review"),  # regex has no equivalent
        ("Choose", "mode_review"),
        ("Multiplex", "mode_review"),
        ("Pass", "mode_review"),
        ("Python", "code_review"),
        ("Legacy text", "edge_dropped"),  # v1 output 3: no rule and no fallback send items there
    }
    assert all(w["message"] for w in result.warnings)
    assert "chooseBranch" in next(w["message"] for w in result.warnings if w["node"] == "Choose")


def test_the_imported_branches_pass_validation():
    assert validate_graph(import_n8n(BRANCHES).graph) == []


def test_switch_fallback_and_legacy_rules_route_like_n8n():
    def switch_only(parameters, version, connections):
        data = {
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}},
                {"name": "Switch", "type": "n8n-nodes-base.switch", "typeVersion": version, "parameters": parameters},
                *({"name": f"Out {i}", "type": "n8n-nodes-base.noOp", "parameters": {}} for i in range(4)),
            ],
            "connections": {
                "Start": {"main": [[{"node": "Switch", "type": "main", "index": 0}]]},
                "Switch": {"main": [[{"node": f"Out {i}", "type": "main", "index": 0}] for i in connections]},
            },
        }
        result = import_n8n(data)
        assert validate_graph(result.graph) == []
        return result

    v3 = switch_only(
        {
            "rules": {"values": [{"conditions": {"conditions": [{"leftValue": "={{ $json.n }}", "rightValue": 1}]}}]},
            "options": {"fallbackOutput": "extra", "allMatchingOutputs": True},
        },
        3,
        [0, 1],
    )
    assert [(e["source_port"], e["target"]) for e in v3.graph["edges"][1:]] == [("0", "out-0"), ("fallback", "out-1")]
    assert v3.graph["nodes"][1]["parameters"]["all_matches"] is True
    graph = Graph.from_dict(v3.graph)
    run = Executor(graph, sleep=lambda s: None).run(trigger_items=[{"n": 1}, {"n": 2}], start_node="start")
    assert run.outputs["switch"]["0"] == [{"n": 1}] and run.outputs["switch"]["fallback"] == [{"n": 2}]

    boolean = switch_only(
        {
            "dataType": "boolean",
            "value1": "={{ $json.ok }}",
            "rules": {"rules": [{"value2": True}, {"operation": "notEqual", "value2": True}]},
        },
        2,
        [0, 1],
    )
    assert [r["conditions"][0]["operator"] for r in boolean.graph["nodes"][1]["parameters"]["rules"]] == ["is_true", "is_false"]
    assert boolean.warnings == []

    dates = switch_only({"dataType": "dateTime", "value1": "={{ $json.at }}", "rules": {"rules": [{"value2": "2024-01-01"}]}}, 1, [0])
    assert dates.graph["nodes"][1]["parameters"]["rules"][0]["conditions"][0]["operator"] == "gt"  # n8n's default "after"
    assert [w["code"] for w in dates.warnings] == ["operator_review"]

    expression = switch_only({"mode": "expression", "output": "={{ $json.n }}", "numberOutputs": 2}, 3, [0, 1])
    assert {w["code"] for w in expression.warnings} == {"mode_review", "edge_dropped"}


def test_n8n_connections_of_another_shape_are_dropped_with_a_warning_not_a_crash():
    """Found by the API fuzz test: a connection list where n8n has an object was a server error."""
    nodes = [{"name": "A", "type": "n8n-nodes-base.noOp", "parameters": {}}, {"name": "B", "type": "n8n-nodes-base.noOp"}]
    for connections in ({"A": [[{"node": "B"}]]}, {"A": {"main": [[1, {"node": []}]]}}, {"A": {"main": [{"node": "B"}]}}):
        result = import_n8n({"nodes": nodes, "connections": connections})
        assert result.graph["edges"] == [] and {w["code"] for w in result.warnings} == {"edge_dropped"}, connections
    good = import_n8n({"nodes": nodes, "connections": {"A": {"main": [[{"node": "B", "type": "main", "index": 0}]]}}})
    assert [(e["source"], e["target"]) for e in good.graph["edges"]] == [("a", "b")] and good.warnings == []
