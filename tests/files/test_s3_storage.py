"""Scale-out storage: the same services against an S3-compatible server (moto's server mode on 127.0.0.1)."""

import socket

import pytest
from django.db import connection

from apps.files.errors import FilesError
from apps.files.selectors import file_get
from apps.files.services import file_link, file_read, file_save, files_delete_for_runs

pytestmark = pytest.mark.django_db

BUCKET = "ezflow-files"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_server, monkeypatch):
    import boto3

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings.EZFLOW_FILES_STORAGE = "s3"
    settings.EZFLOW_FILES_S3_BUCKET = BUCKET
    settings.EZFLOW_FILES_S3_ENDPOINT_URL = s3_server
    settings.EZFLOW_FILES_S3_REGION = "us-east-1"
    settings.EZFLOW_FILES_S3_ACCESS_KEY_ID = "test-key"
    settings.EZFLOW_FILES_S3_SECRET_ACCESS_KEY = "test-secret"
    settings.EZFLOW_FILES_S3_ADDRESSING_STYLE = "path"
    client = boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1", aws_access_key_id="test-key", aws_secret_access_key="test-secret"
    )
    if BUCKET not in {bucket["Name"] for bucket in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    return client


def _keys(client) -> set[str]:
    return {entry["Key"] for entry in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_files_are_objects_under_the_organizations_prefix(data, s3, django_capture_on_commit_callbacks):
    organization = data.create_organization()
    connection.set_tenant(organization)
    payload = "한글 보고서\n".encode() * 10_000
    ref = file_save(data=payload, name="보고서.txt", run_id=4)
    key = f"files/{file_get(ref).storage_key}"
    assert key.startswith(f"files/{organization.schema_name}/") and key in _keys(s3)
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(payload)
    assert file_read(ref) == payload
    with django_capture_on_commit_callbacks(execute=True):
        files_delete_for_runs(run_ids=[4])
    assert key not in _keys(s3)


def test_another_organization_cannot_read_an_object(data, s3):
    ours, theirs = data.create_organization(), data.create_organization()
    connection.set_tenant(theirs)
    ref = file_save(data=b"theirs", name="t.txt")
    connection.set_tenant(ours)
    with pytest.raises(FilesError) as caught:
        file_read(ref)
    assert caught.value.code == "file_not_found"


def test_members_download_from_the_bucket_through_a_link(data, s3):
    organization = data.create_organization()
    connection.set_tenant(organization)
    link = file_link(file_save(data=b"%PDF-1.7 demo", name="a.pdf"))
    connection.set_schema_to_public()
    response = data.client_for(organization, data.owner_of(organization)).get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.7 demo"
    assert response["Content-Type"] == "application/pdf"


def test_an_unreachable_bucket_is_a_clear_error(data, settings):
    settings.EZFLOW_FILES_STORAGE = "s3"
    settings.EZFLOW_FILES_S3_BUCKET = BUCKET
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EZFLOW_FILES_S3_ENDPOINT_URL = f"http://127.0.0.1:{port}"  # nothing listens there
    settings.EZFLOW_FILES_S3_REGION = "us-east-1"
    settings.EZFLOW_FILES_S3_ACCESS_KEY_ID = "k"
    settings.EZFLOW_FILES_S3_SECRET_ACCESS_KEY = "s"
    organization = data.create_organization()
    connection.set_tenant(organization)
    with pytest.raises(FilesError) as caught:
        file_save(data=b"x", name="x.txt")
    assert caught.value.code == "storage_unavailable" and caught.value.status == 503
    from apps.files.models import StoredFile

    assert not StoredFile.objects.exists()
