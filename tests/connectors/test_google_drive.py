"""Google Drive list, upload and download against a local fake of Drive v3, through the engine."""

import pytest

from apps.connectors.catalog.google.drive import drive_id
from apps.files.refs import is_file_ref
from apps.files.services import file_read
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.google import CLIENT_ID, CLIENT_SECRET, FakeGoogle
from tests.connectors.fakes.google_drive import FakeDrive

FOLDER = "1AbCdEfGhIjKlMnOpQrStUv"


@pytest.fixture
def drive(base_urls):
    with FakeGoogle() as google, FakeDrive(google.oauth) as fake:
        base_urls(google_auth=google.url(""), google_oauth2=google.url(""), google_drive=fake.url(""))
        fake.add(FOLDER, "보고서", "application/vnd.google-apps.folder")
        fake.add("1FileCsv000001", "매출_12월.csv", "text/csv", parent=FOLDER, data="월,매출\n12,1000\n".encode())
        fake.add("1DocGoogle0001", "회의록", "application/vnd.google-apps.document", parent=FOLDER)
        fake.add("1OldTrashed001", "지난 보고서.csv", "text/csv", parent=FOLDER, data=b"x", trashed=True)
        yield fake


@pytest.fixture
def account(organization, owner, drive):
    token = "ya29.drive-access"
    drive.oauth.access_tokens[token] = 4102444800.0
    tokens = {"access_token": token, "refresh_token": "1//drive-refresh", "token_type": "Bearer", "expires_at": 4102444800}
    return credential(organization, owner, "google_drive", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, tokens=tokens).pk


def test_list_download_and_upload_again(organization, drive, account):
    listed = run_step(
        organization, "google_drive.list_files", credential=str(account), folder=f"https://drive.google.com/drive/folders/{FOLDER}"
    )
    assert listed.status == "success", listed.error
    assert [(f["name"], f["size"], f["is_folder"]) for f in listed.last_items] == [("매출_12월.csv", 19, False), ("회의록", None, False)]
    query = drive.path_requests("/drive/v3/files")[-1]["query"]
    assert query["q"] == f"'{FOLDER}' in parents and trashed = false" and query["fields"].startswith("nextPageToken,files(")

    downloaded = run_step(organization, "google_drive.download_file", items=listed.last_items, credential=str(account))
    assert downloaded.status == "success", downloaded.error
    csv, doc = (item["file"] for item in downloaded.last_items)
    assert is_file_ref(csv) and (csv["name"], csv["mime_type"]) == ("매출_12월.csv", "text/csv")
    assert file_read(csv).decode() == "월,매출\n12,1000\n"
    assert (doc["name"], doc["mime_type"]) == ("회의록.pdf", "application/pdf") and file_read(doc).startswith(b"%PDF")

    uploaded = run_step(
        organization,
        "google_drive.upload_file",
        items=downloaded.last_items[:1],
        credential=str(account),
        folder=FOLDER,
        file_name="사본.csv",
    )
    assert uploaded.status == "success", uploaded.error
    (sent,) = drive.uploads
    assert sent["metadata"] == {"name": "사본.csv", "parents": [FOLDER], "mimeType": "text/csv"}
    assert sent["data"].decode() == "월,매출\n12,1000\n"
    assert uploaded.last_items[0]["drive_file"]["name"] == "사본.csv" and uploaded.last_items[0]["drive_file"]["size"] == 19


def test_drive_errors_in_words(organization, drive, account):
    missing = run_step(organization, "google_drive.download_file", credential=str(account), file="1NoSuchFile0000")
    assert missing.status == "failed" and "1NoSuchFile0000" in (missing.error + str(missing.error_args))
    no_file = run_step(organization, "google_drive.upload_file", items=[{"n": 1}], credential=str(account))
    assert no_file.error_code == "not_a_file"
    folder = run_step(organization, "google_drive.download_file", credential=str(account), file=FOLDER)
    assert folder.error_code == "drive_is_folder"
    bad = run_step(organization, "google_drive.list_files", credential=str(account), folder="내 폴더")
    assert bad.error_code == "bad_drive_id"


def test_ids_from_pasted_addresses():
    assert drive_id("https://drive.google.com/file/d/1FileCsv000001/view?usp=sharing", folder=False) == "1FileCsv000001"
    assert drive_id("https://docs.google.com/document/d/1DocGoogle0001/edit", folder=False) == "1DocGoogle0001"
    assert drive_id("https://drive.google.com/open?id=1FileCsv000001", folder=False) == "1FileCsv000001"
    assert drive_id("", folder=True) == "root"
