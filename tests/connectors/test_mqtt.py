"""MQTT against the machine's Mosquitto at 127.0.0.1:1883: the publish step through the engine, and the message
trigger through the runs app's listener supervisor (index row on publish, one subscriber per trigger across
supervisors, a run per message saved before the message is acknowledged, redeliveries deduplicated)."""

import json
import queue
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.db import connection
from paho.mqtt.enums import CallbackAPIVersion

from apps.core.models import ListenerEntry
from apps.flows.credential_kinds import get as credential_kind
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active, flow_update
from apps.flows.triggers.listener import Message
from apps.runs.listeners import ListenerSupervisor
from apps.runs.models import Run
from apps.runs.services.listeners import listener_deliver
from tests.connectors.conftest import credential, run_step
from tests.flows.graphs import edge, node

BROKER = {"host": "127.0.0.1", "port": "1883"}


def _client(**kwargs):
    client = mqtt.Client(CallbackAPIVersion.VERSION2, **kwargs)
    try:
        client.connect("127.0.0.1", 1883)
    except OSError as exc:
        pytest.skip(f"Mosquitto at 127.0.0.1:1883 is not running ({exc})")
    client.loop_start()
    return client


@pytest.fixture
def topic():
    return f"ezflow-test/{uuid.uuid4().hex[:10]}"


@pytest.fixture
def broker_id(organization, owner):
    return credential(organization, owner, "mqtt", BROKER).pk


def wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_publish_sends_each_item_to_the_topic(organization, broker_id, topic):
    received: queue.Queue = queue.Queue()
    listener = _client()
    listener.on_message = lambda _c, _u, msg: received.put((msg.topic, msg.payload.decode(), msg.qos))
    subscribed = threading.Event()
    listener.on_subscribe = lambda *_args: subscribed.set()
    listener.subscribe(f"{topic}/#", qos=1)
    assert subscribed.wait(5)
    result = run_step(
        organization,
        "mqtt.publish",
        items=[{"line": 1, "temp": 71.5}, {"line": 2, "temp": 64}],
        credential=broker_id,
        topic=f"{topic}/line{{{{ json.line }}}}",
        payload="",
        qos="1",
    )
    assert result.status == "success", result.error
    assert [item["topic"] for item in result.last_items] == [f"{topic}/line1", f"{topic}/line2"]
    got = sorted(received.get(timeout=5) for _ in range(2))
    assert got == [(f"{topic}/line1", json.dumps({"line": 1, "temp": 71.5}), 1), (f"{topic}/line2", json.dumps({"line": 2, "temp": 64}), 1)]
    listener.loop_stop()
    listener.disconnect()
    wildcard = run_step(organization, "mqtt.publish", credential=broker_id, topic=f"{topic}/+", payload="x")
    assert wildcard.error_code == "mqtt_bad_topic"


def test_the_broker_must_be_allowed_and_the_connection_test_says_so():
    kind = credential_kind("mqtt")
    assert kind.test(BROKER, allow_hosts=["127.0.0.1"]).ok
    refused = kind.test(BROKER, allow_hosts=[])
    assert not refused.ok and "internal address" in refused.message
    closed = kind.test({"host": "127.0.0.1", "port": "1"}, allow_hosts=["127.0.0.1"])
    assert not closed.ok and "Could not connect" in closed.message


def message_flow(broker_id, topic, **extra):
    graph = {
        "nodes": [
            node("mqtt", "mqtt.message", "Sensor", credential=broker_id, topic=f"{topic}/+/temperature", qos="1", **extra),
            node("n", "flow.noop", "Do"),
        ],
        "edges": [edge("mqtt", "n")],
    }
    flow = flow_create(user=None, name="Sensors", graph=graph)
    flow_publish(flow=flow, user=None)
    return flow_set_active(flow=flow, active=True)


def as_supervisor(organization, call):
    """A supervisor's pass (it works in the public schema, as in its own thread), then back to the organization."""
    result = call()
    connection.set_tenant(organization)
    return result


def test_each_message_starts_one_run_and_one_supervisor_listens_per_trigger(organization, broker_id, topic):
    flow = message_flow(broker_id, topic)
    entry = ListenerEntry.objects.get(schema_name=organization.schema_name, flow_id=flow.pk)
    assert entry.version_id == flow.published_version_id
    first, second = ListenerSupervisor(name="a"), ListenerSupervisor(name="b")
    try:
        as_supervisor(organization, first.sync)
        as_supervisor(organization, second.sync)  # the trigger's lock is held by the first: the second does not subscribe
        assert list(first.subscribers) == [(organization.schema_name, flow.pk)] and second.subscribers == {}
        subscriber = first.subscribers[(organization.schema_name, flow.pk)]
        assert subscriber.ready.wait(10), "the subscriber did not subscribe"
        publisher = _client()
        publisher.publish(f"{topic}/line1/temperature", json.dumps({"value": 81.2}), qos=1).wait_for_publish(5)
        publisher.publish(f"{topic}/line1/pressure", "not subscribed", qos=1).wait_for_publish(5)
        publisher.publish(f"{topic}/line2/temperature", "64", qos=0).wait_for_publish(5)
        started = 0
        deadline = time.monotonic() + 10
        while started < 2 and time.monotonic() < deadline:
            started += as_supervisor(organization, lambda: first.drain(timeout=0.5))
        runs = [run.input_items[0] for run in Run.objects.filter(flow=flow).order_by("pk")]
        assert [(item["topic"], item["data"], item["qos"]) for item in runs] == [
            (f"{topic}/line1/temperature", {"value": 81.2}, 1),
            (f"{topic}/line2/temperature", 64, 0),
        ]
        assert runs[0]["payload"] == '{"value": 81.2}' and runs[0]["retain"] is False
        # Switched off: the next pass stops the subscriber and gives the lock back, so another supervisor may take it.
        flow_set_active(flow=flow, active=False)
        assert not ListenerEntry.objects.filter(flow_id=flow.pk).exists()
        as_supervisor(organization, first.sync)
        assert first.subscribers == {} and not subscriber.thread.is_alive()
        flow_set_active(flow=flow, active=True)
        as_supervisor(organization, second.sync)
        assert list(second.subscribers) == [(organization.schema_name, flow.pk)]
        # A suspended organization stops listening, and listens again once reactivated.
        organization.status = organization.Status.SUSPENDED
        organization.save()
        as_supervisor(organization, second.sync)
        assert second.subscribers == {}
        organization.status = organization.Status.ACTIVE
        organization.save()
        as_supervisor(organization, second.sync)
        assert list(second.subscribers) == [(organization.schema_name, flow.pk)]
        publisher.loop_stop()
        publisher.disconnect()
    finally:
        first.stop()
        second.stop()


def test_a_redelivered_message_starts_no_second_run(organization, broker_id, topic):
    flow = message_flow(broker_id, topic)
    acks = []
    message = Message(items=[{"topic": "t", "payload": "1"}], key="mqtt:7:abc", redelivered=False, ack=lambda: acks.append(1))
    assert listener_deliver(flow_id=flow.pk, version_id=flow.published_version_id, message=message, enqueue=lambda run: run) is not None
    again = Message(items=message.items, key=message.key, redelivered=True)
    assert listener_deliver(flow_id=flow.pk, version_id=flow.published_version_id, message=again, enqueue=lambda run: run) is None
    # The same packet ID and body later, not marked as a redelivery, is a new message (packet IDs are reused).
    later = Message(items=message.items, key=message.key, redelivered=False)
    assert listener_deliver(flow_id=flow.pk, version_id=flow.published_version_id, message=later, enqueue=lambda run: run) is not None
    assert Run.objects.filter(flow=flow).count() == 2
    # A message for a version that is no longer published starts nothing (the supervisor is replacing that subscriber).
    nodes = [node("mqtt", "mqtt.message", "Sensor", credential=broker_id, topic=f"{topic}/#", qos="1"), node("n", "flow.noop", "Do")]
    old_version = flow.published_version_id
    flow_update(flow=flow, graph={"nodes": nodes, "edges": [edge("mqtt", "n")]})
    flow_publish(flow=flow, user=None)
    assert listener_deliver(flow_id=flow.pk, version_id=old_version, message=message, enqueue=lambda run: run) is None
    assert ListenerEntry.objects.get(flow_id=flow.pk).version_id != old_version


def test_a_broker_that_refuses_is_retried_and_the_error_is_shown_on_the_index(organization, owner, topic):
    closed_port = credential(organization, owner, "mqtt", {"host": "127.0.0.1", "port": "1"}, name="Closed").pk
    flow = message_flow(closed_port, topic)
    supervisor = ListenerSupervisor()
    try:
        as_supervisor(organization, supervisor.sync)
        assert as_supervisor(organization, lambda: supervisor.drain(timeout=5)) == 0
        connection.set_schema_to_public()
        entry = ListenerEntry.objects.get(flow_id=flow.pk)
        assert entry.failures >= 1 and "Could not connect to the MQTT broker" in entry.last_error
    finally:
        supervisor.stop()


def test_a_message_not_yet_saved_and_those_sent_while_away_arrive_after_a_restart(organization, broker_id, topic):
    flow = message_flow(broker_id, topic)
    key = (organization.schema_name, flow.pk)
    publisher = _client()
    first = ListenerSupervisor()
    try:
        as_supervisor(organization, first.sync)
        assert first.subscribers[key].ready.wait(10)
        publisher.publish(f"{topic}/a/temperature", "1", qos=1).wait_for_publish(5)
        assert wait_for(lambda: not first.messages.empty())  # received, but the worker dies before saving its run
    finally:
        first.stop()  # nothing was acknowledged
    publisher.publish(f"{topic}/b/temperature", "2", qos=1).wait_for_publish(5)  # sent while nobody listens
    second = ListenerSupervisor()
    try:
        as_supervisor(organization, second.sync)
        started = 0
        deadline = time.monotonic() + 10
        while started < 2 and time.monotonic() < deadline:
            started += as_supervisor(organization, lambda: second.drain(timeout=0.5))
        assert sorted(run.input_items[0]["payload"] for run in Run.objects.filter(flow=flow)) == ["1", "2"]
        assert second.drain(timeout=1.0) == 0  # each once
    finally:
        second.stop()
        publisher.loop_stop()
        publisher.disconnect()


def test_a_trigger_never_uses_another_organizations_connection(data, organization, owner, topic):
    other = data.create_organization()
    other.allowed_internal_hosts = ["127.0.0.1"]
    other.save()
    foreign_id = credential(other, data.owner_of(other), "mqtt", BROKER, name="Theirs").pk
    connection.set_tenant(organization)
    flow = message_flow(foreign_id, topic)  # an id that exists only in the other organization's schema
    supervisor = ListenerSupervisor()
    try:
        as_supervisor(organization, supervisor.sync)
        assert as_supervisor(organization, lambda: supervisor.drain(timeout=5)) == 0
        connection.set_schema_to_public()
        entry = ListenerEntry.objects.get(schema_name=organization.schema_name, flow_id=flow.pk)
        assert entry.failures >= 1 and "Choose a credential" in entry.last_error
        assert not supervisor.subscribers[(organization.schema_name, flow.pk)].ready.is_set()
    finally:
        supervisor.stop()
