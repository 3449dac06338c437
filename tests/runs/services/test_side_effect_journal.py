"""A step with side effects is recorded as started before it acts, and a replay never silently repeats it
(issue 12, break 9); its HTTP calls carry an Idempotency-Key that is the same in every replay."""

import pytest
from django.db import OperationalError, connection
from django.utils import translation

from apps.flows.nodes.builtin.network import HttpRequest
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import NodeRun, Run
from apps.runs.reporter import DatabaseReporter
from apps.runs.services.runs import run_create, run_execute, run_retry
from tests.flows.graphs import edge, node
from tests.support.fake_http import FakeServer


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="journal-co")
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save(update_fields=["allowed_internal_hosts"])
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def server():
    with FakeServer() as server:
        server.routes["/charge"] = lambda request: (200, {}, {"charged": True})
        yield server


def published(server, method="POST", items_field=None):
    graph = {
        "nodes": [
            node("start", "trigger.manual"),
            node("charge", "net.http", "Charge", method=method, url=server.url("/charge")),
            node("after", "data.set", fields=[{"name": "done", "value": True}]),
        ],
        "edges": [edge("start", "charge"), edge("charge", "after")],
    }
    flow = flow_create(user=None, name="Charge", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def crash_after_the_call(monkeypatch):
    """The call is made, then saving its result fails (the database went away), as in the measured fault."""
    original = DatabaseReporter.node_finished

    def finished(self, result):
        if result.node_id == "charge":
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, result)

    monkeypatch.setattr(DatabaseReporter, "node_finished", finished)
    return lambda: monkeypatch.setattr(DatabaseReporter, "node_finished", original)


def test_a_side_effect_is_recorded_as_started_before_it_acts(organization, server, monkeypatch):
    seen = []
    original = HttpRequest.execute

    def execute(self, ctx):
        seen.append(list(NodeRun.objects.filter(node_id="charge").values_list("status", flat=True)))
        return original(self, ctx)

    monkeypatch.setattr(HttpRequest, "execute", execute)
    run = run_execute(run_id=run_create(flow=published(server), trigger="manual").pk)
    assert seen == [["started"]]
    assert run.status == "success"
    assert NodeRun.objects.get(run=run, node_id="charge").status == "success"


def test_a_started_side_effect_is_not_repeated_and_the_person_decides(organization, server, monkeypatch):
    run = run_create(flow=published(server), trigger="manual")
    restore = crash_after_the_call(monkeypatch)
    with pytest.raises(OperationalError):
        run_execute(run_id=run.pk)
    restore()
    assert len(server.requests) == 1

    replayed = run_execute(run_id=run.pk)  # the stuck-run relay brings the run back
    assert len(server.requests) == 1  # not charged twice
    assert (replayed.status, replayed.error_code, replayed.error_node_id) == ("failed", "side_effect_unconfirmed", "charge")
    assert "may or may not have been done" in replayed.error
    with translation.override("ko"):
        assert "확인" in replayed.error_text
    assert NodeRun.objects.get(run=run, node_id="charge").error_code == "side_effect_unconfirmed"

    # The person checked: it was not done. Running again from the step does it, once.
    again = run_execute(run_id=run_retry(run=Run.objects.get(pk=run.pk), user=None).pk)
    assert again.status == "success"
    assert len(server.requests) == 2


def test_an_idempotent_step_started_before_is_simply_repeated(organization, server, monkeypatch):
    run = run_create(flow=published(server, method="GET"), trigger="manual")
    restore = crash_after_the_call(monkeypatch)
    with pytest.raises(OperationalError):
        run_execute(run_id=run.pk)
    restore()
    assert run_execute(run_id=run.pk).status == "success"
    assert len(server.requests) == 2


def test_http_calls_carry_an_idempotency_key_stable_across_replays(organization, server, monkeypatch):
    run = run_create(flow=published(server, method="GET"), trigger="manual", items=[{"n": 1}, {"n": 2}])
    restore = crash_after_the_call(monkeypatch)
    with pytest.raises(OperationalError):
        run_execute(run_id=run.pk)
    restore()
    run_execute(run_id=run.pk)
    keys = [request["headers"].get("Idempotency-Key") for request in server.requests]
    assert len(keys) == 4 and all(keys)
    assert keys[:2] == keys[2:]  # the replay sends the same keys
    assert keys[0] != keys[1]  # one per item

    other = run_execute(run_id=run_create(flow=published(server, method="GET"), trigger="manual").pk)
    assert other.status == "success"
    assert server.requests[-1]["headers"]["Idempotency-Key"] not in keys  # another run, another key


def test_a_key_the_person_set_is_kept(organization, server):
    graph = {
        "nodes": [
            node("start", "trigger.manual"),
            node("charge", "net.http", method="POST", url=server.url("/charge"), headers={"Idempotency-Key": "order-7"}),
        ],
        "edges": [edge("start", "charge")],
    }
    flow = flow_create(user=None, name="Own key", graph=graph)
    flow_publish(flow=flow, user=None)
    run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert server.requests[0]["headers"]["Idempotency-Key"] == "order-7"


def test_history_off_still_records_the_side_effect(organization, server):
    flow = published(server)
    flow.save_history = False
    flow.save(update_fields=["save_history"])
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert run.status == "success"
    assert list(NodeRun.objects.filter(run=run).values_list("node_id", "status")) == [("charge", "success")]
