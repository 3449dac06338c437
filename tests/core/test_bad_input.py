"""Hostile or careless input is a clear, translated 400 on every route family, never a server error
(issue 12, break 6): JSON nested without end, NUL characters in JSON, query strings and form fields."""

import json
from urllib.parse import urlencode

import pytest

from apps.core.jsonbody import MAX_DEPTH, JSONInputError, json_loads
from tests.flows.graphs import edge, greeting_graph, node

BRACKETS = b"[" * 100_000


def nested_graph(levels: int) -> dict:
    value: dict | list = {"deep": "end"}
    for _ in range(levels):
        value = [value]
    graph = greeting_graph()
    graph["nodes"][1]["parameters"]["fields"] = [{"name": "deep", "value": value}]
    return graph


def nested_text(levels: int) -> bytes:
    """A flow whose one field holds a list nested `levels` deep (written as text: Python's encoder cannot either)."""
    graph = json.dumps(greeting_graph()).replace('"gold"', "[" * levels + '"gold"' + "]" * levels)
    return f'{{"name": "Deep", "graph": {graph}}}'.encode()


@pytest.fixture
def organization(data):
    return data.create_organization(slug="hostile-co")


def assert_clear_400(response, code, words):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    error = response.json()["error"]
    assert error["code"] == code and words in error["message"], error


def test_the_loader_bounds_depth_and_refuses_nul_characters():
    assert json_loads('{"a": [[1]]}') == {"a": [[1]]}
    json_loads(json.dumps(nested_graph(MAX_DEPTH - 10)))
    for text, code in (
        (BRACKETS, "too_deep"),
        (json.dumps(nested_graph(MAX_DEPTH + 1)), "too_deep"),
        ('{"a": "x\\u0000"}', "invalid_text"),
        ('{"\\u0000": 1}', "invalid_text"),
        ('[["\\u0000"]]', "invalid_text"),
    ):
        with pytest.raises(JSONInputError) as caught:
            json_loads(text)
        assert caught.value.code == code
    with pytest.raises(ValueError):
        json_loads("[NaN]")


def test_sign_up_refuses_endless_nesting_and_nul_characters(data):
    client = data.client_for(None)
    assert_clear_400(client.post("/api/v1/signup", BRACKETS, content_type="application/json"), "too_deep", "100 levels")
    body = {"organization": "Acme\x00", "slug": "acme", "email": "a@acme.example", "password": "correct-horse-battery"}
    assert_clear_400(client.post("/api/v1/signup", body, content_type="application/json"), "invalid_text", "NUL")
    korean = client.post("/api/v1/signup", BRACKETS, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.status_code == 400 and "100" in korean.json()["error"]["message"] and "단계" in korean.json()["error"]["message"]
    fields = urlencode({"organization": "Acme\x00", "slug": "acme"})
    form = client.post("/signup/", fields, content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400 and "text/html" in form["Content-Type"] and b"NUL" in form.content
    multipart = client.post("/signup/", {"organization": "Acme\x00", "slug": "acme"})  # Django's form fields refuse it
    assert multipart.status_code == 400 and b"Null characters are not allowed" in multipart.content


def test_flows_refuse_deep_graphs_nul_node_ids_and_nul_searches(data, organization):
    api = data.editor_api(organization)
    assert_clear_400(api.post("/api/v1/flows", BRACKETS, content_type="application/json"), "too_deep", "nested")
    assert_clear_400(api.post("/api/v1/flows", nested_text(5_000), content_type="application/json"), "too_deep", "nested")
    graph = {"nodes": [node("start\x00", "trigger.manual"), node("n", "flow.noop")], "edges": [edge("start\x00", "n")]}
    assert_clear_400(api.post("/api/v1/flows", {"name": "Nul", "graph": graph}, content_type="application/json"), "invalid_text", "NUL")
    assert_clear_400(api.get("/api/v1/flows?search=%00"), "invalid_text", "NUL")
    assert_clear_400(api.get("/api/v1/flows", {"search": "a\x00b"}), "invalid_text", "NUL")
    created = api.post("/api/v1/flows", {"name": "Fine", "graph": greeting_graph()}, content_type="application/json")
    assert created.status_code == 201
    flow_id = created.json()["id"]
    assert_clear_400(api.patch(f"/api/v1/flows/{flow_id}", nested_text(5_000), content_type="application/json"), "too_deep", "nested")
    owner = data.client_for(organization, data.owner_of(organization))
    page = owner.get("/flows/", {"q": "\x00"})
    assert page.status_code == 400 and "text/html" in page["Content-Type"] and b"NUL" in page.content


def test_import_refuses_deep_json_and_nul_characters_by_api_and_by_form(data, organization):
    api = data.editor_api(organization)
    assert_clear_400(api.post("/api/v1/flows/import", BRACKETS, content_type="application/json"), "too_deep", "nested")
    assert_clear_400(api.post("/api/v1/flows/import", nested_text(5_000), content_type="application/json"), "too_deep", "nested")
    owner = data.client_for(organization, data.owner_of(organization))
    deep = owner.post("/flows/import/", {"text": nested_text(5_000).decode()})
    assert deep.status_code == 400 and b"nested more than 100 levels" in deep.content
    nul = owner.post("/flows/import/", {"text": '{"nodes": [{"id": "a\\u0000"}]}'})
    assert nul.status_code == 400 and b"NUL" in nul.content


def test_webhooks_and_graphql_refuse_endless_nesting(data, organization):
    from django.db import connection

    from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
    from tests.flows.graphs import webhook_graph
    from tests.support.webhooks import call_webhook

    connection.set_tenant(organization)
    flow = flow_create(user=None, name="Hook", graph=webhook_graph())
    flow_publish(flow=flow, user=None)
    flow = flow_set_active(flow=flow, active=True)
    connection.set_schema_to_public()
    hook = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", BRACKETS)
    assert hook.status_code == 400 and hook.json()["error"]["code"] == "too_deep"
    nul = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", b'{"a": "\\u0000"}')
    assert nul.status_code == 400 and nul.json()["error"]["code"] == "invalid_text"
    graphql = data.client_for(None).post("/graphql/", BRACKETS, content_type="application/json")
    assert graphql.status_code == 400 and graphql.json()["errors"][0]["extensions"]["code"] == "too_deep"
