"""Run and node events travel from the worker to browsers: embedded (PostgreSQL channel layer) and scale-out
(Redis channel layer, the client on the other daphne process than the one that started the run)."""

import asyncio
import json

import pytest
import websockets

from tests.support.data import PASSWORD
from tests.support.stack import Stack, signup

pytestmark = pytest.mark.stack

GRAPH = {
    "nodes": [
        {"id": "start", "type": "trigger.manual", "name": "Start"},
        {"id": "set", "type": "data.set", "name": "Set", "parameters": {"fields": [{"name": "secret_value", "value": "do-not-leak"}]}},
        {"id": "end", "type": "flow.noop", "name": "End"},
    ],
    "edges": [{"source": "start", "target": "set"}, {"source": "set", "target": "end"}],
}


def watch_a_run(stack: Stack, slug: str, *, socket_port: int, api_port: int) -> list[dict]:
    signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost", port=api_port)
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": "Live", "graph": GRAPH}).json()
    client.post(f"/api/v1/flows/{flow['id']}/publish", json={})
    ticket = client.post("/api/v1/realtime/ticket").json()["ticket"]

    async def scenario():
        url = f"ws://{slug}.localhost:{socket_port}/ws/?ticket={ticket}"
        async with websockets.connect(url, host="127.0.0.1", port=socket_port, origin=f"http://{slug}.localhost:{socket_port}") as socket:
            await socket.send(json.dumps({"type": "subscribe", "page": "flow", "id": flow["id"]}))
            assert json.loads(await socket.recv())["type"] == "subscribed"
            run = await asyncio.to_thread(lambda: client.post(f"/api/v1/flows/{flow['id']}/run", json={}).json())
            await socket.send(json.dumps({"type": "subscribe", "page": "run", "id": run["id"]}))
            events = []
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), timeout=30))
                if message.get("type") == "subscribed":
                    continue
                events.extend(message["events"] if message.get("type") == "nodes" else [message])
                if message["type"] in ("run.success", "run.failed"):
                    return events

    return asyncio.run(scenario())


def check(events: list[dict]) -> None:
    kinds = [e["type"] for e in events]
    assert kinds[0] == "run.queued" and kinds[-1] == "run.success", kinds
    assert "run.started" in kinds
    finished = [e["node_id"] for e in events if e["type"] == "node.finished"]
    assert set(finished) >= {"set", "end"}, kinds
    node_seqs = [e["seq"] for e in events if e["type"].startswith("node.")]
    assert node_seqs == sorted(node_seqs) and len(set(node_seqs)) == len(node_seqs), node_seqs  # in order, no duplicates
    assert "do-not-leak" not in json.dumps(events)  # events never carry item data


def test_events_reach_the_browser_in_embedded_mode(embedded_stack):
    check(watch_a_run(embedded_stack, "live-emb", socket_port=embedded_stack.port, api_port=embedded_stack.port))


@pytest.fixture(scope="module")
def two_web_processes(redis_url, django_db_setup):
    stack = Stack(mode="scale-out", web_processes=2, workers=1, redis_url=redis_url).start()
    yield stack
    stack.stop()


@pytest.mark.scaleout
def test_events_reach_a_client_on_the_other_web_process(two_web_processes):
    first, second = two_web_processes.ports
    check(watch_a_run(two_web_processes, "live-out", socket_port=second, api_port=first))
