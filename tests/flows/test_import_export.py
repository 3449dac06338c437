import json
from pathlib import Path

import pytest

from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.n8n import import_n8n

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "n8n_orders.json").read_text())


def test_n8n_import_maps_nodes_edges_settings_and_lists_what_it_could_not():
    result = import_n8n(FIXTURE)
    by_name = {n["name"]: n for n in result.graph["nodes"]}
    assert {u["name"] for u in result.unsupported} == {"JS code", "Google Sheets"}
    assert by_name["JS code"]["type"] == "note.sticky" and "Not imported" in by_name["JS code"]["parameters"]["text"]
    assert by_name["Webhook"]["type"] == "trigger.webhook" and by_name["Webhook"]["parameters"]["response_mode"] == "wait"
    assert by_name["Edit Fields"]["parameters"]["fields"][0]["value"] == "{{ json.body.qty * json.body.price }}"
    assert by_name["Edit Fields"]["parameters"]["fields"][1]["value"] == "{{ json.body.name.upper() }}"
    assert by_name["Lookup CRM"]["parameters"]["query"] == {"email": "{{ nodes['Webhook'].json.body.email }}"}
    assert by_name["Lookup CRM"]["settings"] == {"retry_attempts": 4, "retry_backoff_seconds": 2.0, "on_error": "error_output"}
    assert by_name["Weekdays"]["parameters"] == {"preset": "custom", "cron": "0 9 * * 1,2,3,4,5"}
    assert by_name["Wait"]["parameters"] == {"mode": "duration", "seconds": 120}
    assert by_name["Sticky Note"]["type"] == "note.sticky"
    ports = {(e["source"], e["source_port"], e["target"]) for e in result.graph["edges"]}
    assert ("big-order", "true", "respond-large") in ports and ("big-order", "false", "respond-small") in ports
    assert any(w["code"] == "edge_dropped" for w in result.warnings)  # the edges into the two unsupported nodes


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
    assert {u["name"] for u in body["unsupported"]} == {"JS code", "Google Sheets"}
    assert body["warnings"]
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
