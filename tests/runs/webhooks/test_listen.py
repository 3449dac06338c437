"""“Listen for a test request”: the editor waits, a real call to the test address is captured as a production run
would receive it, and the editor reads it back to pin it."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import Role
from apps.flows.models import Flow
from apps.flows.services.flows import flow_publish, flow_set_active
from apps.runs.models import Run, WebhookListen
from tests.flows.graphs import webhook_graph
from tests.support.webhooks import call_webhook

JSON = "application/json"


@pytest.fixture
def organization(data):
    return data.create_organization(slug="listen-co")


@pytest.fixture
def api(data, organization):
    return data.editor_api(organization)


def create_flow(api, **trigger) -> dict:
    response = api.post("/api/v1/flows", {"name": "Orders", "graph": webhook_graph(**trigger)}, content_type=JSON)
    assert response.status_code == 201, response.content
    return response.json()


def listen(api, flow, node_id="hook"):
    return api.post(f"/api/v1/flows/{flow['id']}/webhook-listen", {"node_id": node_id}, content_type=JSON)


def test_listen_shows_the_test_address_and_a_curl_example_then_captures_the_request(api, organization):
    flow = create_flow(api)
    started = listen(api, flow)
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["status"] == "listening" and body["item"] is None
    token = flow["webhook_path"].rsplit("/", 1)[1]
    assert body["test_url"].endswith(f"/webhook-test/{token}")
    assert body["curl"].startswith(f"curl -X POST {body['test_url']}") and "Content-Type: application/json" in body["curl"]

    answer = call_webhook(organization.host, f"/webhook-test/{token}?source=form", b'{"name": "Kim", "amount": 12000}', HTTP_X_TRACE="t1")
    assert answer.status_code == 200 and answer.json()["status"] == "captured"

    polled = api.get(f"/api/v1/flows/{flow['id']}/webhook-listen/{body['id']}").json()
    assert polled["status"] == "captured"
    item = polled["item"]
    assert item["body"] == {"name": "Kim", "amount": 12000} and item["query"] == {"source": "form"} and item["method"] == "POST"
    assert item["headers"]["X-Trace"] == "t1" and "Host" not in item["headers"]
    # Only one request per listen: the next one is refused until the editor listens again.
    again = call_webhook(organization.host, f"/webhook-test/{token}", b"{}")
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_listening"


def test_the_captured_item_is_exactly_what_a_production_run_receives(api, organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = create_flow(api)
    connection.set_tenant(organization)
    stored = Flow.objects.get(pk=flow["id"])
    flow_publish(flow=stored, user=None)
    flow_set_active(flow=stored, active=True)
    connection.set_schema_to_public()
    started = listen(api, flow).json()
    token = flow["webhook_path"].rsplit("/", 1)[1]
    request = {"body": b'{"qty": 3, "price": 50, "note": "\xec\x95\x88\xeb\x85\x95"}', "HTTP_X_TRACE": "same", "HTTP_COOKIE": "a=b"}
    call_webhook(organization.host, f"/webhook-test/{token}?page=2", **request)
    with django_capture_on_commit_callbacks(execute=True):
        production = call_webhook(organization.host, f"/webhook/{token}?page=2", **request)
    assert production.status_code == 202
    captured = api.get(f"/api/v1/flows/{flow['id']}/webhook-listen/{started['id']}").json()["item"]
    connection.set_tenant(organization)
    run = Run.objects.latest("id")
    assert captured == json.loads(json.dumps(run.input_items[0]))
    assert set(captured) == {"method", "headers", "query", "body"}


def test_nobody_listening_expired_stopped_and_other_organizations(api, data, organization):
    flow = create_flow(api)
    token = flow["webhook_path"].rsplit("/", 1)[1]
    refused = call_webhook(organization.host, f"/webhook-test/{token}", b"{}")
    assert refused.status_code == 404 and "Listen for a test request" in refused.json()["error"]["message"]

    started = listen(api, flow).json()
    other = data.create_organization(slug="listen-other")
    assert call_webhook(other.host, f"/webhook-test/{token}", b"{}").status_code == 404  # the token is this org's only
    assert api.delete(f"/api/v1/flows/{flow['id']}/webhook-listen/{started['id']}").status_code == 204
    assert call_webhook(organization.host, f"/webhook-test/{token}", b"{}").status_code == 404

    expiring = listen(api, flow).json()
    connection.set_tenant(organization)
    WebhookListen.objects.filter(pk=expiring["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    connection.set_schema_to_public()
    assert call_webhook(organization.host, f"/webhook-test/{token}", b"{}").status_code == 404
    assert api.get(f"/api/v1/flows/{flow['id']}/webhook-listen/{expiring['id']}").json()["status"] == "expired"


def test_bad_input_and_roles(api, data, organization):
    flow = create_flow(api)
    wrong = listen(api, flow, node_id="set")
    assert wrong.status_code == 400 and wrong.json()["error"]["fields"]
    assert api.post(f"/api/v1/flows/{flow['id']}/webhook-listen", {}, content_type=JSON).json()["node_id"] == "hook"
    manual = api.post("/api/v1/flows", {"name": "Manual", "graph": {"nodes": [], "edges": []}}, content_type=JSON).json()
    none = api.post(f"/api/v1/flows/{manual['id']}/webhook-listen", {}, content_type=JSON)
    assert none.status_code == 409 and none.json()["error"]["code"] == "no_webhook_step"
    viewer = data.editor_api(organization, role=Role.VIEWER)
    assert listen(viewer, flow).status_code == 403
    started = listen(api, flow).json()
    token = flow["webhook_path"].rsplit("/", 1)[1]
    bad = call_webhook(organization.host, f"/webhook-test/{token}", b'{"broken": ')
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_json"
    assert api.get(f"/api/v1/flows/{flow['id']}/webhook-listen/{started['id']}").json()["status"] == "listening"
    form = call_webhook(organization.host, f"/webhook-test/{token}", b"name=Kim&amount=5", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 200
    item = api.get(f"/api/v1/flows/{flow['id']}/webhook-listen/{started['id']}").json()["item"]
    assert item["body"] == {"name": "Kim", "amount": "5"}


def test_curl_example_follows_the_step_method(api):
    flow = create_flow(api, methods=["GET"])
    curl = listen(api, flow).json()["curl"]
    assert curl.startswith("curl -X GET ") and "?name=Kim&amount=12000" in curl and "-d" not in curl
