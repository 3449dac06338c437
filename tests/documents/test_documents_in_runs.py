"""Document steps in real runs of the product: an Excel file uploaded to a webhook is read, its rows become a new
workbook and a PDF stored with the run; a file reference of another organization is not readable."""

from __future__ import annotations

import io
import json

import openpyxl
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from apps.files.models import StoredFile
from apps.files.services import file_read, file_save
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import NodeRun, Run
from tests.documents.test_excel_csv import SALES, workbook
from tests.flows.graphs import edge, node
from tests.runs.webhooks.test_multipart_uploads import Upload
from tests.support.webhooks import call_webhook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def publish(organization, nodes, edges, name="Documents"):
    connection.set_tenant(organization)
    flow = flow_create(user=None, name=name, graph={"nodes": nodes, "edges": edges})
    flow_publish(flow=flow, user=None)
    flow_set_active(flow=flow, active=True)
    connection.set_schema_to_public()
    return flow


def test_an_uploaded_workbook_becomes_rows_a_new_workbook_and_a_pdf_of_the_run(data, eager_tasks, django_capture_on_commit_callbacks):
    organization = data.create_organization()
    html = "<h1>{{ 품목 }}</h1><p>{{ 수량 }} × {{ 단가 }}</p>"
    flow = publish(
        organization,
        [
            node("hook", "trigger.webhook", "Webhook"),
            node("read", "documents.excel_read", "Read", file_field="body.file"),
            node("write", "documents.excel_write", "Write", file_name="rows.xlsx"),
            node("pdf", "documents.pdf_from_html", "PDF", html=html, values="{{ nodes['Read'].items[0] }}"),
        ],
        [edge("hook", "read"), edge("read", "write"), edge("write", "pdf")],
    )
    body = encode_multipart(BOUNDARY, {"file": Upload("매출.xlsx", workbook(SALES), XLSX)})
    with django_capture_on_commit_callbacks(execute=True):
        response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 202, response.content
    connection.set_tenant(organization)
    run = Run.objects.get(pk=response.json()["run_id"])
    assert run.status == "success", (run.error, run.error_code)
    outputs = {n.node_id: n for n in NodeRun.objects.filter(run=run)}
    assert outputs["read"].items_out == 2
    pdf_ref = outputs["pdf"].output_sample["main"]["items"][0]["file"]  # the PDF step put its file where the workbook was
    assert pdf_ref["mime_type"] == "application/pdf" and file_read(pdf_ref).startswith(b"%PDF-")
    rows_ref = outputs["write"].output_sample["main"]["items"][0]["file"]
    sheet = openpyxl.load_workbook(io.BytesIO(file_read(rows_ref))).active
    assert [c.value for c in sheet[1]] == ["날짜", "품목", "수량", "단가"]
    assert [c.value for c in sheet[3]][1:] == ["배", 5, 900]
    assert {f.run_id for f in StoredFile.objects.all()} == {run.pk}  # the upload and both made files go with the run
    assert StoredFile.objects.count() == 3


def test_a_reference_to_another_organizations_file_is_not_found(data, eager_tasks, django_capture_on_commit_callbacks):
    owner, other = data.create_organization(), data.create_organization()
    connection.set_tenant(owner)
    foreign = file_save(data=workbook(SALES), name="secret.xlsx", mime_type=XLSX)
    connection.set_schema_to_public()
    flow = publish(
        other,
        [node("hook", "trigger.webhook", "Webhook"), node("read", "documents.excel_read", "Read", file_field="body.file")],
        [edge("hook", "read")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = call_webhook(other.host, f"/webhook/{flow.webhook_token}", json.dumps({"file": foreign}).encode())
    assert response.status_code == 202, response.content
    connection.set_tenant(other)
    run = Run.objects.get(pk=response.json()["run_id"])
    assert run.status == "failed" and run.error_code == "file_not_found"
    assert "사과" not in str(NodeRun.objects.filter(run=run).values_list("output_sample", flat=True))
