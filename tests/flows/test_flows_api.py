import pytest

from apps.flows.models import Flow
from apps.runs.models import Run
from tests.flows.graphs import edge, greeting_graph, node


@pytest.fixture
def organization(data):
    return data.create_organization(slug="flows-co")


@pytest.fixture
def api(data, organization):
    return data.editor_api(organization)


def create(api, **body):
    body.setdefault("name", "Greeter")
    body.setdefault("graph", greeting_graph())
    response = api.post("/api/v1/flows", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_edit_with_revision_conflict(api):
    flow = create(api, tags=["sales"])
    assert flow["draft_revision"] == 1 and flow["tags"] == ["sales"] and flow["webhook_path"].startswith("/webhook/")
    saved = api.patch(f"/api/v1/flows/{flow['id']}", {"name": "Renamed", "revision": 1}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["name"] == "Renamed"
    graph = greeting_graph()
    first = api.patch(f"/api/v1/flows/{flow['id']}", {"graph": graph, "revision": 1}, content_type="application/json")
    assert first.json()["draft_revision"] == 2
    stale = api.patch(f"/api/v1/flows/{flow['id']}", {"graph": graph, "revision": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_draft" and stale.json()["error"]["current_revision"] == 2


def test_validation_lists_every_problem_with_node_and_path(api):
    graph = {"nodes": [node("a", "data.limit", "A", max_items="x"), node("b", "what.ever", "B")], "edges": [edge("a", "zzz")]}
    flow = create(api, graph=graph)
    response = api.post(f"/api/v1/flows/{flow['id']}/validate", {}, content_type="application/json")
    body = response.json()
    assert body["valid"] is False
    found = {(p["code"], p["node_id"], p["path"]) for p in body["problems"]}
    assert {("not_an_integer", "a", "parameters.max_items"), ("unknown_type", "b", "type"), ("no_trigger", None, "")} <= found
    assert all(p["message"] for p in body["problems"])
    korean = api.post(f"/api/v1/flows/{flow['id']}/validate", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["problems"][0]["message"] != body["problems"][0]["message"]
    publish = api.post(f"/api/v1/flows/{flow['id']}/publish", {"message": "v1"}, content_type="application/json")
    assert publish.status_code == 400 and publish.json()["error"]["code"] == "invalid_flow"
    assert publish.json()["error"]["problems"]


def test_publish_versions_diff_restore(api):
    flow = create(api)
    v1 = api.post(f"/api/v1/flows/{flow['id']}/publish", {"message": "first"}, content_type="application/json")
    assert v1.status_code == 201 and v1.json()["number"] == 1
    changed = greeting_graph(extra_field_value="{{ json.name | upper }}")
    changed["nodes"].append(node("extra", "flow.noop", "Extra"))
    changed["edges"].append(edge("vip", "extra"))
    api.patch(f"/api/v1/flows/{flow['id']}", {"graph": changed}, content_type="application/json")
    api.post(f"/api/v1/flows/{flow['id']}/publish", {"message": "second"}, content_type="application/json")
    versions = api.get(f"/api/v1/flows/{flow['id']}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    diff = api.get(f"/api/v1/flows/{flow['id']}/versions/diff?from=1&to=2").json()
    assert [n["id"] for n in diff["nodes"]["added"]] == ["extra"]
    assert diff["nodes"]["changed"][0]["id"] == "set"
    assert "parameters.fields[0].value" in diff["nodes"]["changed"][0]["changes"]
    assert len(diff["edges"]["added"]) == 1 and diff["nodes"]["removed"] == []
    restored = api.post(f"/api/v1/flows/{flow['id']}/versions/1/restore").json()
    assert {n["id"] for n in restored["graph"]["nodes"]} == {"start", "set", "if", "vip"}
    assert api.get(f"/api/v1/flows/{flow['id']}/versions/1").json()["graph"]["nodes"][1]["parameters"]["fields"][0]["value"] == (
        "Hello {{ json.name }}"
    )
    assert Flow.objects.get(pk=flow["id"]).published_version.number == 2


def test_manual_run_executes_on_the_queue_and_records_node_runs(api, eager_tasks, django_capture_on_commit_callbacks):
    flow = create(api)
    assert api.post(f"/api/v1/flows/{flow['id']}/run", {}, content_type="application/json").json()["error"]["code"] == "not_published"
    api.post(f"/api/v1/flows/{flow['id']}/publish", {}, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/flows/{flow['id']}/run", {"items": [{"name": "Kim", "vip": True}, {"name": "Lee"}]}, content_type="application/json"
        )
    assert response.status_code == 202
    detail = api.get(f"/api/v1/runs/{response.json()['id']}").json()
    assert detail["status"] == "success" and detail["version"] == 1 and detail["duration_ms"] is not None
    by_node = {n["node_id"]: n for n in detail["node_runs"]}
    assert set(by_node) == {"start", "set", "if", "vip"}
    assert by_node["set"]["items_out"] == 2 and by_node["vip"]["items_in"] == 1
    assert by_node["vip"]["output_sample"]["main"]["items"][0] == {"name": "Kim", "vip": True, "greeting": "Hello Kim", "level": "gold"}
    listing = api.get(f"/api/v1/runs?flow={flow['id']}&status=success").json()
    assert listing["count"] == 1


def test_activation_needs_a_published_version(api):
    flow = create(api)
    refused = api.post(f"/api/v1/flows/{flow['id']}/activate")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_published"
    api.post(f"/api/v1/flows/{flow['id']}/publish", {}, content_type="application/json")
    assert api.post(f"/api/v1/flows/{flow['id']}/activate").json()["active"] is True
    assert api.post(f"/api/v1/flows/{flow['id']}/deactivate").json()["active"] is False


def test_pin_data_and_test_one_node(api, eager_tasks, django_capture_on_commit_callbacks):
    flow = create(api)
    pinned = api.post(
        f"/api/v1/flows/{flow['id']}/pin",
        {"node_id": "set", "items": [{"greeting": "pinned", "vip": True}]},
        content_type="application/json",
    )
    assert pinned.json()["graph"]["pinned"]["set"] == [{"greeting": "pinned", "vip": True}]
    tested = api.post(f"/api/v1/flows/{flow['id']}/test-node", {"node_id": "if"}, content_type="application/json").json()
    assert tested["status"] == "success" and tested["outputs"]["true"]["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        run = api.post(f"/api/v1/flows/{flow['id']}/run", {"draft": True}, content_type="application/json").json()
    detail = api.get(f"/api/v1/runs/{run['id']}").json()
    assert {n["node_id"]: n["status"] for n in detail["node_runs"]}["set"] == "pinned"
    assert Run.objects.get(pk=run["id"]).trigger == "test"
    bad = api.post(f"/api/v1/flows/{flow['id']}/pin", {"node_id": "nope", "items": []}, content_type="application/json")
    assert bad.status_code == 404


def test_viewer_reads_but_cannot_change_or_run(data, organization, api):
    flow = create(api)
    viewer = data.editor_api(organization, role="viewer")
    assert viewer.get(f"/api/v1/flows/{flow['id']}").status_code == 200
    assert viewer.patch(f"/api/v1/flows/{flow['id']}", {"name": "x"}, content_type="application/json").status_code == 403
    assert viewer.post(f"/api/v1/flows/{flow['id']}/run", {}, content_type="application/json").status_code == 403
    assert viewer.post("/api/v1/flows", {"name": "x"}, content_type="application/json").status_code == 403
    assert viewer.post(f"/api/v1/flows/{flow['id']}/publish", {}, content_type="application/json").status_code == 403
    # Runs too: a viewer reads them but cannot cancel or retry (a queued run of the flow made by an editor).
    from apps.runs.models import Run

    run = Run.objects.create(flow_id=flow["id"], graph={}, trigger="manual", status="failed")
    assert viewer.get(f"/api/v1/runs/{run.pk}").status_code == 200
    assert viewer.post(f"/api/v1/runs/{run.pk}/retry", {}, content_type="application/json").status_code == 403
    assert viewer.post(f"/api/v1/runs/{run.pk}/cancel", {}, content_type="application/json").status_code == 403
    assert api.post(f"/api/v1/runs/{run.pk}/cancel", {}, content_type="application/json").status_code != 403


def test_flows_and_runs_of_another_organization_are_404(data, api):
    flow = create(api)
    other_api = data.editor_api(data.create_organization(slug="flows-other"))
    assert other_api.get(f"/api/v1/flows/{flow['id']}").status_code == 404
    assert other_api.get("/api/v1/flows").json()["results"] == []
    assert other_api.post(f"/api/v1/flows/{flow['id']}/run", {}, content_type="application/json").status_code == 404


def test_catalog_and_schema(api):
    catalog = api.get("/api/v1/nodes").json()
    keys = {n["key"] for n in catalog}
    assert {"trigger.manual", "trigger.webhook", "data.set", "flow.if", "flow.switch", "flow.merge", "flow.loop"} <= keys
    set_node = next(n for n in catalog if n["key"] == "data.set")
    assert set_node["label"]["ko"] and set_node["parameters"][0]["name"] == "fields"
    schema = api.get("/api/v1/flows/schema").json()
    assert schema["properties"]["nodes"]["items"]["required"] == ["id", "type"]


def test_bad_input_is_a_clear_error(api):
    assert api.post("/api/v1/flows", {"name": ""}, content_type="application/json").json()["error"]["fields"]["name"]
    assert api.post("/api/v1/flows", {"name": "x", "graph": [1]}, content_type="application/json").status_code == 400
    flow = create(api)
    api.post(f"/api/v1/flows/{flow['id']}/publish", {}, content_type="application/json")
    bad = api.post(f"/api/v1/flows/{flow['id']}/run", {"items": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "items" in bad.json()["error"]["fields"]


def test_flow_list_is_paginated_and_filtered(api):
    for index in range(3):
        create(api, name=f"Report {index}", tags=["daily"] if index else [])
    page = api.get("/api/v1/flows?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 3  # page size is the API's default (50)
    assert [f["name"] for f in api.get("/api/v1/flows?tag=daily").json()["results"]] == ["Report 2", "Report 1"]
    assert api.get("/api/v1/flows?search=report 0").json()["count"] == 1


def test_a_graph_of_another_shape_is_refused_naming_the_place_but_a_draft_may_have_problems(api):
    """The shape is the `ezflow/1` format the OpenAPI schema describes (FlowGraphInput); what validation reports as a
    problem (an unknown step, a setting out of range) is still saved as a draft."""
    flow = create(api)
    for graph, place in (
        ({"nodes": "start"}, "nodes"),
        ({"nodes": [{"id": "a", "type": "flow.noop", "position": ["x", 0]}]}, "nodes[0].position[0]"),
        ({"nodes": [], "edges": [{"source": "a"}]}, "edges[0]"),
        ({"format": "ezflow/2", "nodes": []}, "format"),
    ):
        response = api.patch(f"/api/v1/flows/{flow['id']}", {"graph": graph}, content_type="application/json")
        assert response.status_code == 400, (graph, response.content)
        assert f"“{place}”" in response.json()["error"]["fields"]["graph"][0]["message"], response.json()
        imported = api.post("/api/v1/flows/import", {"format": "ezflow/1", "name": "X", "graph": graph}, content_type="application/json")
        validated = api.post("/api/v1/flows/validate", {"graph": graph}, content_type="application/json")
        assert imported.status_code == validated.status_code == 400
    draft = greeting_graph()
    draft["nodes"][1]["settings"] = {"retry_attempts": 25}
    draft["nodes"].append(node("odd", "what.ever", "Odd"))
    saved = api.patch(f"/api/v1/flows/{flow['id']}", {"graph": draft}, content_type="application/json")
    assert saved.status_code == 200
    problems = api.post(f"/api/v1/flows/{flow['id']}/validate", {}, content_type="application/json").json()["problems"]
    assert {p["code"] for p in problems} >= {"setting_out_of_range", "unknown_type"}
