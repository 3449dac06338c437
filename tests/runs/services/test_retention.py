import datetime as dt

from django.db import connection
from django.utils import timezone

from apps.flows.services.flows import flow_create
from apps.runs.models import NodeRun, Run
from apps.runs.services.retention import runs_prune


def test_old_runs_and_runs_beyond_the_count_are_pruned_but_unfinished_ones_stay(data):
    organization = data.create_organization(slug="prune-co")
    organization.run_retention_days, organization.run_retention_count = 7, 3
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="F", graph={"nodes": [], "edges": []})
    now = timezone.now()

    def make(age_days, status="success"):
        run = Run.objects.create(flow=flow, graph={}, trigger="manual", status=status)
        Run.objects.filter(pk=run.pk).update(created_at=now - dt.timedelta(days=age_days))
        NodeRun.objects.create(run=run, node_id="x", status="success")
        return run.pk

    ancient = make(30)
    waiting_old = make(30, status="waiting")
    recent = [make(age) for age in (5, 4, 3, 2, 1)]
    deleted = runs_prune(organization=organization, now=now)
    remaining = set(Run.objects.values_list("pk", flat=True))
    assert ancient not in remaining and waiting_old in remaining
    assert remaining == {waiting_old, *recent[-3:]}
    assert deleted == 3
    assert NodeRun.objects.filter(run_id=ancient).count() == 0
