"""The run row is the outbox of its broker message, and runs hold leases (issue 12, breaks 10 and 11): a webhook
is answered 202 once its run is saved even if the broker is away, and the relay publishes it; 503 with Retry-After
only when nothing was saved; a run whose worker stopped renewing its lease is queued again within seconds."""

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs import lease
from apps.runs.models import Run
from apps.runs.services import scheduler
from apps.runs.services.runs import run_create
from apps.runs.services.scheduler import requeue_stuck_runs
from apps.runs.tasks import execute_run
from tests.flows.graphs import node, webhook_graph
from tests.support.webhooks import call_webhook


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="outbox-co")
    connection.set_tenant(organization)
    return organization


def webhook_flow(organization):
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="Orders", graph=webhook_graph())
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    connection.set_schema_to_public()
    return flow


def manual_flow():
    flow = flow_create(user=None, name="Lost", graph={"nodes": [node("start", "trigger.manual")], "edges": []})
    flow_publish(flow=flow, user=None)
    return flow


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_a_saved_run_is_accepted_when_the_broker_is_down_and_the_relay_publishes_it(
    organization, eager_tasks, settings, monkeypatch, django_capture_on_commit_callbacks
):
    flow = webhook_flow(organization)
    original = execute_run.apply_async

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(execute_run, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", b'{"qty": 3, "price": 50}')
    assert response.status_code == 202, response.content
    connection.set_tenant(organization)
    run = Run.objects.get(pk=response.json()["run_id"])
    assert run.status == "queued"

    monkeypatch.setattr(execute_run, "apply_async", original)  # the broker is back
    assert requeue_stuck_runs(organizations=[organization]) == 0  # its queued lease has not lapsed yet
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_runs(now=later(settings.EZFLOW_RUN_QUEUED_LEASE_SECONDS + 1), organizations=[organization]) == 1
    connection.set_tenant(organization)
    run.refresh_from_db()
    assert run.status == "success"


def test_nothing_saved_is_refused_with_503_and_retry_after(organization, monkeypatch):
    flow = webhook_flow(organization)

    def database_down(**kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr("apps.runs.webhooks.receive.webhook_find", database_down)
    response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", b'{"qty": 3, "price": 50}')
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"
    connection.set_tenant(organization)
    assert not Run.objects.exists()


def test_an_unknown_host_while_the_database_is_down_is_refused_with_503(organization, monkeypatch):
    from apps.runs.webhooks import asgi

    def database_down(host):
        raise OperationalError("the connection pool timed out")

    monkeypatch.setattr(asgi, "_hosts", {})
    monkeypatch.setattr(asgi, "_resolve_unsettled", database_down)
    response = call_webhook(organization.host, "/webhook/" + "x" * 32, b"{}", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "다시" in response.json()["error"]["message"]


def test_a_running_run_renews_its_lease_while_held(organization):
    run = run_create(flow=manual_flow(), trigger="manual")
    Run.objects.filter(pk=run.pk).update(status="running", lease_until=later(-60))
    assert lease.renew_held() == 0
    with lease.held(run.pk):
        assert (connection.schema_name, run.pk) in lease.held_runs()
        assert lease.renew_held() == 1
    assert (connection.schema_name, run.pk) not in lease.held_runs()
    run.refresh_from_db()
    assert run.lease_until > timezone.now()


def test_a_run_whose_lease_lapsed_is_queued_again(organization, eager_tasks, django_capture_on_commit_callbacks):
    alive = run_create(flow=manual_flow(), trigger="manual")
    Run.objects.filter(pk=alive.pk).update(status="running", lease_until=later(20))  # its worker renews it
    dead = run_create(flow=manual_flow(), trigger="manual")
    Run.objects.filter(pk=dead.pk).update(status="running", lease_until=later(-1))  # its worker was killed
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_runs(organizations=[organization]) == 1
    connection.set_tenant(organization)
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.restarts) == ("success", 1)
    assert alive.status == "running"


def test_a_queued_run_published_again_waits_longer_before_the_next_time(organization):
    run = run_create(flow=manual_flow(), trigger="manual")
    Run.objects.filter(pk=run.pk).update(created_at=later(-600), lease_until=later(-1))
    assert requeue_stuck_runs(organizations=[organization]) == 1
    assert requeue_stuck_runs(organizations=[organization]) == 0  # not again at the next pass
    connection.set_tenant(organization)
    run.refresh_from_db()
    assert run.lease_until > later(250)  # half its age: a run in a long queue is not published over and over


def test_many_organizations_are_looked_at_together_and_a_pass_is_bounded(data, monkeypatch):
    monkeypatch.setattr(scheduler, "SCHEMAS_PER_STATEMENT", 1)
    organizations = []
    for slug in ("lease-a", "lease-b"):
        organization = data.create_organization(slug=slug)
        connection.set_tenant(organization)
        run = run_create(flow=manual_flow(), trigger="manual")
        Run.objects.filter(pk=run.pk).update(status="running", lease_until=later(-1))
        organizations.append(organization)
    connection.set_schema_to_public()
    assert requeue_stuck_runs(organizations=organizations, limit=1) == 1
    assert requeue_stuck_runs(organizations=organizations, limit=1) == 1  # the other organization's run
    assert requeue_stuck_runs(organizations=organizations, limit=1) == 0


def test_a_task_that_cannot_set_its_schema_retries_and_never_runs_in_public(organization, eager_tasks, monkeypatch):
    run = run_create(flow=manual_flow(), trigger="manual")
    from django_tenants.utils import get_tenant_model

    from ezflow_site.celery import app

    manager = type(get_tenant_model().objects)
    original = manager.get
    failures = []

    def pool_timeout(self, *args, **kwargs):
        if kwargs.get("schema_name") == organization.schema_name and len(failures) < 2:
            failures.append(1)
            raise OperationalError("couldn't get a connection after 30.00 sec")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(manager, "get", pool_timeout)
    app.conf.task_tenant_cache_seconds = 0
    monkeypatch.setattr("apps.runs.tasks.SCHEMA_RETRY_SECONDS", (0, 0))
    monkeypatch.setattr("tenant_schemas_celery.task._shared_storage", {})
    connection.set_schema_to_public()  # the worker's connection before the task
    execute_run.apply((run.pk,), headers={"_schema_name": organization.schema_name})
    assert failures  # the schema could not be set at first
    connection.set_tenant(organization)
    run.refresh_from_db()
    assert run.status == "success"
