"""What one new file in one app (tests/extension_app/extensions/acme.py) adds to EZFlow, through every extension point
a step type and a trigger kind have: the catalog, runs, exports, n8n import, version upgrades, trigger checks,
descriptions and activation hooks."""

import sys

import pytest
from django.db import connection
from django.utils import translation

from apps.accounts.roles import Role
from apps.flows.credential_kinds import registry as credential_kinds
from apps.flows.engine.context import LocalHost
from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.n8n import import_n8n
from apps.flows.engine.validation import validate_graph
from apps.flows.nodes.registry import registry
from apps.flows.problems import problems_payload
from apps.flows.services.flows import flow_create, flow_delete, flow_publish, flow_set_active
from apps.flows.triggers.registry import trigger_kinds
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import edge, node
from tests.support.fake_http import FakeServer

EXTENSION = "tests.extension_app.extensions.acme"


def route(node_id="route", version=2, **parameters):
    raw = node(node_id, "acme.route", "Route", **parameters)
    raw["type_version"] = version
    return raw


def route_graph(route_node=None):
    return {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            route_node or route(lanes=[{"name": "red"}, {"name": "blue"}], field="color", passphrase="open sesame 42"),
        ],
        "edges": [edge("start", "route")],
    }


ITEMS = [{"color": "blue", "n": 1}, {"color": "red", "n": 2}, {"color": "green", "n": 3}, {"color": "blue", "n": 4}]


@pytest.fixture
def org(data):
    return data.create_organization(slug=data.unique("ext-co"))


@pytest.fixture
def editor(data, org):
    return data.create_member(org, role=Role.EDITOR).user


@pytest.fixture
def api(data, org, editor):
    client = data.client_for(org, editor)
    connection.set_tenant(org)
    return client


def test_the_extension_is_one_module_of_an_app_the_product_does_not_list():
    from django.conf import settings

    from ezflow_site.settings.components import base

    assert "tests.extension_app" not in base.INSTALLED_APPS
    assert "tests.extension_app" in settings.INSTALLED_APPS  # added by the test plugin only
    assert type(registry.get("acme.route")).__module__ == EXTENSION
    assert type(registry.get("acme.new_message")).__module__ == EXTENSION
    assert type(trigger_kinds.get("acme_inbox")).__module__ == EXTENSION
    assert type(credential_kinds.get("acme_api_key")).__module__ == EXTENSION
    assert EXTENSION in sys.modules


def test_catalog_serves_the_new_step_with_its_declarations(api):
    catalog = {entry["key"]: entry for entry in api.get("/api/v1/nodes").json()}
    assert catalog["acme.route"]["version"] == 2
    assert catalog["acme.route"]["dynamic_outputs"] == {"from": "lanes", "then": ["other"]}
    assert catalog["acme.route"]["secret_params"] == ["passphrase"]
    assert catalog["acme.route"]["trigger_kind"] is None and catalog["acme.route"]["is_trigger"] is False
    assert catalog["acme.route"]["blocking"] is False and catalog["acme.route"]["is_loop"] is False
    assert catalog["acme.new_message"]["trigger_kind"] == "acme_inbox" and catalog["acme.new_message"]["is_trigger"] is True
    # the built-in steps serve the same fields from their own declarations
    assert catalog["flow.switch"]["dynamic_outputs"] == {"from": "rules", "then": ["fallback"]}
    assert catalog["flow.loop"]["is_loop"] is True
    assert catalog["flow.wait"]["blocking"] is True and catalog["code.python"]["blocking"] is True
    assert catalog["net.http"]["side_effects"] is True
    assert catalog["trigger.webhook"]["secret_params"] == ["secret"]
    kinds = {key: entry["trigger_kind"] for key, entry in catalog.items() if entry["is_trigger"]}
    assert kinds == {
        "trigger.manual": "manual",
        "trigger.placeholder": "manual",
        "trigger.webhook": "webhook",
        "trigger.schedule": "schedule",
        "trigger.error": "event",
        "acme.new_message": "acme_inbox",
        "toss.payment_event": "webhook",
        "rss.new_item": "polling",
        "google_sheets.new_or_updated_row": "polling",
        "imap.new_email": "polling_mailbox",
        "mqtt.message": "listener",
        "form.submitted": "form",
        "gmail.new_email": "polling",
        "kakaopay.payment_result": "webhook",
        "naverpay.payment_result": "webhook",
        "telegram.message_received": "webhook",
    }


def test_every_registered_step_describes_itself_with_the_contract_fields():
    fields = {"dynamic_outputs", "is_loop", "trigger_kind", "blocking", "side_effects", "secret_params"}
    old = {"key", "version", "category", "icon", "label", "description", "is_trigger", "inputs", "outputs", "parameters"}
    for node_type in registry.all():
        described = node_type.describe()
        assert fields | old <= set(described), node_type.key
        assert described["trigger_kind"] is None or described["trigger_kind"] in trigger_kinds
        assert set(described["secret_params"]) <= {p["name"] for p in described["parameters"]}


def test_the_step_routes_items_to_its_dynamic_ports_in_a_run(org):
    connection.set_tenant(org)
    flow = flow_create(user=None, name="Route", graph=route_graph())
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=ITEMS).pk)
    assert run.status == "success"
    outputs = Executor(Graph.from_dict(route_graph())).run(trigger_items=ITEMS).outputs["route"]
    assert [i["n"] for i in outputs["0"]] == [2] and [i["n"] for i in outputs["1"]] == [1, 4] and [i["n"] for i in outputs["other"]] == [3]
    # an edge from a port that the lanes do not make is reported
    graph = route_graph()
    graph["nodes"].append(node("after", "flow.noop"))
    graph["edges"].append(edge("route", "after", source_port="2"))
    assert [(p.code, p.params["port"]) for p in validate_graph(graph)] == [("edge_missing_port", "2")]


def test_its_secret_parameter_is_never_exported(api):
    flow = api.post("/api/v1/flows", {"name": "Secretive", "graph": route_graph()}, content_type="application/json").json()
    exported = api.get(f"/api/v1/flows/{flow['id']}/export").json()
    parameters = next(n for n in exported["graph"]["nodes"] if n["id"] == "route")["parameters"]
    assert parameters["passphrase"] == "" and parameters["field"] == "color"
    assert "open sesame" not in str(exported)


def test_an_n8n_workflow_with_its_n8n_type_imports_to_it():
    workflow = {
        "name": "Acme routing",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}, "position": [0, 0]},
            {
                "name": "Acme",
                "type": "n8n-nodes-acme.acmeRoute",
                "typeVersion": 1,
                "position": [200, 0],
                "parameters": {
                    "routes": {"values": [{"name": "red"}, {"name": "blue"}]},
                    "property": "={{ $json.color }}",
                    "passphrase": "x",
                },
            },
            {"name": "Blue", "type": "n8n-nodes-base.noOp", "parameters": {}, "position": [400, 0]},
            {"name": "Other", "type": "n8n-nodes-base.noOp", "parameters": {}, "position": [400, 200]},
        ],
        "connections": {
            "Start": {"main": [[{"node": "Acme", "type": "main", "index": 0}]]},
            "Acme": {"main": [[], [{"node": "Blue", "type": "main", "index": 0}], [{"node": "Other", "type": "main", "index": 0}]]},
        },
    }
    result = import_n8n(workflow)
    acme = next(n for n in result.graph["nodes"] if n["name"] == "Acme")
    assert acme["type"] == "acme.route" and acme["type_version"] == 2
    assert acme["parameters"] == {"lanes": [{"name": "red"}, {"name": "blue"}], "field": "={{ $json.color }}", "passphrase": ""}
    assert result.unsupported == []
    assert {(w["node"], w["code"]) for w in result.warnings} == {("Acme", "secret_not_imported")}
    assert {(e["source"], e["source_port"], e["target"]) for e in result.graph["edges"]} == {
        ("start", "main", "acme"),
        ("acme", "1", "blue"),
        ("acme", "other", "other"),
    }
    assert validate_graph(result.graph) == []


def test_a_stored_version_1_node_is_upgraded_on_load(api):
    version_1 = route(version=1, lanes="red, blue", field="color", token="open sesame 42")
    graph = route_graph(version_1)
    assert validate_graph(graph) == []  # checked as what it becomes, not as what was stored
    outputs = Executor(Graph.from_dict(graph)).run(trigger_items=ITEMS).outputs["route"]
    assert [i["n"] for i in outputs["1"]] == [1, 4] and [i["n"] for i in outputs["other"]] == [3]

    flow = flow_create(user=None, name="Old", graph=graph)
    loaded = api.get(f"/api/v1/flows/{flow.pk}").json()["graph"]
    upgraded = next(n for n in loaded["nodes"] if n["id"] == "route")
    assert upgraded["type_version"] == 2
    assert upgraded["parameters"] == {"lanes": [{"name": "red"}, {"name": "blue"}], "field": "color", "passphrase": "open sesame 42"}
    flow.refresh_from_db()
    assert next(n for n in flow.draft["nodes"] if n["id"] == "route")["type_version"] == 1  # stored as it was until saved


def test_a_node_newer_than_the_server_is_a_clear_error():
    graph = route_graph(route(version=3, lanes=[], field="color"))
    problems = validate_graph(graph)
    assert [(p.code, p.node_id, p.path) for p in problems] == [("type_version_newer", "route", "type_version")]
    with translation.override("en"):
        message = problems_payload(problems)[0]["message"]
    assert "version 3 of “acme.route”" in message and "up to 2" in message
    with translation.override("ko"):
        assert "acme.route" in problems_payload(problems)[0]["message"] and "버전" in problems_payload(problems)[0]["message"]
    result = Executor(Graph.from_dict(graph)).run(trigger_items=ITEMS)
    assert result.status == "failed" and result.error_code == "type_version_newer" and "Route" in result.error
    broken = route_graph(route(version=1, lanes=7, field="color"))  # version 1 data its migration cannot read
    assert [p.code for p in validate_graph(broken)] == ["type_version_upgrade_failed"]


def inbox_graph(minutes):
    return {"nodes": [node("inbox", "acme.new_message", "Inbox", inbox="sales", interval_minutes=minutes)], "edges": []}


def test_its_trigger_kind_checks_and_describes_its_steps(data, org, editor):
    problems = validate_graph(inbox_graph(1))
    assert [(p.code, p.node_id, p.path) for p in problems] == [("bad_poll_interval", "inbox", "parameters.interval_minutes")]
    assert problems_payload(problems)[0]["message"] == "Check for new items every 5 to 1440 minutes."
    with translation.override("ko"):
        assert problems_payload(problems)[0]["message"] == "새 항목 확인 간격은 5~1440분으로 정하세요."
    assert validate_graph(inbox_graph(15)) == []

    client = data.client_for(org, editor)
    connection.set_tenant(org)
    flow = flow_create(user=editor, name="Inbox", graph=inbox_graph(15))
    page = client.get(f"/flows/{flow.pk}/")
    assert page.status_code == 200
    [summary] = page.context["triggers"]
    assert (summary.kind, summary.name, summary.title) == ("acme_inbox", "Inbox", "New Acme message")
    assert summary.description == "Checks for new items every 15 minutes."
    assert "Checks for new items every 15 minutes." in page.content.decode()


def test_polling_keeps_a_dedupe_state_so_no_item_starts_two_runs():
    kind = trigger_kinds.get("acme_inbox")
    step = registry.get("acme.new_message")
    first, state = kind.new_items([{"id": 1}, {"id": 2}], {}, step.dedupe_key)
    assert first == []  # the first poll only learns what was already there
    fresh, state = kind.new_items([{"id": 2}, {"id": 3}, {"id": 3}, {"id": 4}], state, step.dedupe_key)
    assert fresh == [{"id": 3}, {"id": 4}]
    again, state = kind.new_items([{"id": 3}, {"id": 4}], state, step.dedupe_key)
    assert again == [] and state["seen"] == ["1", "2", "3", "4"]
    assert kind.interval_seconds({"interval_minutes": 30}) == 1800 and kind.interval_seconds({}) == 15 * 60


def test_a_higher_app_hears_when_a_flow_is_published_switched_and_deleted(org):
    """How a trigger kind of a higher app (polling, like the runs app's schedules) follows flows: the flows event."""
    from apps.flows.events import flow_live_changed

    connection.set_tenant(org)
    calls = []

    def follow(sender=None, *, flow, deleted, **kwargs):
        calls.append(("remove", flow.pk) if deleted else ("sync", flow.pk, flow.active, flow.published_version_id is not None))

    flow_live_changed.connect(follow, dispatch_uid="test.follow")
    try:
        flow = flow_create(user=None, name="Inbox", graph=inbox_graph(15))
        flow_publish(flow=flow, user=None)
        flow_set_active(flow=flow, active=True)
        flow_set_active(flow=flow, active=False)
        flow_id = flow.pk
        flow_delete(flow=flow)
    finally:
        flow_live_changed.disconnect(dispatch_uid="test.follow")
    assert calls == [
        ("sync", flow_id, False, True),
        ("sync", flow_id, True, True),
        ("sync", flow_id, False, True),
        ("remove", flow_id),
    ]


def test_its_credential_kind_is_offered_and_signs_the_http_step(api):
    listed = {entry["key"]: entry for entry in api.get("/api/v1/credentials/types", HTTP_ACCEPT_LANGUAGE="ko").json()}
    assert listed["acme_api_key"]["label"] == "Acme API 키" and listed["acme_api_key"]["http_auth"] is True
    assert [f["name"] for f in listed["acme_api_key"]["fields"]] == ["account", "key"]
    http = registry.get("net.http").describe()
    choices = [o["value"] for o in next(p for p in http["parameters"] if p["name"] == "authentication")["options"]]
    assert "acme_api_key" in choices
    with FakeServer() as server:
        server.routes["/inbox"] = lambda r: (200, {}, {"ok": True})
        host = LocalHost(
            http_allow_hosts=("127.0.0.1",), credentials={"7": {"type": "acme_api_key", "data": {"account": "kim", "key": "abc"}}}
        )
        graph = Graph.from_dict(
            {
                "nodes": [
                    node("start", "trigger.manual", "Start"),
                    node("http", "net.http", "Call", url=server.url("/inbox"), authentication="acme_api_key", credential="7"),
                ],
                "edges": [edge("start", "http")],
            }
        )
        result = Executor(graph, host=host).run(trigger_items=[{}])
        assert result.status == "success", result.error
        (request,) = server.requests
        assert request["headers"]["X-Acme-Account"] == "kim" and request["headers"]["X-Acme-Key"] == "cba"
