"""Pinned test data may hold files: they stay while pinned, and never leave with an export."""

import json

import pytest
from django.db import connection

from apps.files.selectors import file_get
from apps.files.services import file_save
from apps.flows.services.flows import flow_create, flow_pin_data
from apps.flows.services.transfer import flow_export
from tests.flows.graphs import node

pytestmark = pytest.mark.django_db


def test_pinned_files_do_not_expire_and_exports_carry_no_file(data):
    organization = data.create_organization()
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="F", graph={"nodes": [node("hook", "trigger.webhook", "Webhook")], "edges": []})
    upload = file_save(data=b"PK sheet", name="sample.xlsx", flow_id=flow.pk)  # a captured test request's upload
    assert file_get(upload).expires_at is not None
    flow = flow_pin_data(flow=flow, node_id="hook", items=[{"body": {"file": upload}}])
    assert file_get(upload).expires_at is None
    exported = json.dumps(flow_export(flow=flow))
    assert "$file" not in exported and upload["$file"] not in exported


def test_deleting_a_flow_deletes_its_files(data, django_capture_on_commit_callbacks):
    from apps.files.models import StoredFile
    from apps.files.storage import files_storage
    from apps.flows.services.flows import flow_delete

    organization = data.create_organization()
    connection.set_tenant(organization)
    flow = flow_create(user=None, name="F", graph={"nodes": [], "edges": []})
    other = flow_create(user=None, name="G", graph={"nodes": [], "edges": []})
    gone = file_save(data=b"1", name="gone.txt", flow_id=flow.pk, run_id=1)
    kept = file_save(data=b"2", name="kept.txt", flow_id=other.pk, run_id=2)
    key = file_get(gone).storage_key
    with django_capture_on_commit_callbacks(execute=True):
        flow_delete(flow=flow)
    assert list(StoredFile.objects.values_list("name", flat=True)) == [kept["name"]]
    assert not files_storage().exists(key)
