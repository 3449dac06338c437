def test_variables_are_managed_by_editors_and_read_in_expressions(data, eager_tasks, django_capture_on_commit_callbacks):
    organization = data.create_organization(slug="vars-co")
    api = data.editor_api(organization)
    created = api.post("/api/v1/variables", {"name": "region", "value": "Seoul"}, content_type="application/json")
    assert created.status_code == 201
    assert api.post("/api/v1/variables", {"name": "region", "value": "x"}, content_type="application/json").status_code == 400
    assert api.post("/api/v1/variables", {"name": "bad name!", "value": "x"}, content_type="application/json").status_code == 400
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start"},
            {"id": "set", "type": "data.set", "name": "Set", "parameters": {"fields": [{"name": "where", "value": "{{ vars.region }}"}]}},
        ],
        "edges": [{"source": "start", "target": "set"}],
    }
    flow = api.post("/api/v1/flows", {"name": "Vars", "graph": graph}, content_type="application/json").json()
    api.post(f"/api/v1/flows/{flow['id']}/publish", {}, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        run = api.post(f"/api/v1/flows/{flow['id']}/run", {}, content_type="application/json").json()
    detail = api.get(f"/api/v1/runs/{run['id']}").json()
    assert detail["result_sample"] == [{"where": "Seoul"}]
    viewer = data.editor_api(organization, role="viewer")
    assert viewer.get("/api/v1/variables").json()[0]["value"] == "Seoul"
    assert viewer.post("/api/v1/variables", {"name": "x", "value": "y"}, content_type="application/json").status_code == 403
    other = data.editor_api(data.create_organization(slug="vars-other"))
    assert other.get("/api/v1/variables").json() == []
