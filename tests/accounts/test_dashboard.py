"""The dashboard's first-flow path: three ways to start, then test and turn on, with progress read from what the
organization actually did (apps/accounts/dashboard.py and the apps that register into it)."""

import re

import pytest
from django.db import connection

from apps.accounts.dashboard import DashboardRegistry, FirstStep
from apps.accounts.roles import Role
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import failing_graph, greeting_graph


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="firststeps")
    connection.set_tenant(organization)
    return organization


def states(page: str) -> dict:
    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', page))


def test_a_new_organization_sees_three_ways_to_start_and_a_path_that_follows_what_it_did(data, organization):
    client = data.client_for(organization, data.owner_of(organization))
    page = client.get("/").content.decode()
    assert states(page) == {"create": "current", "test": "todo", "turn_on": "todo"}
    assert "0 of 3 done" in page
    choices = re.findall(r'data-choice="(\w+)"', page)
    assert choices == ["template", "sentence", "blank"]
    assert 'href="/marketplace/"' in page and 'data-testid="assistant-box"' in page and 'data-testid="start-blank-form"' in page
    assert 'href="#start-choices"' in page
    assert 'data-testid="dashboard-runs"' not in page  # no runs, no empty panel
    assert "billing" not in page.lower()  # no billing talk until billing exists

    flow = flow_create(user=None, name="Greeter", graph=greeting_graph())
    page = client.get("/").content.decode()
    assert states(page) == {"create": "done", "test": "current", "turn_on": "todo"}
    assert f'href="/flows/{flow.pk}/edit/"' in page and "1 of 3 done" in page

    # A failed test does not count as tested.
    broken = flow_create(user=None, name="Broken", graph=failing_graph())
    run_execute(run_id=run_create(flow=broken, trigger="test", items=[{"divisor": 0}], draft=True).pk)
    assert states(client.get("/").content.decode())["test"] == "current"

    run_execute(run_id=run_create(flow=flow, trigger="test", items=[{"name": "Minji"}], draft=True).pk)
    page = client.get("/").content.decode()
    assert states(page) == {"create": "done", "test": "done", "turn_on": "current"}
    assert 'data-testid="dashboard-runs"' in page and "Greeter #1" in page

    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    flow_set_active(flow=flow, active=True)
    page = client.get("/").content.decode()
    assert 'data-testid="first-steps"' not in page  # the path is done: it leaves the dashboard
    assert "Create another flow" in page


def test_the_path_is_translated(data, organization):
    owner = data.owner_of(organization)
    owner.language = "ko"
    owner.save(update_fields=["language"])
    client = data.client_for(organization, owner)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "템플릿" in page and "첫 플로우" in page and "3단계 중 0단계 완료" in page


def test_viewers_see_the_progress_but_no_buttons_to_create(data, organization):
    viewer = data.create_member(organization, role=Role.VIEWER).user
    page = data.client_for(organization, viewer).get("/").content.decode()
    assert 'data-testid="first-steps"' in page and 'data-testid="start-choices"' not in page
    assert 'data-testid="first-step-link"' not in page and 'data-testid="viewer-note"' in page


def test_steps_are_ordered_and_the_first_not_done_is_current():
    registry = DashboardRegistry()
    registry.add_step(FirstStep(key="b", order=20, title="B", help="", done=lambda r: False, link=lambda r: "/b"))
    registry.add_step(FirstStep(key="a", order=10, title="A", help="", done=lambda r: True))
    registry.add_step(FirstStep(key="c", order=30, title="C", help="", done=lambda r: False))
    registry.add_step(FirstStep(key="a", order=10, title="A again", help="", done=lambda r: True))  # replaces
    assert [step.key for step in registry.steps()] == ["a", "b", "c"] and registry.steps()[0].title == "A again"
