"""multipart/form-data webhook calls: uploads become stored files of the run, referenced from the item."""

import json

from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from apps.files.models import StoredFile
from apps.files.services import file_read
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from tests.flows.graphs import edge, node
from tests.support.webhooks import call_webhook


class Upload:
    """What encode_multipart needs of a file: a name, a content type and read()."""

    def __init__(self, name, data, content_type):
        self.name, self.data, self.content_type = name, data, content_type

    def read(self):
        return self.data


def make_flow(organization, **trigger):
    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("hook", "trigger.webhook", "Webhook", **trigger),
            node(
                "respond", "flow.respond", "Respond", status=200, body={"got": "{{ json.body.file.name }}", "note": "{{ json.body.note }}"}
            ),
        ],
        "edges": [edge("hook", "respond")],
    }
    flow = flow_create(user=None, name="Uploads", graph=graph)
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    connection.set_schema_to_public()
    return flow


def post_form(organization, flow, fields):
    return call_webhook(
        organization.host, f"/webhook/{flow.webhook_token}", encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT
    )


def test_an_uploaded_file_becomes_a_file_of_the_run(data, eager_tasks, django_capture_on_commit_callbacks):
    organization = data.create_organization()
    flow = make_flow(organization)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    fields = {
        "note": "3월 매출",
        "file": Upload("매출.xlsx", b"PK\x03\x04 sheet", xlsx),
        "photos": [Upload("a.png", b"A", "image/png"), Upload("b.png", b"B", "image/png")],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(organization, flow, fields)
    assert response.status_code == 202, response.content
    connection.set_tenant(organization)
    run = Run.objects.get(pk=response.json()["run_id"])
    body = run.input_items[0]["body"]
    assert body["note"] == "3월 매출"
    assert body["file"]["name"] == "매출.xlsx" and body["file"]["mime_type"] == xlsx and body["file"]["size"] == 10
    assert [ref["name"] for ref in body["photos"]] == ["a.png", "b.png"]
    assert file_read(body["file"]) == b"PK\x03\x04 sheet"
    assert set(StoredFile.objects.values_list("run_id", flat=True)) == {run.pk}
    assert set(StoredFile.objects.values_list("flow_id", flat=True)) == {flow.pk}


def test_a_waiting_caller_gets_the_answer_of_an_inline_run(data):
    organization = data.create_organization()
    flow = make_flow(organization, response_mode="wait")
    response = post_form(organization, flow, {"note": "hi", "file": Upload("r.pdf", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 200, response.content
    assert response.json() == {"got": "r.pdf", "note": "hi"}
    connection.set_tenant(organization)
    assert StoredFile.objects.get().run_id is not None


def test_a_file_over_the_organizations_limit_is_refused_and_nothing_is_kept(data, settings):
    settings.EZFLOW_FILES_MAX_FILE_BYTES = 5
    organization = data.create_organization()
    flow = make_flow(organization)
    fields = {"small": Upload("s.txt", b"1234", "text/plain"), "big": Upload("big.txt", b"123456", "text/plain")}
    response = post_form(organization, flow, fields)
    assert response.status_code == 413
    error = json.loads(response.content)["error"]
    assert error["code"] == "file_too_large" and "big.txt" in error["message"]
    connection.set_tenant(organization)
    assert not Run.objects.exists()
    assert not StoredFile.objects.exists()  # the file saved before the refused one is deleted too


def test_the_body_is_bounded_before_parsing(data, settings):
    settings.EZFLOW_FILES_WEBHOOK_MAX_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    organization = data.create_organization()
    flow = make_flow(organization)
    response = post_form(organization, flow, {"file": Upload("x.bin", b"x" * 2000, "application/octet-stream")})
    assert response.status_code == 413 and json.loads(response.content)["error"]["code"] == "too_large"
    assert "1000" in json.loads(response.content)["error"]["message"]


def test_a_broken_form_is_a_clear_400(data):
    organization = data.create_organization()
    flow = make_flow(organization)
    response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", b"--x\r\nnonsense", content_type="multipart/form-data")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "bad_multipart"
