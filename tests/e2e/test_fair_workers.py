"""One organization cannot starve the others (issue 12, break 5), with a real worker as `make run` starts it.

The worker has 4 slots (threads, every queue). One organization floods it with runs whose code step sleeps and runs
whose HTTP call is slow; another organization's one-step run must still finish at once, and every flooding run
must finish too (deferred while over its limit, never dropped)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.support.data import PASSWORD
from tests.support.fake_http import FakeServer
from tests.support.stack import Stack, signup

pytestmark = pytest.mark.stack

SLEEP = 4  # seconds each flooding run holds a slot
FLOOD = 4  # runs of each kind the flooding organization starts


def node(node_id, type_, **parameters):
    return {"id": node_id, "type": type_, "name": node_id, "parameters": parameters}


def linear(*nodes) -> dict:
    return {
        "nodes": list(nodes),
        "edges": [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)],
    }


def organization(stack, slug: str):
    signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def published(client, name: str, graph: dict) -> int:
    flow = client.post("/api/v1/flows", json={"name": name, "graph": graph})
    assert flow.status_code == 201, flow.text
    assert client.post(f"/api/v1/flows/{flow.json()['id']}/publish", json={}).status_code in (200, 201)
    return flow.json()["id"]


def start_run(client, flow_id: int) -> int:
    response = client.post(f"/api/v1/flows/{flow_id}/run", json={})
    assert response.status_code in (200, 201, 202), response.text
    return response.json()["id"]


def wait_finished(client, run_ids, stack, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [client.get(f"/api/v1/runs/{run_id}").json() for run_id in run_ids]
        if all(run["status"] in ("success", "failed", "cancelled") for run in runs):
            return runs
        time.sleep(0.25)
    raise AssertionError(f"runs not finished in {timeout:g}s: {[r['status'] for r in runs]}\n{stack.logs()}")


def wait_running(client, run_ids, count: int, stack, timeout: float = 30) -> None:
    """Until `count` of these runs hold a worker slot (a fixed pause was either too short on a busy machine or wasted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = [client.get(f"/api/v1/runs/{run_id}").json()["status"] for run_id in run_ids]
        if statuses.count("running") >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} runs running in {timeout:g}s: {statuses}\n{stack.logs()}")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def most_at_once(runs: list[dict]) -> int:
    """The largest number of these runs that were executing at the same moment."""
    events = sorted([(at(r["started_at"]), 1) for r in runs] + [(at(r["finished_at"]), -1) for r in runs])
    current = peak = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


@pytest.fixture(scope="module")
def fair_stack(django_db_setup):
    stack = Stack(
        worker_pool="threads",
        worker_concurrency=4,
        extra_env={"EZFLOW_WORKER_CONCURRENCY": "4", "EZFLOW_ORG_MAX_CONCURRENT_RUNS": "3", "EZFLOW_BLOCKING_RUNS_MAX": "2"},
    ).start()
    yield stack
    stack.stop()


def test_a_flood_of_sleeping_code_steps_and_slow_calls_does_not_delay_another_organization(fair_stack):
    with FakeServer() as server:

        def slow(request):
            time.sleep(SLEEP)
            return 200, {}, {"ok": True}

        server.routes["/slow"] = slow
        hog = organization(fair_stack, "hog-co")
        assert hog.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
        code = linear(
            node("start", "trigger.manual"),
            node("nap", "code.python", code=f"import time\ntime.sleep({SLEEP})\nresult = items"),
        )
        call = linear(node("start", "trigger.manual"), node("call", "net.http", method="GET", url=server.url("/slow")))
        sleepy, calling = published(hog, "Sleepy", code), published(hog, "Calling", call)
        neighbour = organization(fair_stack, "neighbour-co")
        quick = published(
            neighbour, "Quick", linear(node("start", "trigger.manual"), node("set", "data.set", fields=[{"name": "done", "value": True}]))
        )

        flood = [start_run(hog, sleepy) for _ in range(FLOOD)] + [start_run(hog, calling) for _ in range(FLOOD)]
        wait_running(hog, flood, 3, fair_stack)  # the worker has picked up the flood (EZFLOW_ORG_MAX_CONCURRENT_RUNS)
        asked = time.monotonic()
        (mine,) = wait_finished(neighbour, [start_run(neighbour, quick)], fair_stack, timeout=30)
        waited = time.monotonic() - asked
        print(f"other organization waited {waited:.2f}s")
        assert mine["status"] == "success", mine
        # Without the limits the 4 slots are all sleeping and this run waits SLEEP seconds or more.
        assert waited < SLEEP - 1, f"the other organization's run waited {waited:.1f}s"

        # Deferred, not dropped: the flood finishes, never more than its limits at once.
        hogged = wait_finished(hog, flood, fair_stack, timeout=45)
        assert [run["status"] for run in hogged] == ["success"] * len(flood), hogged
        assert most_at_once(hogged) <= 3  # EZFLOW_ORG_MAX_CONCURRENT_RUNS
        assert most_at_once(hogged[:FLOOD]) <= 2  # EZFLOW_BLOCKING_RUNS_MAX: code steps
        assert len(server.requests) == FLOOD  # each slow call made once


@pytest.fixture
def scaleout_stack(django_db_setup, redis_url):
    # As in production: one worker for quick runs and maintenance, one for runs with blocking steps.
    stack = Stack(
        mode="scale-out",
        redis_url=redis_url,
        workers=2,
        worker_concurrency=2,
        worker_queues=(("runs", "maintenance", "default"), ("runs_slow",)),
    ).start()
    yield stack
    stack.stop()


def test_scale_out_slow_runs_have_their_own_workers(scaleout_stack):
    hog = organization(scaleout_stack, "hog-out")
    code = linear(node("start", "trigger.manual"), node("nap", "code.python", code=f"import time\ntime.sleep({SLEEP})\nresult = items"))
    sleepy = published(hog, "Sleepy", code)
    neighbour = organization(scaleout_stack, "neighbour-out")
    quick = published(
        neighbour, "Quick", linear(node("start", "trigger.manual"), node("set", "data.set", fields=[{"name": "a", "value": 1}]))
    )

    flood = [start_run(hog, sleepy) for _ in range(FLOOD)]
    wait_running(hog, flood, 2, scaleout_stack)  # the slow worker's two processes are busy
    asked = time.monotonic()
    (mine,) = wait_finished(neighbour, [start_run(neighbour, quick)], scaleout_stack, timeout=30)
    waited = time.monotonic() - asked
    print(f"scale-out: other organization waited {waited:.2f}s")
    assert mine["status"] == "success" and waited < SLEEP - 1, (mine, waited)
    hogged = wait_finished(hog, flood, scaleout_stack, timeout=45)
    assert [run["status"] for run in hogged] == ["success"] * FLOOD
    assert most_at_once(hogged) <= 2  # the slow worker's two processes
