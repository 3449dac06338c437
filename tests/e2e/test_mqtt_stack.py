"""The MQTT message trigger end to end: a real Celery worker's listener supervisor (started on worker_ready)
subscribes for a flow switched on through the API, and each message sent to Mosquitto at 127.0.0.1:1883 becomes a
successful run; switched off, it stops listening."""

import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = pytest.mark.stack


def test_messages_start_runs_on_the_worker_until_the_flow_is_switched_off(embedded_stack):
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2)
    try:
        publisher.connect("127.0.0.1", 1883)
    except OSError as exc:
        pytest.skip(f"Mosquitto at 127.0.0.1:1883 is not running ({exc})")
    publisher.loop_start()
    slug = f"mqtt-{uuid.uuid4().hex[:6]}"
    signup(embedded_stack, slug, f"owner@{slug}.example", PASSWORD)
    client = embedded_stack.http(f"{slug}.localhost")
    token = client.post("/api/v1/auth/token", json={"email": f"owner@{slug}.example", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
    broker = client.post("/api/v1/credentials", json={"name": "Factory", "type": "mqtt", "data": {"host": "127.0.0.1", "port": "1883"}})
    assert broker.status_code == 201, broker.text
    topic = f"ezflow-e2e/{slug}"
    graph = {
        "nodes": [
            node("mqtt", "mqtt.message", "Sensor", credential=broker.json()["id"], topic=f"{topic}/+/temperature", qos="1"),
            node("set", "data.set", "Keep", fields=[{"name": "celsius", "value": "{{ json.data.value }}"}]),
        ],
        "edges": [edge("mqtt", "set")],
    }
    flow = client.post("/api/v1/flows", json={"name": "Sensors", "graph": graph}).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "v1"}).status_code == 201
    assert client.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200

    def runs():
        return client.get(f"/api/v1/runs?flow={flow['id']}").json()["results"]

    # The supervisor subscribes within its pass interval; until then the broker drops what no one listens to.
    deadline = time.monotonic() + 60
    sent = 0
    while not runs() and time.monotonic() < deadline:
        sent += 1
        publisher.publish(f"{topic}/line1/temperature", json.dumps({"value": 70 + sent}), qos=1).wait_for_publish(5)
        time.sleep(1.0)
    first = runs()
    assert first, embedded_stack.logs()[-3000:]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(run["status"] not in ("success", "failed") for run in runs()):
        time.sleep(0.3)
    done = runs()
    assert {run["status"] for run in done} == {"success"}
    detail = client.get(f"/api/v1/runs/{done[-1]['id']}").json()
    assert {item["topic"] for item in detail["input_items"]} == {f"{topic}/line1/temperature"}
    client.post(f"/api/v1/flows/{flow['id']}/deactivate")
    publisher.loop_stop()
    publisher.disconnect()
