"""Fair use of the workers: queues by the steps a run has, and slots per organization and for blocking runs."""

import psycopg
import pytest
from django.db import connection

from apps.runs import fairness
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_enqueue
from ezflow_site.celery import app
from tests.flows.graphs import edge, node


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="fair-co")
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def other_worker(db):
    """A second database session, as another worker's would be."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        yield conn


def graph(*steps):
    nodes = [node("start", "trigger.manual", "Start"), *(node(f"s{i}", kind, f"S{i}", **params) for i, (kind, params) in enumerate(steps))]
    ids = [n["id"] for n in nodes]
    return {"nodes": nodes, "edges": [edge(a, b) for a, b in zip(ids, ids[1:], strict=False)]}


def test_runs_with_a_blocking_step_go_to_the_slow_queue():
    assert not fairness.graph_is_blocking(graph(("data.set", {"fields": []})))
    assert fairness.graph_is_blocking(graph(("data.set", {}), ("code.python", {"code": "result = items"})))
    assert fairness.graph_is_blocking(graph(("flow.wait", {"seconds": 3})))
    disabled = graph(("code.python", {"code": "result = items"}))
    disabled["nodes"][1]["settings"] = {"disabled": True}
    assert not fairness.graph_is_blocking(disabled)
    assert fairness.run_queue(blocking=True) == "runs_slow" and fairness.run_queue(blocking=False) == "runs"


@pytest.mark.parametrize(
    ("name", "queue"),
    [
        ("runs.execute", "runs"),
        ("runs.maintain", "maintenance"),
        ("runs.scheduler_tick", "maintenance"),
        ("accounts.send_invitation_email", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(name, queue):
    assert app.amqp.router.route({}, name)["queue"].name == queue
    assert app.amqp.router.route({"queue": "runs_slow"}, name)["queue"].name == "runs_slow"  # the caller's choice wins


def test_enqueue_sends_the_run_to_the_queue_of_its_steps(organization, data, monkeypatch, django_capture_on_commit_callbacks):
    from apps.flows.services.flows import flow_create, flow_publish
    from apps.runs.tasks import execute_run

    sent = []
    monkeypatch.setattr(execute_run, "apply_async", lambda args, kwargs=None, **options: sent.append((args, kwargs, options)))
    for name, steps in (
        ("Quick", [("data.set", {"fields": [{"name": "a", "value": 1}]})]),
        ("Slow", [("code.python", {"code": "result = items"})]),
    ):
        flow = flow_create(user=None, name=name, graph=graph(*steps))
        flow_publish(flow=flow, user=None)
        with django_capture_on_commit_callbacks(execute=True):
            run_enqueue(run_create(flow=flow, trigger=Run.Trigger.MANUAL))
    assert [(kwargs["blocking"], options["queue"]) for _, kwargs, options in sent] == [(False, "runs"), (True, "runs_slow")]
    assert all(options["headers"] == {"_schema_name": "org_fair_co"} for _, _, options in sent)


def test_an_organization_gets_no_more_slots_than_its_limit(organization, other_worker, settings):
    settings.EZFLOW_ORG_MAX_CONCURRENT_RUNS = 2
    keys = [fairness._slot_key("org:org_fair_co", slot) for slot in range(2)]
    other_worker.execute("SELECT pg_advisory_lock(%s)", [keys[0]])
    with fairness.run_slot(blocking=False) as granted:
        assert granted  # one slot left
    other_worker.execute("SELECT pg_advisory_lock(%s)", [keys[1]])
    with fairness.run_slot(blocking=False) as granted:
        assert not granted
    connection.set_schema("org_other_co")  # another organization's slots are its own
    with fairness.run_slot(blocking=False) as granted:
        assert granted
    connection.set_tenant(organization)
    other_worker.execute("SELECT pg_advisory_unlock(%s)", [keys[1]])
    with fairness.run_slot(blocking=False) as granted:
        assert granted
    with connection.cursor() as cursor:  # and it gave its slot back
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        assert cursor.fetchone()[0] == 0


def test_blocking_runs_share_the_platform_limit(organization, other_worker, settings):
    settings.EZFLOW_ORG_MAX_CONCURRENT_RUNS = 4
    settings.EZFLOW_BLOCKING_RUNS_MAX = 1
    other_worker.execute("SELECT pg_advisory_lock(%s)", [fairness._slot_key("blocking", 0)])
    with fairness.run_slot(blocking=True) as granted:
        assert not granted
    with fairness.run_slot(blocking=False) as granted:
        assert granted  # quick runs are not held back by blocking ones
    settings.EZFLOW_BLOCKING_RUNS_MAX = 0  # no limit
    with fairness.run_slot(blocking=True) as granted:
        assert granted


def test_a_run_over_the_limit_is_deferred_not_dropped(organization, other_worker, settings, monkeypatch):
    from apps.flows.services.flows import flow_create, flow_publish
    from apps.runs.tasks import execute_run

    settings.EZFLOW_ORG_MAX_CONCURRENT_RUNS = 1
    other_worker.execute("SELECT pg_advisory_lock(%s)", [fairness._slot_key("org:org_fair_co", 0)])
    flow = flow_create(user=None, name="Later", graph=graph(("data.set", {"fields": [{"name": "a", "value": 1}]})))
    flow_publish(flow=flow, user=None)
    run = run_create(flow=flow, trigger=Run.Trigger.MANUAL)
    Run.objects.filter(pk=run.pk).update(updated_at=run.created_at.replace(year=2020))
    retried = []

    def retry(**options):
        retried.append(options)
        raise RuntimeError("retried")

    monkeypatch.setattr(execute_run, "retry", retry)
    with pytest.raises(RuntimeError, match="retried"):
        execute_run.run(run.pk, blocking=False)
    assert retried and retried[0]["queue"] == "runs" and 0 < retried[0]["countdown"] <= settings.EZFLOW_RUN_DEFER_MAX_SECONDS * 1.2
    run.refresh_from_db()
    assert run.status == Run.Status.QUEUED and run.updated_at.year > 2020  # alive for the stuck-run re-queue

    other_worker.execute("SELECT pg_advisory_unlock_all()")
    execute_run.run(run.pk, blocking=False)
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCESS


def test_workers_consume_every_queue_tasks_are_routed_to(settings):
    from ezflow_site.processes import ALL_QUEUES
    from ezflow_site.queues import ROUTES

    assert set(ALL_QUEUES) == set(settings.EZFLOW_QUEUES)
    assert {*ROUTES.values(), fairness.SLOW_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE} == set(ALL_QUEUES)
