"""Runs that cannot finish end as failed runs with a reason, never as runs retried forever (issue 12, break 3)."""

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.utils import timezone, translation

from apps.flows.services.flows import flow_create, flow_publish
from apps.flows.services.variables import variable_create
from apps.runs.models import NodeRun, Run
from apps.runs.services.runs import run_create, run_execute
from apps.runs.services.scheduler import requeue_stuck_runs
from tests.flows.graphs import edge, node

EVERYDAY = {
    "moment": "{{ now() }}",
    "day": "{{ today() }}",
    "span": "{{ days(1) }}",
    "numbers": "{{ range(3) }}",
    "variables": "{{ vars }}",
    "earlier": "{{ nodes }}",
    "pairs": "{{ json|items }}",
}


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="recovery-co")
    connection.set_tenant(organization)
    return organization


def published(fields):
    graph = {
        "nodes": [node("start", "trigger.manual", "Start"), node("set", "data.set", "Set", fields=fields)],
        "edges": [edge("start", "set")],
    }
    flow = flow_create(user=None, name="Everyday", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def test_everyday_expressions_are_saved_as_plain_json(organization):
    variable_create(name="region", value="Seoul")
    flow = published([{"name": name, "value": value} for name, value in EVERYDAY.items()])
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"city": "Busan"}]).pk)
    assert run.status == "success", run.error
    item = NodeRun.objects.get(run=run, node_id="set").outputs["main"][0]
    assert dt.datetime.fromisoformat(item["moment"]).tzinfo is not None
    assert dt.date.fromisoformat(item["day"]) == dt.datetime.fromisoformat(item["moment"]).date()
    assert item["span"] == "P1D"
    assert item["numbers"] == [0, 1, 2]
    assert item["variables"] == {"region": "Seoul"}
    assert item["earlier"] == {"Start": {"json": {"city": "Busan"}, "items": [{"city": "Busan"}], "outputs": {"main": [{"city": "Busan"}]}}}
    assert item["pairs"] == [["city", "Busan"]]
    run.refresh_from_db()
    assert run.result_sample[0]["numbers"] == [0, 1, 2]


def test_a_function_value_fails_the_step_with_a_clear_message(organization):
    flow = published([{"name": "when", "value": "{{ now }}"}])
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert run.status == "failed" and run.error_node_id == "set" and run.error_code == "output_not_json"
    assert "is a function" in run.error and "now()" in run.error
    with translation.override("ko"):
        assert "함수" in Run.objects.get(pk=run.pk).error_text


def test_a_result_that_cannot_be_saved_fails_the_run_with_the_reason(organization, monkeypatch):
    # Without the engine's conversion (e.g. a future bug in it), saving fails: the run must fail, not stay running.
    monkeypatch.setattr("apps.flows.engine.executor.json_safe_outputs", lambda outputs: outputs)
    flow = published([{"name": "moment", "value": "{{ now() }}"}])
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    run.refresh_from_db()
    assert run.status == "failed" and run.error_code == "result_not_saved" and run.finished_at is not None
    assert "could not be saved" in run.error and "not JSON serializable" in run.error
    with translation.override("ko"):
        assert "저장" in run.error_text


def test_a_run_left_running_too_often_fails_as_a_poison_run(
    organization, eager_tasks, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EZFLOW_RUN_MAX_RESTARTS = 2
    flow = published([{"name": "x", "value": 1}])
    run = run_create(flow=flow, trigger="manual")
    Run.objects.filter(pk=run.pk).update(status="running")  # its first worker died

    def worker_dies(self, **kwargs):  # the database connection is lost mid-run, as when a worker is killed
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("apps.flows.engine.executor.Executor.run", worker_dies)
    later = timezone.now()
    for attempt in range(1, 3):
        later += dt.timedelta(minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_stuck_runs(now=later, organizations=[organization]) == 1
        connection.set_tenant(organization)
        run.refresh_from_db()
        assert (run.status, run.restarts) == ("running", attempt)

    later += dt.timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_runs(now=later, organizations=[organization]) == 1
    connection.set_tenant(organization)
    run.refresh_from_db()
    assert run.status == "failed" and run.error_code == "poison_run" and run.restarts == 2
    assert "started 3 times" in run.error
    with translation.override("ko"):
        assert "3번" in run.error_text
    Run.objects.filter(pk=run.pk).update(updated_at=later - dt.timedelta(hours=1))
    assert requeue_stuck_runs(now=later + dt.timedelta(minutes=10), organizations=[organization]) == 0  # a failed run is never queued again


def test_a_run_that_finishes_is_not_counted_as_restarted(organization):
    flow = published([{"name": "x", "value": 1}])
    run = run_create(flow=flow, trigger="manual")
    assert run_execute(run_id=run.pk).status == "success"
    assert Run.objects.get(pk=run.pk).restarts == 0
