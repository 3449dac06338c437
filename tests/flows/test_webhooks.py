import hashlib
import hmac
import json

import pytest
from django.db import connection

from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from tests.flows.graphs import webhook_graph


@pytest.fixture
def organization(data):
    return data.create_organization(slug="hook-co")


def make_flow(organization, active=True, **trigger):
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="Orders", graph=webhook_graph(**trigger))
    flow_publish(flow=flow, user=None)
    if active:
        flow_set_active(flow=flow, active=True)
    connection.set_schema_to_public()
    return flow


def post(data, organization, flow, body=b'{"qty": 3, "price": 50}', **headers):
    client = data.client_for(organization)
    return client.post(f"/webhook/{flow.webhook_token}", body, content_type="application/json", **headers)


def test_immediate_mode_answers_202_and_the_run_executes(data, organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = make_flow(organization)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(data, organization, flow, HTTP_X_TRACE="abc")
    assert response.status_code == 202
    run_id = response.json()["run_id"]
    connection.set_tenant(organization)
    run = Run.objects.get(pk=run_id)
    assert run.status == "success" and run.trigger == "webhook"
    assert run.input_items[0]["body"] == {"qty": 3, "price": 50}
    assert run.input_items[0]["headers"]["X-Trace"] == "abc"
    assert "Cookie" not in run.input_items[0]["headers"]
    assert run.response == {"status": 201, "body": {"size": "large", "total": 150}, "headers": {}}


def test_inactive_unknown_and_wrong_method(data, organization):
    inactive = make_flow(organization, active=False)
    assert post(data, organization, inactive).status_code == 404
    assert data.client_for(organization).post("/webhook/" + "x" * 32, b"{}", content_type="application/json").status_code == 404
    flow = make_flow(organization, methods=["PUT"])
    response = post(data, organization, flow)
    assert response.status_code == 405 and response["Allow"] == "PUT"
    other = data.create_organization(slug="hook-other")
    assert post(data, other, flow).status_code == 404  # the token means nothing on another organization's host


def test_secret_header_and_hmac_signature(data, organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = make_flow(organization, auth="header", auth_header="X-Token", secret="s3cret")
    assert post(data, organization, flow).status_code == 401
    assert post(data, organization, flow, HTTP_X_TOKEN="wrong").status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        assert post(data, organization, flow, HTTP_X_TOKEN="s3cret").status_code == 202

    signed = make_flow(organization, auth="hmac", secret="k3y")
    body = b'{"qty": 1, "price": 1}'
    signature = "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert post(data, organization, signed, body=body, HTTP_X_EZFLOW_SIGNATURE="sha256=" + "0" * 64).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        assert post(data, organization, signed, body=body, HTTP_X_EZFLOW_SIGNATURE=signature).status_code == 202


def test_bad_json_is_a_clear_400(data, organization):
    flow = make_flow(organization)
    response = post(data, organization, flow, body=b"{oops")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "bad_json"


def test_a_body_over_the_limit_is_a_clear_413(data, organization, settings):
    flow = make_flow(organization)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(data, organization, flow, body=b'{"x": "' + b"a" * 2000 + b'"}')
    assert response.status_code == 413 and json.loads(response.content)["error"]["code"] == "too_large"
