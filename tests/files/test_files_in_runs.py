"""Files inside real runs: a step's file belongs to the run and the flow, in the organization's schema only."""

import pytest
from django.db import connection

from apps.files.models import StoredFile
from apps.files.services import file_read, file_save
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.services.runs import run_create, run_execute
from tests.flows.graphs import edge, node
from tests.support.fake_http import FakeServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


def published(graph):
    flow = flow_create(user=None, name="Files", graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def allow_loopback(organization):
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    connection.set_tenant(organization)


def test_a_downloaded_file_is_stored_for_the_run(data, server):
    server.routes["/scan.pdf"] = lambda r: (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 scan")
    organization = data.create_organization()
    allow_loopback(organization)
    graph = {
        "nodes": [node("start", "trigger.manual", "Start"), node("get", "net.http", "Download", url=server.url("/scan.pdf"))],
        "edges": [edge("start", "get")],
    }
    flow = published(graph)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert run.status == "success", run.error
    ref = run.result_sample[0]["file"]
    assert ref["name"] == "scan.pdf" and ref["size"] == 13
    stored = StoredFile.objects.get()
    assert (stored.run_id, stored.flow_id) == (run.pk, flow.pk)
    assert file_read(ref) == b"%PDF-1.7 scan"


def test_a_step_cannot_read_a_file_of_another_organization(data, server):
    server.routes["/upload"] = lambda r: (200, {}, {"received": len(r["body"])})
    theirs = data.create_organization()
    connection.set_tenant(theirs)
    stolen = file_save(data=b"their secret", name="secret.txt")
    ours = data.create_organization()
    allow_loopback(ours)
    graph = {
        "nodes": [
            node("start", "trigger.manual", "Start"),
            node("post", "net.http", "Send", method="POST", url=server.url("/upload"), body_type="multipart", send_file_field="file"),
        ],
        "edges": [edge("start", "post")],
    }
    flow = published(graph)
    run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"file": stolen}]).pk)
    assert run.status == "failed" and run.error_code == "file_not_found"
    assert not server.requests
