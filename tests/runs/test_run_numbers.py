"""Run numbers per flow (#1, #2, ...): given by the database on every insert, gapless, safe under concurrency,
backfilled for runs that existed before, and shown on the run list, the run page and the flow page."""

import importlib
import queue
import threading
import uuid

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from apps.flows.services.flows import flow_create, flow_delete, flow_publish
from apps.runs.models import Run, RunCounter
from apps.runs.services.runs import _insert_run_with_nodes, run_create, run_execute, run_retry
from tests.flows.graphs import greeting_graph

migration = importlib.import_module("apps.runs.migrations.0010_run_number_per_flow")


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="runnumbers")
    connection.set_tenant(organization)
    return organization


def published(name):
    flow = flow_create(user=None, name=name, graph=greeting_graph())
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def test_each_flow_counts_its_own_runs_whichever_way_a_run_is_created(organization):
    first, second = published("First"), published("Second")
    a1 = run_create(flow=first, trigger="manual", items=[{"name": "A"}])
    b1 = run_create(flow=second, trigger="manual", items=[{"name": "B"}])
    a2 = run_create(flow=first, trigger="test", items=[{"name": "A"}], draft=True)
    assert (a1.number, b1.number, a2.number) == (1, 1, 2)  # handed back by the insert itself (RETURNING)

    finished = run_execute(run_id=a1.pk)
    retry = run_retry(run=finished)
    assert retry.number == 3

    # The webhook's fast path writes the run in one raw INSERT, without the ORM: the database numbers it too.
    now = timezone.now()
    inline = Run(flow=first, graph=first.published_version.graph, trigger="webhook", status="success", created_at=now, seq=1)
    _insert_run_with_nodes(inline, [])
    assert list(Run.objects.filter(flow=first).order_by("created_at", "id").values_list("number", flat=True)) == [1, 2, 3, 4]
    assert RunCounter.objects.get(flow=first).last_number == 4


def test_a_rolled_back_run_leaves_no_gap_and_a_deleted_run_is_not_renumbered(organization):
    from django.db import transaction

    flow = published("Gapless")
    run_create(flow=flow, trigger="manual")
    with pytest.raises(RuntimeError), transaction.atomic():
        run_create(flow=flow, trigger="manual")
        raise RuntimeError("refused after the insert")
    assert run_create(flow=flow, trigger="manual").number == 2

    newest = run_create(flow=flow, trigger="manual")
    assert newest.number == 3
    newest.delete()
    assert run_create(flow=flow, trigger="manual").number == 4  # #3 stays the deleted run's; links never change meaning


def test_deleting_a_flow_deletes_its_counter(organization):
    flow = published("Short-lived")
    run_create(flow=flow, trigger="manual")
    flow_delete(flow=flow)
    assert not RunCounter.objects.exists()


def test_backfill_numbers_existing_runs_in_creation_order_and_starts_the_counters_after_them(organization):
    first, second = published("Old one"), published("Old two")
    runs = [run_create(flow=flow, trigger="manual") for flow in (first, second, first, first, second)]
    # As before the migration: no numbers, no counters (and the unique constraint, added after the backfill, absent).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses to run with checks still pending
        cursor.execute("ALTER TABLE runs_run DROP CONSTRAINT run_unique_number_per_flow")
        Run.objects.update(number=0)
        RunCounter.objects.all().delete()
        for statement in migration.BACKFILL:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE runs_run ADD CONSTRAINT run_unique_number_per_flow UNIQUE (flow_id, number)")
    numbers = {run.pk: number for run, number in zip(runs, (1, 1, 2, 3, 2), strict=True)}
    assert dict(Run.objects.values_list("pk", "number")) == numbers
    assert run_create(flow=first, trigger="manual").number == 4
    assert run_create(flow=second, trigger="manual").number == 3


@pytest.fixture
def scratch_schema():
    """The migration's trigger in a committed scratch schema, so that two real connections can race on it."""
    schema = "runnumbers_" + uuid.uuid4().hex[:8]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)

    def connect():
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f'SET search_path TO "{schema}"')
        return conn

    with connect() as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        admin.execute(f'SET search_path TO "{schema}"')
        admin.execute("CREATE TABLE runs_runcounter (flow_id bigint PRIMARY KEY, last_number integer NOT NULL)")
        admin.execute("CREATE TABLE runs_run (id bigserial PRIMARY KEY, flow_id bigint NOT NULL, number integer NOT NULL DEFAULT 0)")
        for statement in migration.NUMBER_TRIGGER:
            admin.execute(statement)
        try:
            yield connect
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_concurrent_inserts_of_one_flow_wait_their_turn_and_never_share_or_skip_a_number(scratch_schema, first_ends):
    with scratch_schema() as first, scratch_schema() as second:
        first.execute("BEGIN")
        assert first.execute("INSERT INTO runs_run (flow_id) VALUES (7) RETURNING number").fetchone() == (1,)
        answers = queue.Queue()

        def insert_concurrently():
            answers.put(second.execute("INSERT INTO runs_run (flow_id) VALUES (7) RETURNING number").fetchone()[0])

        thread = threading.Thread(target=insert_concurrently)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second insert must wait for the first transaction"
        # Another flow is not held up.
        with scratch_schema() as third:
            assert third.execute("INSERT INTO runs_run (flow_id) VALUES (8) RETURNING number").fetchone() == (1,)
        first.execute(first_ends.upper())
        thread.join(5)
        assert answers.get_nowait() == (2 if first_ends == "commit" else 1)
        numbers = [row[0] for row in first.execute("SELECT number FROM runs_run WHERE flow_id = 7 ORDER BY number")]
        assert numbers == ([1, 2] if first_ends == "commit" else [1])


def test_run_pages_show_the_number_per_flow_and_keep_the_id_for_links(data, organization):
    client = data.client_for(organization, data.owner_of(organization))
    published("Filler")
    flow = published("Numbered")
    other = published("Other")
    for _ in range(2):
        run_create(flow=other, trigger="manual")
    run = run_create(flow=flow, trigger="manual")
    assert run.number == 1 and run.pk > 1

    rows = client.get("/runs/", {"fragment": "rows", "flow": flow.pk}).content.decode()
    assert f'href="/runs/{run.pk}/"' in rows and ">#1</a>" in rows

    detail = client.get(f"/runs/{run.pk}/").content.decode()
    assert "Run #1 · Numbered" in detail and f'data-testid="run-id">{run.pk}<' in detail

    overview = client.get(f"/flows/{flow.pk}/").content.decode()
    assert f'href="/runs/{run.pk}/"' in overview and ">#1</a>" in overview
    assert f'data-live-flow-runs="{flow.pk}"' in overview  # static/js/runs.js refreshes the list from the fragment below

    run_create(flow=flow, trigger="test", draft=True)
    fragment = client.get(f"/flows/{flow.pk}/", {"fragment": "runs"}).content.decode()
    assert "<html" not in fragment and ">#2</a>" in fragment and ">#1</a>" in fragment and "data-test-run" in fragment
