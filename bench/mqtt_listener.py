"""MQTT message trigger: how fast the listener supervisor turns broker messages into saved runs.

A fresh database with one organization and one active flow on `mqtt.message`; a supervisor (as in a worker) listens
through Mosquitto at 127.0.0.1:1883; BENCH_MESSAGES QoS 1 messages are published as fast as the broker takes them, and
each message's latency is the time from its publish to its run's commit. Runs are only saved (the Celery publish is
replaced by nothing), so this measures the listening path, not the flows' execution.
Run with `make bench BENCH=mqtt_listener` (or `python -m ezflow_site.launcher bench mqtt_listener`).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
import uuid

from bench.common import percentile, setup_django

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "500"))


def main() -> int:
    from ezflow_site import dbadmin

    server_url = os.environ["DATABASE_URL"]
    name = f"ezflow_bench_{uuid.uuid4().hex[:8]}"
    os.environ["DATABASE_URL"] = dbadmin.create_database(server_url, name)
    os.environ["EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS"] = "1"  # the local broker
    setup_django()
    import paho.mqtt.client as mqtt
    from django.core.management import call_command
    from django.db import connection, connections
    from paho.mqtt.enums import CallbackAPIVersion

    from apps.accounts.services.platform import public_site_ensure
    from apps.accounts.services.signup import organization_signup
    from apps.flows.services.credentials import credential_create
    from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
    from apps.runs import listeners
    from apps.runs.models import Run
    from apps.runs.services import runs as run_services

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_site_ensure()
        result = organization_signup(organization_name="Bench", slug="bench-mqtt", email="o@bench.example", password="bench-passphrase-123")
        organization = result.organization
        organization.allowed_internal_hosts = ["127.0.0.1"]
        organization.save()
        connection.set_tenant(organization)
        broker = credential_create(user=result.user, name="Broker", type="mqtt", data={"host": "127.0.0.1", "port": "1883"})
        topic = f"ezflow-bench/{uuid.uuid4().hex[:8]}"
        graph = {
            "nodes": [
                {
                    "id": "m",
                    "type": "mqtt.message",
                    "name": "Sensor",
                    "parameters": {"credential": broker.pk, "topic": f"{topic}/#", "qos": "1"},
                },
                {"id": "n", "type": "flow.noop", "name": "Do", "parameters": {}},
            ],
            "edges": [{"source": "m", "target": "n"}],
        }
        flow = flow_create(user=None, name="Bench", graph=graph)
        flow_publish(flow=flow, user=None)
        flow_set_active(flow=flow, active=True)
        run_services.run_publish = lambda **_: True  # saved runs only: no broker for Celery in this benchmark

        supervisor = listeners.ListenerSupervisor()
        supervisor.sync()
        subscriber = next(iter(supervisor.subscribers.values()))
        if not subscriber.ready.wait(10):
            print("the subscriber did not subscribe")
            return 1
        loop = threading.Thread(target=supervisor.run_forever, daemon=True)
        loop.start()
        publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
        publisher.connect("127.0.0.1", 1883)
        publisher.loop_start()
        started = time.time()
        for index in range(MESSAGES):
            publisher.publish(f"{topic}/line1", json.dumps({"i": index, "sent": time.time()}), qos=1).wait_for_publish(5)
        published = time.time() - started
        connection.set_tenant(organization)
        deadline = time.monotonic() + 120
        while Run.objects.filter(flow=flow).count() < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.2)
        runs = list(Run.objects.filter(flow=flow).values_list("input_items", "created_at"))
        total = max(created.timestamp() for _items, created in runs) - started
        latencies = [(created.timestamp() - items[0]["data"]["sent"]) * 1000 for items, created in runs]
        print(f"{len(runs)} of {MESSAGES} messages saved as runs (QoS 1, one trigger, database {name})")
        print(f"published in {published:.2f} s; all saved after {total:.2f} s: {len(runs) / total:.0f} runs/s")
        p50, p95 = statistics.median(latencies), percentile(latencies, 95)
        print(f"publish → run saved, ms: p50 {p50:.1f}  p95 {p95:.1f}  max {max(latencies):.1f}")
        supervisor.stop()
        publisher.loop_stop()
        publisher.disconnect()
    finally:
        connections.close_all()
        dbadmin.drop_database(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
