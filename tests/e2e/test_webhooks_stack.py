"""Webhooks against real processes: wait-for-result inline in daphne, immediate mode through the worker."""

import time

import pytest

from tests.flows.graphs import webhook_graph
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = pytest.mark.stack


def setup_flow(stack, slug, **trigger):
    signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": "Orders", "graph": webhook_graph(**trigger)}).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code == 201
    assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
    return client, flow


def test_wait_mode_answers_with_the_respond_node(embedded_stack):
    client, flow = setup_flow(embedded_stack, "hook-wait", response_mode="wait", response_timeout_seconds=10)
    large = client.post(flow["webhook_path"], json={"qty": 3, "price": 50})
    assert large.status_code == 201 and large.json() == {"size": "large", "total": 150}
    small = client.post(flow["webhook_path"], json={"qty": 1, "price": 5})
    assert small.status_code == 200 and small.json() == {"size": "small", "total": 5}
    runs = client.get(f"/api/v1/runs?flow={flow['id']}").json()
    assert runs["count"] == 2 and {r["status"] for r in runs["results"]} == {"success"}


def test_immediate_mode_runs_on_the_worker(embedded_stack):
    client, flow = setup_flow(embedded_stack, "hook-now")
    accepted = client.post(flow["webhook_path"], json={"qty": 2, "price": 10})
    assert accepted.status_code == 202
    run_id = accepted.json()["run_id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run = client.get(f"/api/v1/runs/{run_id}").json()
        if run["status"] in ("success", "failed"):
            break
        time.sleep(0.2)
    assert run["status"] == "success", run
    assert {n["node_id"] for n in run["node_runs"]} == {"hook", "set", "if", "no"}


def test_a_failing_flow_does_not_tell_the_caller_its_internal_error(embedded_stack):
    from tests.flows.graphs import node

    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait"),
            node("boom", "flow.stop_error", "Boom", message="internal detail {{ json.body.secret }}"),
        ],
        "edges": [{"source": "hook", "target": "boom"}],
    }
    signup(embedded_stack, "hook-fail", "owner@hook-fail.example", PASSWORD)
    client = embedded_stack.http("hook-fail.localhost")
    token = client.post("/api/v1/auth/token", json={"email": "owner@hook-fail.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": "Fails", "graph": graph}).json()
    client.post(f"/api/v1/flows/{flow['id']}/publish", json={})
    client.post(f"/api/v1/flows/{flow['id']}/activate")
    answer = client.post(flow["webhook_path"], json={"secret": "s3cr3t"})
    assert answer.status_code == 500
    assert "s3cr3t" not in answer.text and "internal detail" not in answer.text
    run = client.get(f"/api/v1/runs/{answer.json()['run_id']}").json()
    assert run["status"] == "failed" and "internal detail s3cr3t" in run["error"]
