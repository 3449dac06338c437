"""Live event delay: from "node finished" in the worker to "event received" by WebSocket clients.

Starts real processes (tests.support.stack.Stack): embedded mode (PostgreSQL channel layer, one daphne), and
scale-out mode (Redis channel layer, two daphne processes, workers on Redis) when REDIS_URL is set. BENCH_CLIENTS
(50) clients stay connected, each with its own ticket. Runs are started at BENCH_RATE (20) per second through the
API for BENCH_SECONDS (20); each new run is watched by BENCH_WATCHERS (5) of the clients in turn, which open its
page (subscribe) as soon as the API returns its id and leave it when the run ends, like people opening runs that
just started. The flow waits BENCH_WAIT (0.5) s first, so the watchers are on the page before its nodes finish,
then runs four quick nodes.

The delay of each node event is the receive time minus the `finished_at` the worker put in the event (one
machine, one clock). Printed: p50, p99 and max over every watcher's events, and how many arrived.
Run with `make bench BENCH=ws_latency`.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import threading
import time

from bench.common import percentile, run_modes, setup_django

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
RATE = float(os.environ.get("BENCH_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WAIT = float(os.environ.get("BENCH_WAIT", "0.5"))
WATCHERS = int(os.environ.get("BENCH_WATCHERS", "5"))
PASSWORD = "bench-passphrase-123"


def flow_graph() -> dict:
    def node(node_id, type_, **parameters):
        return {"id": node_id, "type": type_, "name": node_id, "parameters": parameters}

    return {
        "nodes": [
            node("start", "trigger.manual"),
            node("pause", "flow.wait", mode="duration", seconds=WAIT),
            node("set", "data.set", fields=[{"name": "total", "value": 14}]),
            node("if", "flow.if", conditions=[{"left": "{{ json.total }}", "operator": "gt", "right": 10}]),
            node("big", "data.set", fields=[{"name": "size", "value": "large"}]),
            node("small", "data.set", fields=[{"name": "size", "value": "small"}]),
        ],
        "edges": [
            {"source": "start", "target": "pause"},
            {"source": "pause", "target": "set"},
            {"source": "set", "target": "if"},
            {"source": "if", "source_port": "true", "target": "big"},
            {"source": "if", "source_port": "false", "target": "small"},
        ],
    }


def prepare(stack, slug: str):
    from tests.support.stack import signup

    signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": "Live bench", "graph": flow_graph()}).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={}).status_code == 201
    tickets = [client.post("/api/v1/realtime/ticket").json()["ticket"] for _ in range(CLIENTS)]
    return client, flow, tickets


async def follow(port: int, host: str, ticket: str, runs: asyncio.Queue, delays: list, stop: asyncio.Event, ready: asyncio.Event, counts):
    import websockets

    url = f"ws://{host}:{port}/ws/?ticket={ticket}"
    async with websockets.connect(url, host="127.0.0.1", port=port, origin=f"http://{host}:{port}", max_queue=None) as socket:

        async def subscribe():
            while True:
                run_id = await runs.get()
                await socket.send(json.dumps({"type": "subscribe", "page": "run", "id": run_id}))

        subscriber = asyncio.create_task(subscribe())
        ready.set()
        try:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                received = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                counts[kind] = counts.get(kind, 0) + 1
                if kind == "nodes":
                    for event in message["events"]:
                        if event.get("finished_at"):
                            delays.append(received - event["finished_at"])
                elif kind in ("run.success", "run.failed"):
                    await socket.send(json.dumps({"type": "unsubscribe", "page": "run", "id": message["run_id"]}))
        finally:
            subscriber.cancel()


def start_runs(client, flow_id: int, seconds: float, started: list, assign) -> None:
    """Starts RATE runs per second on schedule (several requests in flight when the API answers slowly); each new
    run is handed to its watchers."""
    from concurrent.futures import ThreadPoolExecutor

    def post(index: int) -> None:
        answer = client.post(f"/api/v1/flows/{flow_id}/run", json={"items": [{"qty": index % 3}]})
        started.append(answer.status_code)
        if answer.status_code == 202:
            assign(index, answer.json()["id"])

    interval, begin = 1 / RATE, time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for index in range(int(seconds * RATE)):
            time.sleep(max(0.0, begin + index * interval - time.monotonic()))
            pool.submit(post, index)


async def measure(stack, client, flow, tickets, host: str):
    delays: list[float] = []
    stop, counts = asyncio.Event(), {}
    readies = [asyncio.Event() for _ in tickets]
    queues = [asyncio.Queue() for _ in tickets]
    ports = stack.ports
    tasks = [
        asyncio.create_task(follow(ports[i % len(ports)], host, ticket, queues[i], delays, stop, readies[i], counts))
        for i, ticket in enumerate(tickets)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=60)
    await asyncio.sleep(1)
    loop = asyncio.get_running_loop()

    def assign(index: int, run_id: int) -> None:
        for k in range(WATCHERS):
            queue = queues[(index * WATCHERS + k) % len(queues)]
            loop.call_soon_threadsafe(queue.put_nowait, run_id)

    started: list[int] = []
    driver = threading.Thread(target=start_runs, args=(client, flow["id"], SECONDS, started, assign))
    driver.start()
    while driver.is_alive():
        await asyncio.sleep(0.2)
    await asyncio.sleep(WAIT + 3)  # the last runs finish
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return delays, started, counts


def run_mode(mode: str, redis_url: str = "") -> None:
    from ezflow_site.processes import celery_worker_command
    from tests.support.stack import Stack

    web = 2 if redis_url else 1
    stack = Stack(mode=mode, web_processes=web, workers=1, redis_url=redis_url).start()
    try:
        # Each run sleeps WAIT seconds in its worker: add worker slots for RATE runs per second (two more worker
        # processes in scale-out mode, one in embedded mode).
        # Threads rather than forked children: the runs mostly sleep, and forty processes with their own
        # connection pools would exhaust the database server's connections.
        extra = 2 if redis_url else 1
        per_worker = max(2, int(RATE * (WAIT + 0.3) / extra) + 2)
        for index in range(extra):
            command = celery_worker_command(hostname=f"bench{index}-{stack.database}@%h", concurrency=per_worker) + ["-P", "threads"]
            stack._spawn(f"bench-worker{index}", command, stack.env(), stack.tmp / "logs")
        slug = f"live-{mode.replace('-', '')}"
        client, flow, tickets = prepare(stack, slug)
        delays, started, counts = asyncio.run(measure(stack, client, flow, tickets, f"{slug}.localhost"))
        if os.environ.get("BENCH_DEBUG"):
            statuses = {
                st: client.get(f"/api/v1/runs?flow={flow['id']}&status={st}").json()["count"] for st in ("queued", "running", "success")
            }
            print(counts, statuses)
            print(stack.logs()[-3000:])
        ok = sum(1 for s in started if s == 202)
        expected = ok * 5 * min(WATCHERS, len(tickets))  # the wait and four quick nodes finish while watched
        print(
            f"{mode:<10} clients {len(tickets)}, {WATCHERS} per run  runs {ok}/{len(started)} ({ok / SECONDS:.1f}/s)  node events received "
            f"{len(delays)} of {expected}  "
            f"p50 {statistics.median(delays) * 1000 if delays else float('nan'):6.1f} ms   p99 {percentile(delays, 99) * 1000:6.1f} ms   "
            f"max {max(delays, default=float('nan')) * 1000:6.1f} ms",
            flush=True,
        )
    finally:
        stack.stop()


def main() -> int:
    setup_django()
    import logging

    logging.getLogger("httpx2").setLevel(logging.WARNING)
    print(f"{CLIENTS} WebSocket clients, {RATE:g} runs/s for {SECONDS:g} s; delay from node finished (worker) to event received")
    return run_modes(run_mode)


if __name__ == "__main__":
    sys.exit(main())
