"""Webhook throughput: webhook → set → IF → respond (wait-for-result), over loopback.

Starts real processes (tests.support.stack.Stack): embedded mode, and scale-out mode when REDIS_URL is set.
For each concurrency (BENCH_CONCURRENCY, default 1,8,32) it sends requests for BENCH_SECONDS (20) and prints
runs/s, p50, p99, errors and the web processes' memory. BENCH_HISTORY=off measures a flow with history off.
Run with `make bench BENCH=webhook`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import psutil

from bench.common import percentile, run_modes, setup_django

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,8,32").split(",")]
PASSWORD = "bench-passphrase-123"


def flow_graph() -> dict:
    def node(node_id, type_, **parameters):
        return {"id": node_id, "type": type_, "name": node_id, "parameters": parameters}

    return {
        "nodes": [
            node("hook", "trigger.webhook", response_mode="wait", response_timeout_seconds=30),
            node("set", "data.set", fields=[{"name": "total", "value": "{{ json.body.qty * json.body.price }}"}]),
            node("if", "flow.if", conditions=[{"left": "{{ json.total }}", "operator": "gt", "right": 100}]),
            node("big", "flow.respond", status=200, body={"size": "large", "total": "{{ json.total }}"}),
            node("small", "flow.respond", status=200, body={"size": "small", "total": "{{ json.total }}"}),
        ],
        "edges": [
            {"source": "hook", "target": "set"},
            {"source": "set", "target": "if"},
            {"source": "if", "source_port": "true", "target": "big"},
            {"source": "if", "source_port": "false", "target": "small"},
        ],
    }


def prepare(stack, slug: str, history: bool) -> str:
    from tests.support.stack import signup

    signup(stack, slug, f"owner@{slug}.example", PASSWORD)
    client = stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    flow = client.post("/api/v1/flows", json={"name": "Bench", "graph": flow_graph()}).json()
    client.patch(f"/api/v1/flows/{flow['id']}", json={"save_history": history})
    client.post(f"/api/v1/flows/{flow['id']}/publish", json={})
    client.post(f"/api/v1/flows/{flow['id']}/activate")
    return flow["webhook_path"]


async def _worker(port: int, host: str, path: str, deadline: float, latencies: list, errors: list, index: int):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    counter = 0
    while time.perf_counter() < deadline:
        counter += 1
        body = b'{"qty": %d, "price": 7}' % (counter % 30)
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length, keep = 0, True
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                if name.lower() == "connection" and "close" in value.lower():
                    keep = False
            await reader.readexactly(length)
            if b" 200 " not in status_line:
                errors.append(status_line)
            else:
                latencies.append(time.perf_counter() - started)
            if not keep:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors.append(repr(exc))
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


async def load(ports: list[int], host: str, path: str, concurrency: int, seconds: float):
    latencies: list[float] = []
    errors: list = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*[_worker(ports[i % len(ports)], host, path, deadline, latencies, errors, i) for i in range(concurrency)])
    return latencies, errors, time.perf_counter() - started


def server_cpu(stack, web: int) -> tuple[float, float]:
    """CPU seconds used so far by the web processes and by this stack's PostgreSQL backends (less noisy than
    runs/s on a shared machine)."""
    web_cpu = db_cpu = 0.0
    for process in stack.processes[:web]:
        times = psutil.Process(process.pid).cpu_times()
        web_cpu += times.user + times.system
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if process.info["name"] == "postgres" and stack.database in " ".join(process.info["cmdline"] or []):
                times = process.cpu_times()
                db_cpu += times.user + times.system
        except psutil.Error:
            pass
    return web_cpu, db_cpu


def run_mode(mode: str, redis_url: str = "") -> None:
    from tests.support.stack import Stack

    web = int(os.environ.get("BENCH_WEB_PROCESSES", "2"))
    stack = Stack(mode=mode, web_processes=web, shared_socket=True, workers=2 if redis_url else 1, redis_url=redis_url).start()
    try:
        for history in [True, False] if os.environ.get("BENCH_HISTORY", "both") == "both" else [os.environ["BENCH_HISTORY"] == "on"]:
            slug = f"bench-{mode.replace('-', '')}-{'h' if history else 'n'}"
            path = prepare(stack, slug, history)
            asyncio.run(load(stack.ports, f"{slug}.localhost", path, 4, 2.0))  # warm-up
            for concurrency in CONCURRENCY:
                cpu_before = server_cpu(stack, web)
                latencies, errors, elapsed = asyncio.run(load(stack.ports, f"{slug}.localhost", path, concurrency, SECONDS))
                cpu_after = server_cpu(stack, web)
                web_ms, db_ms = (
                    (after - before) / max(len(latencies), 1) * 1000 for after, before in zip(cpu_after, cpu_before, strict=True)
                )
                if errors:
                    print("   sample errors:", sorted({str(e)[:90] for e in errors})[:3])
                rss = sum(psutil.Process(p.pid).memory_info().rss for p in stack.processes[:web]) / 2**20
                print(
                    f"{mode:<10} history={'on ' if history else 'off'} c={concurrency:<3} {len(latencies) / elapsed:8.1f} runs/s   "
                    f"p50 {statistics.median(latencies) * 1000 if latencies else float('nan'):7.1f} ms   "
                    f"p99 {percentile(latencies, 99) * 1000:7.1f} ms   errors {len(errors)}   web RSS {rss:6.0f} MB   "
                    f"server CPU {web_ms + db_ms:5.2f} ms/run (web {web_ms:4.2f}, db {db_ms:4.2f})",
                    flush=True,
                )
    finally:
        stack.stop()


def main() -> int:
    setup_django()
    print(f"webhook → set → IF → respond, wait-for-result; {SECONDS:g} s per concurrency level")
    return run_modes(run_mode)


if __name__ == "__main__":
    sys.exit(main())
