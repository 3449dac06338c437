"""The lean /webhook/ route (apps.runs.webhooks.asgi) against real daphne processes: two web processes on their own
ports, so changes made through one process must apply to the very next call served by the other."""

import asyncio
import hashlib
import hmac
import json
import re
import time

import psycopg
import pytest
import websockets

from ezflow_site import dbadmin
from tests.flows.graphs import edge, node, webhook_graph
from tests.support.data import PASSWORD
from tests.support.stack import METRICS_TOKEN, Stack, _server_url, signup

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def stack(django_db_setup):
    stack = Stack(mode="embedded", web_processes=2).start()
    yield stack
    stack.stop()


def api(stack, slug, port=None):
    if not getattr(stack, "_signed_up", None):
        stack._signed_up = set()
    if slug not in stack._signed_up:
        signup(stack, slug, f"owner@{slug}.example", PASSWORD)
        stack._signed_up.add(slug)
    client = stack.http(f"{slug}.localhost", port=port)
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def make_flow(client, graph, *, history=True):
    flow = client.post("/api/v1/flows", json={"name": "Hook", "graph": graph}).json()
    if not history:
        assert client.patch(f"/api/v1/flows/{flow['id']}", json={"save_history": False}).status_code == 200
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={}).status_code == 201
    assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200
    return flow


def caller(stack, slug, port):
    return stack.http(f"{slug}.localhost", port=port)


def wait_graph(**trigger):
    return webhook_graph(response_mode="wait", response_timeout_seconds=10, **trigger)


def test_publish_deactivate_and_activate_apply_to_the_next_call_in_the_other_process(stack):
    first, second = stack.ports
    client = api(stack, "hook-cache", port=first)
    flow = make_flow(client, wait_graph())
    outside = caller(stack, "hook-cache", second)
    assert outside.post(flow["webhook_path"], json={"qty": 3, "price": 50}).json() == {"size": "large", "total": 150}

    graph = wait_graph()
    graph["nodes"][3]["parameters"]["body"] = {"size": "huge", "total": "{{ json.total }}"}
    client.patch(f"/api/v1/flows/{flow['id']}", json={"graph": graph})
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={}).status_code == 201
    assert outside.post(flow["webhook_path"], json={"qty": 3, "price": 50}).json() == {"size": "huge", "total": 150}

    client.post(f"/api/v1/flows/{flow['id']}/deactivate")
    gone = outside.post(flow["webhook_path"], json={"qty": 3, "price": 50})
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    client.post(f"/api/v1/flows/{flow['id']}/activate")
    assert outside.post(flow["webhook_path"], json={"qty": 1, "price": 5}).status_code == 200


def test_a_suspended_organization_gets_403_on_the_next_call(stack):
    first, second = stack.ports
    flow = make_flow(api(stack, "hook-susp", port=first), wait_graph())
    outside = caller(stack, "hook-susp", second)
    assert outside.post(flow["webhook_path"], json={"qty": 1, "price": 1}).status_code == 200
    url = dbadmin.with_database(_server_url(), stack.database)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE accounts_organization SET status = 'suspended' WHERE slug = 'hook-susp'")
        try:
            refused = outside.post(flow["webhook_path"], json={"qty": 1, "price": 1})
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "organization_suspended"
        finally:
            conn.execute("UPDATE accounts_organization SET status = 'active' WHERE slug = 'hook-susp'")
    assert outside.post(flow["webhook_path"], json={"qty": 1, "price": 1}).status_code == 200


def test_runs_with_history_are_listed_with_their_node_runs(stack):
    client = api(stack, "hook-hist")
    flow = make_flow(client, wait_graph())
    outside = caller(stack, "hook-hist", stack.ports[1])
    for qty in (1, 3):
        assert outside.post(flow["webhook_path"], json={"qty": qty, "price": 50}).status_code in (200, 201)
    runs = client.get(f"/api/v1/runs?flow={flow['id']}").json()
    assert runs["count"] == 2 and {r["status"] for r in runs["results"]} == {"success"}
    detail = client.get(f"/api/v1/runs/{runs['results'][0]['id']}").json()
    assert detail["trigger"] == "webhook" and detail["input_items"][0]["body"] == {"qty": 3, "price": 50}
    assert [n["node_id"] for n in detail["node_runs"]] == ["hook", "set", "if", "yes"]
    assert detail["node_runs"][1]["output_sample"]["main"]["items"][0]["total"] == 150


def test_history_off_keeps_failed_runs_only(stack):
    client = api(stack, "hook-off")
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait"),
            node("check", "flow.if", "Fail?", conditions=[{"left": "{{ json.body.fail }}", "operator": "is_true"}]),
            node("boom", "flow.stop_error", "Boom", message="asked to fail"),
            node("ok", "flow.respond", "Ok", status=200, body={"ok": True}),
        ],
        "edges": [edge("hook", "check"), edge("check", "boom", "true"), edge("check", "ok", "false")],
    }
    flow = make_flow(client, graph, history=False)
    outside = caller(stack, "hook-off", stack.ports[0])
    for _ in range(3):
        assert outside.post(flow["webhook_path"], json={"fail": False}).json() == {"ok": True}
    failed = outside.post(flow["webhook_path"], json={"fail": True})
    assert failed.status_code == 500 and "asked to fail" not in failed.text
    runs = client.get(f"/api/v1/runs?flow={flow['id']}").json()
    assert runs["count"] == 1 and runs["results"][0]["id"] == failed.json()["run_id"]
    detail = client.get(f"/api/v1/runs/{failed.json()['run_id']}").json()
    assert detail["status"] == "failed" and [n["node_id"] for n in detail["node_runs"]] == ["boom"]
    # The three successes still count in monitoring: each web process writes its counts about once a second.
    other = caller(stack, "hook-off", stack.ports[1])
    assert other.post(flow["webhook_path"], json={"fail": False}).json() == {"ok": True}  # counted in the other process
    deadline = time.monotonic() + 15
    while (stats := client.get(f"/api/v1/runs/stats?flow={flow['id']}").json())["total"] < 5 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert (stats["total"], stats["success"], stats["failed"]) == (5, 4, 1)


def test_checks_and_errors_on_the_lean_route(stack):
    client = api(stack, "hook-errs")
    outside = caller(stack, "hook-errs", stack.ports[1])
    put_only = make_flow(client, wait_graph(methods=["PUT"]))
    refused = outside.post(put_only["webhook_path"], json={})
    assert refused.status_code == 405 and refused.headers["Allow"] == "PUT"
    assert outside.put(put_only["webhook_path"], json={"qty": 1, "price": 1}).status_code == 200

    secret = make_flow(client, wait_graph(auth="header", auth_header="X-Token", secret="s3cret"))
    assert outside.post(secret["webhook_path"], json={"qty": 1, "price": 1}).status_code == 401
    assert outside.post(secret["webhook_path"], json={"qty": 1, "price": 1}, headers={"X-Token": "s3cret"}).status_code == 200

    signed = make_flow(client, wait_graph(auth="hmac", secret="k3y"))
    body = b'{"qty": 2, "price": 2}'
    good = "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json"}
    assert outside.post(signed["webhook_path"], content=body, headers={**headers, "X-EZFlow-Signature": "sha256=00"}).status_code == 401
    assert outside.post(signed["webhook_path"], content=body, headers={**headers, "X-EZFlow-Signature": good}).json()["total"] == 4

    plain = make_flow(client, wait_graph())
    bad = outside.post(plain["webhook_path"], content=b"{oops", headers={**headers, "Accept-Language": "ko"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_json"
    assert bad.json()["error"]["message"] != "The request body is not valid JSON."  # answered in Korean
    too_big = outside.post(plain["webhook_path"], content=b"x" * 3_000_000, headers={"Content-Type": "text/plain"})
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    assert outside.post("/webhook/" + "x" * 32, json={}).status_code == 404
    assert caller(stack, "hook-nobody", stack.ports[0]).post(plain["webhook_path"], json={}).status_code == 404  # unknown host


def test_query_and_headers_reach_the_flow_and_the_answer_carries_its_headers(stack):
    client = api(stack, "hook-echo")
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait", methods=["GET", "POST"]),
            node(
                "answer",
                "flow.respond",
                "Answer",
                status=200,
                body={"q": "{{ json.query.q }}", "trace": "{{ json.headers['X-Trace'] }}"},
                headers={"X-Answer": "yes"},
            ),
        ],
        "edges": [edge("hook", "answer")],
    }
    flow = make_flow(client, graph)
    answer = caller(stack, "hook-echo", stack.ports[0]).get(flow["webhook_path"] + "?q=hello", headers={"X-Trace": "t1", "Cookie": "a=b"})
    assert answer.status_code == 200 and answer.headers["X-Answer"] == "yes"
    assert answer.json() == {"q": "hello", "trace": "t1"}
    run_id = client.get(f"/api/v1/runs?flow={flow['id']}").json()["results"][0]["id"]
    run = client.get(f"/api/v1/runs/{run_id}").json()
    item = run["input_items"][0]
    assert item["method"] == "GET" and item["query"] == {"q": "hello"} and "Cookie" not in item["headers"]


def test_a_slow_flow_answers_504_and_its_run_finishes(stack):
    client = api(stack, "hook-slow")
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", response_mode="wait", response_timeout_seconds=1),
            node("pause", "flow.wait", "Pause", mode="duration", seconds=2),
            node("done", "flow.respond", "Done", status=200, body={"done": True}),
        ],
        "edges": [edge("hook", "pause"), edge("pause", "done")],
    }
    flow = make_flow(client, graph)
    late = caller(stack, "hook-slow", stack.ports[1]).post(flow["webhook_path"], json={})
    assert late.status_code == 504 and late.json()["status"] == "running"
    deadline = time.monotonic() + 20
    while (run := client.get(f"/api/v1/runs/{late.json()['run_id']}").json())["status"] != "success" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run["status"] == "success"


def test_live_event_and_metrics_for_a_run_written_at_its_end(stack):
    first, second = stack.ports
    client = api(stack, "hook-live", port=first)
    flow = make_flow(client, wait_graph())
    ticket = client.post("/api/v1/realtime/ticket").json()["ticket"]

    async def scenario():
        url = f"ws://hook-live.localhost:{first}/ws/?ticket={ticket}"
        async with websockets.connect(url, host="127.0.0.1", port=first, origin=f"http://hook-live.localhost:{first}") as socket:
            await socket.send(json.dumps({"type": "subscribe", "page": "flow", "id": flow["id"]}))
            assert json.loads(await socket.recv())["type"] == "subscribed"
            await asyncio.to_thread(lambda: caller(stack, "hook-live", second).post(flow["webhook_path"], json={"qty": 1, "price": 1}))
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), timeout=20))
                if message["type"] == "run.success":
                    return message

    event = asyncio.run(scenario())
    assert client.get(f"/api/v1/runs/{event['run_id']}").json()["status"] == "success"  # the row exists when the event arrives
    with stack.http("127.0.0.1", port=second) as scraper:
        text = scraper.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert re.search(r'ezflow_runs_started_total\{trigger="webhook"\} [1-9]', text), text[:2000]
    assert re.search(r'ezflow_http_request_duration_seconds_count\{method="POST",status="2xx"\} [1-9]', text), text[:2000]
