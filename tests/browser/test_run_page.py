"""Browser steps in real runs of an organization: the organization's allowed internal hosts let the step reach the
local portal, the stored login never lands in run data, and a failed step's screenshot shows on the run page."""

import json

import pytest
from django.db import connection

from apps.accounts.models import Organization
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import NodeRun, Run
from apps.runs.services.runs import run_create, run_execute
from tests.browser.helpers import LOG_IN
from tests.browser.site import PASSWORD, USERNAME
from tests.flows.graphs import edge, node


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="browserruns")
    Organization.objects.filter(pk=organization.pk).update(allowed_internal_hosts=["127.0.0.1"])
    organization.refresh_from_db()
    connection.set_tenant(organization)
    return organization


def run_of(actions, **params):
    graph = {
        "nodes": [node("start", "trigger.manual", "Start"), node("b", "browser.sequence", "Portal", actions=actions, **params)],
        "edges": [edge("start", "b")],
    }
    flow = flow_create(user=None, name="Portal", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{}]).pk)


def test_a_run_logs_in_with_the_organizations_credential_and_keeps_no_password(organization, fresh_site):
    login = credential_create(user=None, name="Portal login", type="website_login", data={"username": USERNAME, "password": PASSWORD})
    run = run_of([*LOG_IN, {"action": "extract_table", "next_page": "Next"}], url=fresh_site.url("/login"), credential=login.pk)
    assert run.status == "success", run.error
    stored = json.dumps(
        [list(Run.objects.filter(pk=run.pk).values()), list(NodeRun.objects.filter(run_id=run.pk).values())],
        default=str,
        ensure_ascii=False,
    )
    assert "2026-12-07" in stored  # the last page of the table was read
    assert PASSWORD not in stored


def test_a_failed_steps_screenshot_shows_on_the_run_page(organization, fresh_site, data):
    run = run_of([{"action": "wait", "target": "Welcome"}], url=fresh_site.url("/login"), action_timeout_seconds=1)
    assert run.status == "failed"
    client = data.client_for(organization, data.owner_of(organization))
    html = client.get(f"/runs/{run.pk}/").content.decode()
    assert 'data-testid="error-file"' in html and "The screen at the moment the step failed" in html
    link = html.split('data-testid="error-file"><a href="', 1)[1].split('"', 1)[0]
    assert link.startswith("/files/")
    picture = client.get(link)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content if picture.streaming else [picture.content]).startswith(b"\x89PNG")
    other = data.create_organization(slug="browserother")
    assert data.client_for(other, data.owner_of(other)).get(link).status_code == 404  # the link is the organization's
