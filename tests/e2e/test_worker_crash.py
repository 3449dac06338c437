"""A worker killed in the middle of a run: another worker finishes it and no completed node runs twice."""

import os
import signal
import time

import pytest

from tests.support.data import PASSWORD
from tests.support.fake_http import FakeServer
from tests.support.stack import Stack, signup

pytestmark = pytest.mark.stack


def graph(url: str) -> dict:
    def node(node_id, type_, **parameters):
        return {"id": node_id, "type": type_, "name": node_id, "parameters": parameters}

    return {
        "nodes": [
            node("start", "trigger.manual"),
            node("charge", "net.http", method="POST", url=url),
            node("pause", "flow.wait", seconds=4),
            node("done", "data.set", fields=[{"name": "finished", "value": True}]),
        ],
        "edges": [{"source": "start", "target": "charge"}, {"source": "charge", "target": "pause"}, {"source": "pause", "target": "done"}],
    }


def wait_for(predicate, stack, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met in {timeout:g}s\n{stack.logs()}")


def test_killed_worker_run_is_finished_by_another_without_repeating_nodes(django_db_setup):
    stack = Stack(beat=True, extra_env={"EZFLOW_STUCK_RUN_SECONDS": "2", "EZFLOW_REQUEUE_SECONDS": "1"}).start()
    try:
        with FakeServer() as server:
            server.routes["/charge"] = lambda r: (200, {}, {"charged": True})
            signup(stack, "crash-co", "owner@crash-co.example", PASSWORD)
            client = stack.http("crash-co.localhost")
            token = client.post("/api/v1/auth/token", json={"email": "owner@crash-co.example", "password": PASSWORD}).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            assert client.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
            flow = client.post("/api/v1/flows", json={"name": "Charge", "graph": graph(server.url("/charge"))}).json()
            client.post(f"/api/v1/flows/{flow['id']}/publish", json={})
            run = client.post(f"/api/v1/flows/{flow['id']}/run", json={}).json()

            def charged():
                detail = client.get(f"/api/v1/runs/{run['id']}").json()
                # "started" is written before the call (the journal); the charge is done once it is a success
                return detail if any(n["node_id"] == "charge" and n["status"] == "success" for n in detail["node_runs"]) else None

            wait_for(charged, stack)  # the charge is done and saved; the worker now sleeps in "pause"
            worker = next(p for p in stack.processes if "worker" in p.args)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            stack.add_worker()

            finished = wait_for(
                lambda: (lambda d: d if d["status"] in ("success", "failed") else None)(client.get(f"/api/v1/runs/{run['id']}").json()),
                stack,
                timeout=60,
            )
            assert finished["status"] == "success", finished
            assert len(server.requests) == 1  # the completed HTTP call was not made again
            assert {n["node_id"] for n in finished["node_runs"]} == {"start", "charge", "pause", "done"}
    finally:
        stack.stop()
