"""Tests from the editor are kept apart from production runs: monitoring leaves them out unless asked, run lists
label them and filter them either way."""

import pytest
from django.db import connection

from apps.flows.services.flows import flow_create, flow_publish
from apps.runs import selectors
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import failing_graph


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="testsapart")
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def client(data, organization):
    return data.client_for(organization, data.owner_of(organization))


@pytest.fixture
def runs(organization):
    flow = flow_create(user=None, name="Divider", graph=failing_graph())
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    production = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"divisor": 0}]).pk)
    tests = [run_execute(run_id=run_create(flow=flow, trigger="test", items=[{"divisor": 0}], draft=True).pk) for _ in range(3)]
    return {"flow": flow, "production": production, "tests": tests}


def test_monitoring_counts_production_runs_only_unless_tests_are_asked_for(runs, client):
    stats = selectors.run_stats(period="24h")
    assert (stats["total"], stats["failed"]) == (1, 1)
    assert stats["top_errors"][0]["count"] == 1 and stats["flows"][0]["total"] == 1
    with_tests = selectors.run_stats(period="24h", include_tests=True)
    assert (with_tests["total"], with_tests["failed"]) == (4, 4)

    page = client.get("/monitoring/").content.decode()
    assert 'data-testid="stat-total">1<' in page and "not counted here" in page
    page = client.get("/monitoring/", {"tests": "1"}).content.decode()
    assert 'data-testid="stat-total">4<' in page and 'data-testid="include-tests" checked' in page

    assert client.get("/api/v1/runs/stats").json()["total"] == 1
    assert client.get("/api/v1/runs/stats", {"tests": "1"}).json()["total"] == 4


def test_run_lists_label_tests_and_filter_them_either_way(runs, client):
    production, tests = runs["production"], runs["tests"]
    rows = client.get("/runs/", {"fragment": "rows"}).content.decode()
    assert rows.count("data-test-run") == 3 and rows.count('data-testid="test-badge"') == 3

    only_production = client.get("/runs/", {"kind": "production"}).content.decode()
    assert f'data-run-id="{production.pk}"' in only_production and "data-test-run" not in only_production
    only_tests = client.get("/runs/", {"kind": "test"}).content.decode()
    assert all(f'data-run-id="{t.pk}"' in only_tests for t in tests) and f'data-run-id="{production.pk}"' not in only_tests
    assert client.get("/runs/", {"kind": "everything"}).status_code == 400

    api = client.get("/api/v1/runs", {"kind": "test"}).json()
    assert sorted(r["id"] for r in api["results"]) == sorted(t.pk for t in tests)
    assert {r["number"] for r in api["results"]} == {2, 3, 4}

    overview = client.get(f"/flows/{runs['flow'].pk}/").content.decode()
    assert overview.count("data-test-run") == 3

    detail = client.get(f"/runs/{tests[0].pk}/").content.decode()
    assert 'data-testid="test-badge"' in detail
    assert 'data-testid="test-badge"' not in client.get(f"/runs/{production.pk}/").content.decode()
