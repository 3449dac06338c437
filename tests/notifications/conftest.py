import datetime as dt
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from tests.flows.graphs import failing_graph

_clock = itertools.count(1)


@pytest.fixture(scope="module")
def _committed_organization(django_db_setup, django_db_blocker):
    """Created once per module (a schema takes seconds); each test's own rows roll back with its transaction."""
    from tests.support.data import DataFixture

    data = DataFixture()
    with django_db_blocker.unblock():
        organization = data.create_organization(slug=data.unique("alerts"))
        connection.set_schema_to_public()
    return organization.pk


@pytest.fixture
def organization(db, _committed_organization):
    from apps.accounts.models import Organization

    organization = Organization.objects.get(pk=_committed_organization)  # fresh: a test may change its settings
    connection.set_tenant(organization)
    return organization


@pytest.fixture
def owner(data, organization):
    return data.owner_of(organization)


@pytest.fixture
def flow(organization, owner):
    flow = flow_create(user=owner, name="Orders sync", graph=failing_graph())
    flow_publish(flow=flow, user=owner)
    return flow_set_active(flow=flow, active=True)


def finished_run(flow, status="failed", *, error="Division by zero in row 12", node="bad", seconds=1.0, trigger="manual") -> Run:
    """A finished run as the runs app leaves it; each one finishes a little later than the one before."""
    finished_at = timezone.now() + dt.timedelta(milliseconds=next(_clock))
    return Run.objects.create(
        flow=flow,
        graph={},
        trigger=trigger,
        status=status,
        error=error if status == "failed" else "",
        error_node_id=node if status == "failed" else "",
        started_at=finished_at - dt.timedelta(seconds=seconds),
        finished_at=finished_at,
    )


def failure_rule(flow, owner, **values):
    """An alert rule for every failure of `flow`, in the bell only unless `values` say otherwise."""
    from apps.notifications.services.rules import alert_rule_create

    settings = {"kind": "failure", "threshold": 3, "duration_seconds": 300, "in_app": True, "email": False, "recipient_ids": []}
    return alert_rule_create(flow=flow, user=owner, **{**settings, **values})


def notified_failure(flow, owner) -> Run:
    """An in-app alert rule for every failure, then a failed run it has been checked against."""
    from apps.notifications.services.alerts import alerts_evaluate_run

    failure_rule(flow, owner)
    run = finished_run(flow)
    alerts_evaluate_run(run_id=run.pk)
    return run
