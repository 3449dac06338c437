import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.models import ScheduleEntry, Wakeup
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active, flow_update
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_execute
from apps.runs.services.scheduler import requeue_stuck_runs, scheduler_tick
from tests.flows.graphs import edge, failing_graph, node

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="sched-co")
    connection.set_tenant(organization)
    return organization


def scheduled_flow(preset="weekdays_9", cron="", name="Daily news"):
    graph = {
        "nodes": [node("clock", "trigger.schedule", "Clock", preset=preset, cron=cron), node("n", "flow.noop", "Do")],
        "edges": [edge("clock", "n")],
    }
    flow = flow_create(user=None, name=name, graph=graph)
    flow_publish(flow=flow, user=None)
    return flow_set_active(flow=flow, active=True)


def test_activation_registers_the_schedule_and_deactivation_removes_it(organization):
    flow = scheduled_flow()
    entry = ScheduleEntry.objects.get(schema_name="org_sched_co", flow_id=flow.pk)
    local = entry.next_fire_at.astimezone(SEOUL)
    assert (local.hour, local.minute) == (9, 0) and local.isoweekday() <= 5
    assert entry.next_fire_at > timezone.now()
    flow_set_active(flow=flow, active=False)
    assert not ScheduleEntry.objects.filter(flow_id=flow.pk).exists()


def test_a_due_tick_fires_once_and_the_schedule_advances(organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = scheduled_flow(preset="custom", cron="*/5 * * * *")
    entry = ScheduleEntry.objects.get(flow_id=flow.pk)
    tick = entry.next_fire_at
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler_tick(now=tick + dt.timedelta(seconds=1))["fired"] == 1
    connection.set_tenant(organization)
    run = Run.objects.get(flow=flow)
    assert run.trigger == "schedule" and run.scheduled_for == tick and run.status == "success"
    assert run.input_items[0]["scheduled_for"] == tick.isoformat()
    # as n8n's Schedule Trigger gives it, for imported flows: the local time with its offset
    assert run.input_items[0]["timestamp"] == run.input_items[0]["local_time"]
    assert dt.datetime.fromisoformat(run.input_items[0]["timestamp"]) == tick
    entry.refresh_from_db()
    assert entry.next_fire_at == tick + dt.timedelta(minutes=5)
    assert scheduler_tick(now=tick + dt.timedelta(seconds=2))["fired"] == 0
    connection.set_tenant(organization)
    assert Run.objects.filter(flow=flow).count() == 1


def test_after_downtime_the_missed_tick_fires_once_then_the_schedule_resumes(organization):
    flow = scheduled_flow(preset="custom", cron="* * * * *")
    entry = ScheduleEntry.objects.get(flow_id=flow.pk)
    missed = entry.next_fire_at - dt.timedelta(minutes=30)
    ScheduleEntry.objects.filter(pk=entry.pk).update(next_fire_at=missed)
    now = timezone.now()
    assert scheduler_tick(now=now)["fired"] == 1
    entry.refresh_from_db()
    assert entry.next_fire_at > now
    connection.set_tenant(organization)
    assert list(Run.objects.filter(flow=flow).values_list("scheduled_for", flat=True)) == [missed]


def test_a_tick_claimed_twice_still_makes_one_run(organization):
    flow = scheduled_flow(preset="custom", cron="*/10 * * * *")
    entry = ScheduleEntry.objects.get(flow_id=flow.pk)
    tick = entry.next_fire_at
    scheduler_tick(now=tick)
    # A second scheduler that read the row before the first one committed would see the old time again:
    ScheduleEntry.objects.filter(pk=entry.pk).update(next_fire_at=tick)
    assert scheduler_tick(now=tick)["fired"] == 0
    connection.set_tenant(organization)
    assert Run.objects.filter(flow=flow, scheduled_for=tick).count() == 1


def test_bad_cron_is_a_validation_problem(organization):
    from apps.flows.engine.validation import validate_graph

    graph = {"nodes": [node("clock", "trigger.schedule", preset="custom", cron="61 25 * * *", time_zone="Mars/Base")], "edges": []}
    assert {p.code for p in validate_graph(graph)} == {"bad_cron", "bad_time_zone"}


def test_parked_run_is_resumed_by_the_scheduler(organization, eager_tasks, django_capture_on_commit_callbacks):
    graph = {
        "nodes": [node("start", "trigger.manual"), node("w", "flow.wait", seconds=120), node("after", "flow.noop")],
        "edges": [edge("start", "w"), edge("w", "after")],
    }
    flow = flow_create(user=None, name="Waits", graph=graph)
    flow_publish(flow=flow, user=None)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert run.status == "waiting"
    wakeup = Wakeup.objects.get(run_id=run.pk)
    assert scheduler_tick(now=wakeup.resume_at - dt.timedelta(seconds=1))["resumed"] == 0
    # Two minutes later (the clock is moved by moving the wake-up time into the past):
    past = timezone.now() - dt.timedelta(seconds=1)
    connection.set_tenant(organization)
    Run.objects.filter(pk=run.pk).update(resume_at=past)
    Wakeup.objects.filter(pk=wakeup.pk).update(resume_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler_tick()["resumed"] == 1
    connection.set_tenant(organization)
    run.refresh_from_db()
    assert run.status == "success"
    assert not Wakeup.objects.filter(run_id=run.pk).exists()


def test_error_flow_runs_with_what_failed(organization, eager_tasks, django_capture_on_commit_callbacks):
    handler_graph = {"nodes": [node("on_error", "trigger.error", "On error"), node("n", "flow.noop")], "edges": [edge("on_error", "n")]}
    handler = flow_create(user=None, name="Alert", graph=handler_graph)
    flow_publish(flow=handler, user=None)
    flow_set_active(flow=handler, active=True)
    failing = flow_create(user=None, name="Fragile", graph=failing_graph())
    flow_publish(flow=failing, user=None)
    failing = flow_update(flow=failing, error_flow=handler.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run_execute(run_id=run_create(flow=failing, trigger="manual", items=[{"divisor": 0}]).pk)
    alert = Run.objects.get(flow=handler)
    assert alert.trigger == "error" and alert.status == "success"
    assert alert.input_items[0]["error"]["node_id"] == "bad" and alert.input_items[0]["flow"]["name"] == "Fragile"


def test_stuck_runs_are_queued_again(organization, eager_tasks, django_capture_on_commit_callbacks):
    flow = flow_create(user=None, name="Lost", graph={"nodes": [node("start", "trigger.manual")], "edges": []})
    flow_publish(flow=flow, user=None)
    run = run_create(flow=flow, trigger="manual")
    Run.objects.filter(pk=run.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        # Only this organization: other test modules leave committed organizations with old runs behind.
        assert requeue_stuck_runs(organizations=[organization]) == 1
    connection.set_tenant(organization)
    run.refresh_from_db()
    assert run.status == "success"
