"""The expression preview used by the editor: same sandbox as runs, errors as data, editors only."""

import pytest

from apps.accounts.roles import Role
from tests.flows.graphs import greeting_graph


@pytest.fixture
def organization(data):
    return data.create_organization(slug="preview-co")


def flow_of(api):
    response = api.post("/api/v1/flows", {"name": "Preview", "graph": greeting_graph()}, content_type="application/json")
    assert response.status_code == 201
    return response.json()["id"]


def preview(api, flow_id, **body):
    return api.post(f"/api/v1/flows/{flow_id}/expression", body, content_type="application/json")


def test_evaluates_with_the_item_and_earlier_nodes(data, organization):
    api = data.editor_api(organization)
    flow_id = flow_of(api)
    body = {
        "value": "Hi {{ json.name | upper }}, order {{ nodes['Fetch'].json.id }} of {{ nodes['Fetch'].items | length }} in {{ flow.name }}",
        "item": {"name": "kim"},
        "nodes": {"Fetch": [{"id": 7}, {"id": 8}]},
    }
    response = preview(api, flow_id, **body)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "value": "Hi KIM, order 7 of 2 in Preview"}
    typed = preview(api, flow_id, value="{{ json.qty * 2 }}", item={"qty": 21}).json()
    assert typed == {"ok": True, "value": 42}


def test_errors_and_refusals_come_back_as_readable_messages(data, organization):
    api = data.editor_api(organization)
    flow_id = flow_of(api)
    unknown = preview(api, flow_id, value="{{ jsn.name }}").json()
    assert unknown["ok"] is False and "jsn" in unknown["error"] and unknown["code"] == "undefined"
    escape = preview(api, flow_id, value="{{ json.__class__ }}").json()
    assert escape["ok"] is False and escape["error"]
    syntax = preview(api, flow_id, value="{{ json.name ").json()
    assert syntax["ok"] is False
    korean = api.post(
        f"/api/v1/flows/{flow_id}/expression", {"value": "{{ jsn }}"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko"
    ).json()
    assert korean["error"] != unknown["error"]


def test_bad_input_is_a_clear_400_and_viewers_are_refused(data, organization):
    api = data.editor_api(organization)
    flow_id = flow_of(api)
    bad = preview(api, flow_id, value="{{ json }}", item=["not", "an", "object"])
    assert bad.status_code == 400 and "item" in bad.json()["error"]["fields"]
    viewer = data.editor_api(organization, role=Role.VIEWER)
    assert preview(viewer, flow_id, value="{{ 1 }}").status_code == 403
    assert preview(api, 999999, value="{{ 1 }}").status_code == 404


def test_a_huge_value_in_a_field_is_refused_with_a_readable_message(data, organization):
    """A body over the upload limit gets a 4xx error body, not a 500 (the editor checks the size first and says so in words)."""
    api = data.editor_api(organization)
    flow_id = flow_of(api)
    graph = greeting_graph()
    graph["nodes"][-1]["parameters"] = {"fields": [{"name": "note", "value": "x" * 3_000_000}]}
    response = api.patch(f"/api/v1/flows/{flow_id}", {"graph": graph}, content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code
    error = response.json()["error"]
    assert error["message"] and "Traceback" not in error["message"], error


def test_preview_errors_are_sentences_without_python_names(data, organization):
    api = data.editor_api(organization)
    flow_id = flow_of(api)
    typo = preview(api, flow_id, value="{{ jsn.name }}").json()
    assert typo["error"] == "“jsn” is not known here. Start with json, nodes, vars, run, flow or now()."
    missing = preview(api, flow_id, value="{{ json.order.total.x }}", item={"order": 5}).json()
    division = preview(api, flow_id, value="{{ json.total / 0 }}", item={"total": 5}).json()
    syntax = preview(api, flow_id, value="{{ json.name ) }}").json()
    for answer in (missing, division, syntax):
        assert answer["ok"] is False and answer["error"], answer
        assert not any(word in answer["error"] for word in ("Error", "dict object", "Traceback", "jinja")), answer
    assert "division by zero" in division["error"].lower()
    korean = api.post(
        f"/api/v1/flows/{flow_id}/expression",
        {"value": "{{ json.total / 0 }}", "item": {"total": 5}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ko",
    ).json()
    assert korean["error"] != division["error"] and "0으로" in korean["error"]


def test_the_preview_bounds_expressions_and_never_shows_internals(data, organization):
    import time

    api = data.editor_api(organization)
    flow_id = flow_of(api)
    started = time.perf_counter()
    bomb = preview(api, flow_id, value="{{ range(5000)|list|tojson(99999)|length }}").json()
    assert time.perf_counter() - started < 2.0
    assert bomb["ok"] is False and bomb["code"] == "expression_limit" and "8" in bomb["error"]
    leak = preview(api, flow_id, value="{{ '{0.keys}'.format(json) }}", item={"a": 1}).json()
    assert leak["ok"] is False and "0x" not in leak["error"] and "keys" in leak["error"]
    function = preview(api, flow_id, value="{{ now }}").json()
    assert function["ok"] is False and "now()" in function["error"]
    dates = preview(api, flow_id, value="{{ [today(), days(2), range(2)] }}").json()
    assert dates["ok"] is True and dates["value"][1:] == ["P2D", [0, 1]]
    korean = api.post(
        f"/api/v1/flows/{flow_id}/expression",
        {"value": "{{ range(5000)|list|tojson(99999)|length }}"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ko",
    ).json()
    assert "8" in korean["error"] and "들여쓰기" in korean["error"]
