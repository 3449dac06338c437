"""A flow's saved state ($getWorkflowStaticData) in the product: kept after successful production runs only, per flow in
the organization's schema, merged under a row lock, shown on the flow's page and cleared from there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.flows.engine.flow_state import MAX_BYTES
from apps.flows.models import FlowSavedState
from apps.flows.selectors import flow_state_get
from apps.flows.services.flow_state import flow_state_save
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import edge, node

COUNTER = "const s = $getWorkflowStaticData('global'); s.count = (s.count || 0) + 1; return [{count: s.count}];"


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="flowstate")
    connection.set_tenant(organization)
    return organization


def counter_flow(code=COUNTER):
    graph = {"nodes": [node("t", "trigger.manual"), node("c", "code.javascript", code=code)], "edges": [edge("t", "c")]}
    flow = flow_create(user=None, name="Counter", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def test_production_runs_keep_the_state_test_runs_and_failed_runs_do_not(organization):
    flow = counter_flow()
    for expected in (1, 2):
        done = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
        assert done.status == "success" and done.result_sample == [{"count": expected}]
    assert flow_state_get(flow_id=flow.pk) == {"global": {"count": 2}}
    test = run_execute(run_id=run_create(flow=flow, trigger="test", draft=True).pk)
    assert test.status == "success" and test.result_sample == [{"count": 3}]  # it reads the saved state…
    assert flow_state_get(flow_id=flow.pk) == {"global": {"count": 2}}  # …and keeps nothing

    failing = counter_flow(COUNTER.replace("return", "throw new Error('no'); return"))
    assert run_execute(run_id=run_create(flow=failing, trigger="manual").pk).status == "failed"
    assert flow_state_get(flow_id=failing.pk) == {}


def test_state_lives_in_the_organizations_schema(data, organization):
    flow = counter_flow()
    run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    other = data.create_organization(slug="flowstate-other")
    connection.set_tenant(other)
    assert flow_state_get(flow_id=flow.pk) == {}
    assert not FlowSavedState.objects.exists()


def test_a_save_locks_the_row_and_applies_its_changes_to_what_another_run_saved_meanwhile(organization):
    flow = counter_flow()
    flow_state_save(flow_id=flow.pk, changes={"global": ({}, {"a": 1, "b": 1})})
    # this run read {"a": 1, "b": 1} before the save above finished elsewhere with b = 5
    FlowSavedState.objects.filter(flow=flow).update(data={"global": {"a": 1, "b": 5}})
    with CaptureQueriesContext(connection) as queries:
        assert flow_state_save(flow_id=flow.pk, changes={"global": ({"a": 1, "b": 1}, {"a": 2, "b": 1})})
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "ON CONFLICT DO NOTHING" in sql and "FOR UPDATE" in sql
    assert flow_state_get(flow_id=flow.pk) == {"global": {"a": 2, "b": 5}}
    # two runs' changes that together pass the limit: the saved state stays as it was
    big = "x" * (MAX_BYTES // 2 + 10)
    flow_state_save(flow_id=flow.pk, changes={"node:A": ({}, {"v": big})})
    assert not flow_state_save(flow_id=flow.pk, changes={"node:B": ({}, {"v": big})})
    assert set(flow_state_get(flow_id=flow.pk)) == {"global", "node:A"}


def test_the_flow_page_shows_the_state_and_an_editor_can_clear_it(data, organization):
    flow = counter_flow()
    run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    owner = data.client_for(organization, data.owner_of(organization))
    page = owner.get(f"/flows/{flow.pk}/").content.decode()
    assert 'data-testid="saved-state"' in page and "&quot;count&quot;: 1" in page

    viewer = data.client_for(organization, data.create_member(organization, role=Role.VIEWER).user)
    viewer.post(f"/flows/{flow.pk}/state/reset/")
    assert flow_state_get(flow_id=flow.pk) == {"global": {"count": 1}}

    response = owner.post(f"/flows/{flow.pk}/state/reset/", follow=True)
    assert "saved state was cleared" in response.content.decode()
    assert flow_state_get(flow_id=flow.pk) == {}
    assert 'data-testid="saved-state"' not in owner.get(f"/flows/{flow.pk}/").content.decode()
