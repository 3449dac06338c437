"""apps.files.services: storing, reading and limiting files per organization."""

import io

import pytest
from django.db import connection

from apps.files.errors import FilesError
from apps.files.models import StoredFile
from apps.files.selectors import file_get
from apps.files.services import (
    clean_name,
    file_open,
    file_read,
    file_save,
    files_attach_to_run,
    files_delete_for_runs,
    files_keep,
    files_prune_expired,
    is_file_ref,
)
from apps.files.storage import files_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    connection.set_tenant(organization)
    return organization


def test_a_saved_file_is_a_reference_and_reads_back(organization):
    ref = file_save(data=b"name,amount\nKim,3\n", name="report.csv", run_id=7, flow_id=3)
    assert set(ref) == {"$file", "name", "mime_type", "size"}
    assert ref["name"] == "report.csv" and ref["mime_type"] == "text/csv" and ref["size"] == 18
    assert is_file_ref(ref) and not is_file_ref({"$file": "not-a-uuid"}) and not is_file_ref("x")
    assert file_read(ref) == b"name,amount\nKim,3\n"
    with file_open(ref) as handle:
        assert handle.read(4) == b"name"
    stored = file_get(ref)
    assert stored.run_id == 7 and stored.flow_id == 3 and len(stored.sha256) == 64
    assert stored.storage_key.startswith(f"{organization.schema_name}/")


def test_a_stream_is_stored_in_chunks_with_its_hash(organization):
    payload = bytes(range(256)) * 1000
    ref = file_save(data=io.BytesIO(payload), name="blob.bin", mime_type="application/octet-stream")
    assert ref["size"] == len(payload)
    assert file_read(ref) == payload
    import hashlib

    assert file_get(ref).sha256 == hashlib.sha256(payload).hexdigest()


def test_a_reference_of_another_organization_is_not_found(data, organization):
    ref = file_save(data=b"secret", name="secret.txt")
    other = data.create_organization()
    connection.set_tenant(other)
    with pytest.raises(FilesError) as caught:
        file_read(ref)
    assert caught.value.code == "file_not_found" and caught.value.status == 404
    with pytest.raises(FilesError):
        file_open({**ref})
    connection.set_tenant(organization)
    assert file_read(ref) == b"secret"


def test_files_need_an_organization(db):
    connection.set_schema_to_public()
    with pytest.raises(FilesError) as caught:
        file_save(data=b"x", name="x.txt")
    assert caught.value.code == "no_organization"


def test_the_platform_limit_per_file_applies_before_anything_is_kept(settings, organization):
    settings.EZFLOW_FILES_MAX_FILE_BYTES = 10
    with pytest.raises(FilesError) as caught:
        file_save(data=io.BytesIO(b"x" * 11), name="big.bin")
    assert caught.value.code == "file_too_large" and caught.value.status == 413
    assert "big.bin" in caught.value.message and "10 bytes" in caught.value.message
    assert not StoredFile.objects.exists()
    assert file_save(data=b"x" * 10, name="ok.bin")["size"] == 10


def test_an_organization_override_replaces_the_platform_limits(settings, organization):
    settings.EZFLOW_FILES_MAX_FILE_BYTES = 10
    organization.file_max_bytes = 100
    organization.files_max_total_bytes = 150
    organization.save()
    connection.set_tenant(organization)
    file_save(data=b"x" * 100, name="a.bin")
    with pytest.raises(FilesError) as caught:
        file_save(data=b"x" * 60, name="b.bin")
    assert caught.value.code == "storage_full"
    assert StoredFile.objects.count() == 1


def test_errors_are_translated(organization, settings):
    from django.utils import translation

    settings.EZFLOW_FILES_MAX_FILE_BYTES = 1
    with translation.override("ko"), pytest.raises(FilesError) as caught:
        file_save(data=b"xx", name="a.bin")
    assert "파일" in caught.value.message
    assert caught.value.template.startswith("The file")


def test_names_and_types_are_cleaned(organization):
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\kim\\보고서.xlsx") == "보고서.xlsx"
    assert clean_name("a\x00b\r\n.txt") == "ab.txt"
    assert clean_name("") == "file"
    assert len(clean_name("x" * 300 + ".xlsx")) == 200 and clean_name("x" * 300 + ".xlsx").endswith(".xlsx")
    ref = file_save(data=b"%PDF-1.4", name="scan.pdf", mime_type="not a type\r\nX: y")
    assert ref["mime_type"] == "application/pdf"  # a broken type is replaced by the one of the name
    assert file_save(data=b"?", name="noext")["mime_type"] == "application/octet-stream"


def test_run_files_are_deleted_with_their_runs(organization, django_capture_on_commit_callbacks):
    kept = file_save(data=b"keep", name="keep.txt", run_id=1)
    gone = file_save(data=b"gone", name="gone.txt", run_id=2)
    key = file_get(gone).storage_key
    with django_capture_on_commit_callbacks(execute=True):
        assert files_delete_for_runs(run_ids=[2, 3]) == 1
    assert not files_storage().exists(key)
    assert file_read(kept) == b"keep"
    with pytest.raises(FilesError):
        file_read(gone)


def test_unattached_files_expire_unless_kept(organization, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    loose = file_save(data=b"1", name="loose.txt")
    pinned = file_save(data=b"2", name="pinned.txt")
    attached = file_save(data=b"3", name="attached.txt")
    assert file_get(loose).expires_at is not None
    files_keep(refs=[pinned])
    assert files_attach_to_run(refs=[attached], run_id=5) == 1
    assert file_get(attached).run_id == 5
    later = timezone.now() + dt.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        assert files_prune_expired(now=later) == 1
    assert {s.name for s in StoredFile.objects.all()} == {"pinned.txt", "attached.txt"}


def test_bytes_no_row_names_are_removed_once_old(organization):
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.management import call_command

    kept = file_save(data=b"kept", name="kept.txt")
    storage = files_storage()
    orphan = storage.save(f"{organization.schema_name}/ab/abcdef00-0000-4000-8000-000000000000", ContentFile(b"orphan"))
    fresh = storage.save(f"{organization.schema_name}/ab/abcdef00-0000-4000-8000-000000000001", ContentFile(b"fresh"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(storage.path(orphan), (two_days_ago, two_days_ago))
    os.utime(storage.path(file_get(kept).storage_key), (two_days_ago, two_days_ago))
    call_command("files_remove_orphans", stdout=io.StringIO())
    assert not storage.exists(orphan)
    assert storage.exists(fresh)  # may still be in a transaction about to commit
    assert file_read(kept) == b"kept"


def test_office_types_are_known_on_every_machine_and_generic_types_are_refined(organization):
    assert file_save(data=b"HWP", name="공고.hwp")["mime_type"] == "application/x-hwp"
    assert file_save(data=b"PK", name="공고.hwpx", mime_type="application/octet-stream")["mime_type"] == "application/hwp+zip"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert file_save(data=b"PK", name="report.XLSX", mime_type="binary/octet-stream")["mime_type"] == xlsx
    assert file_save(data=b"?", name="blob", mime_type="application/octet-stream")["mime_type"] == "application/octet-stream"
