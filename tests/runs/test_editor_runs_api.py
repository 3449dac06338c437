"""What the editor's run list and debug view read (issue 17): a flow's runs newest first with test or production
told apart, one run with every step's output and its failed step, and nothing of another organization's."""

from tests.flows.graphs import edge, node

FAILING = {
    "nodes": [
        node("start", "trigger.manual", "Start"),
        node("calc", "data.set", "Calculate", fields=[{"name": "double", "value": "{{ json.order.total * 2 }}"}]),
    ],
    "edges": [edge("start", "calc")],
}


def flow_with_runs(api, django_capture_on_commit_callbacks):
    flow = api.post("/api/v1/flows", {"name": "Orders", "graph": FAILING}, content_type="application/json").json()
    api.post(f"/api/v1/flows/{flow['id']}/publish", {}, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        good = api.post(f"/api/v1/flows/{flow['id']}/run", {"items": [{"order": {"total": 2}}]}, content_type="application/json").json()
    with django_capture_on_commit_callbacks(execute=True):
        test = api.post(f"/api/v1/flows/{flow['id']}/run", {"draft": True}, content_type="application/json").json()
    return flow, good, test


def test_the_run_list_and_one_run_as_the_editor_reads_them(data, eager_tasks, django_capture_on_commit_callbacks):
    organization = data.create_organization(slug="editor-runs")
    api = data.editor_api(organization)
    flow, good, test = flow_with_runs(api, django_capture_on_commit_callbacks)

    listing = api.get(f"/api/v1/runs?flow={flow['id']}").json()["results"]
    assert [r["id"] for r in listing] == [test["id"], good["id"]]  # newest first
    assert [r["trigger"] for r in listing] == ["test", "manual"]
    assert [r["is_test"] for r in listing] == [True, False]  # the editor labels test runs by this field
    assert [r["number"] for r in listing] == [2, 1]  # the flow's own run numbers, which the editor shows
    assert {r["status"] for r in listing} == {"success", "failed"}

    failed = api.get(f"/api/v1/runs/{test['id']}").json()
    assert failed["status"] == "failed" and failed["error_node_id"] == "calc"
    by_node = {n["node_id"]: n for n in failed["node_runs"]}
    assert by_node["calc"]["status"] == "failed" and "order" in by_node["calc"]["error"]
    assert "output_sample" in by_node["start"]


def test_another_organization_sees_none_of_the_runs(data, eager_tasks, django_capture_on_commit_callbacks):
    mine = data.create_organization(slug="editor-runs-a")
    api = data.editor_api(mine)
    flow, good, _test = flow_with_runs(api, django_capture_on_commit_callbacks)

    other = data.editor_api(data.create_organization(slug="editor-runs-b"))
    assert other.get(f"/api/v1/runs?flow={flow['id']}").json()["results"] == []
    assert other.get(f"/api/v1/runs/{good['id']}").status_code == 404
