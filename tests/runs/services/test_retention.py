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


def test_pruned_runs_take_their_files_with_them(data, django_capture_on_commit_callbacks):
    from apps.files.models import StoredFile
    from apps.files.services import file_save
    from apps.files.storage import files_storage

    organization = data.create_organization()
    organization.run_retention_days, organization.run_retention_count = 7, 1
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="F", graph={"nodes": [], "edges": []})
    now = timezone.now()
    runs = []
    for age in (30, 2, 1):
        run = Run.objects.create(flow=flow, graph={}, trigger="manual", status="success")
        Run.objects.filter(pk=run.pk).update(created_at=now - dt.timedelta(days=age))
        runs.append(run.pk)
    old, by_count, kept = (file_save(data=b"x", name=f"{run_id}.txt", run_id=run_id) for run_id in runs)
    keys = dict(StoredFile.objects.values_list("name", "storage_key"))
    with django_capture_on_commit_callbacks(execute=True):
        assert runs_prune(organization=organization, now=now) == 2
    assert list(StoredFile.objects.values_list("name", flat=True)) == [kept["name"]]
    assert not files_storage().exists(keys[old["name"]]) and not files_storage().exists(keys[by_count["name"]])
    assert files_storage().exists(keys[kept["name"]])
