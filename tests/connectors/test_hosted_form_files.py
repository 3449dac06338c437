"""File-upload fields of the hosted form: per-field size and type limits with errors in the visitor's language, files
stored through apps/files and given to the flow as file references, deleted with their run."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.connectors.hosted_forms import Upload, definition_problems, form_fields, upload_problems
from apps.files.models import StoredFile
from apps.files.services import file_read
from apps.runs.models import Run
from tests.connectors.test_hosted_form import live_form, token_of, visitor

PDF = b"%PDF-1.4\n" + b"x" * 2000
FIELDS = [
    {"label": "이름", "type": "text", "required": True},
    {"label": "이력서", "type": "file", "required": True, "key": "resume", "accept": "pdf, .docx", "max_size_mb": 0.1},
    {"label": "사진", "type": "file", "key": "photo", "accept": "image/*", "max_size_mb": 1},
]


def send_files(client, flow, answers, files):
    page = client.get(f"/forms/{flow.webhook_token}/")
    assert page.status_code == 200
    body = {**answers, "csrfmiddlewaretoken": token_of(page.content.decode())}
    for key, (name, content, mime) in files.items():
        body[key] = SimpleUploadedFile(name, content, content_type=mime)
    return client.post(f"/forms/{flow.webhook_token}/", body)


def test_the_limits_of_each_file_field_are_checked():
    fields = form_fields({"fields": FIELDS})
    resume, photo = fields[1], fields[2]
    assert (resume.accept, resume.max_bytes, photo.accept) == ((".pdf", ".docx"), 104857, ("image/*",))
    assert upload_problems(fields, {}) == [upload_problems(fields, {})[0]] and upload_problems(fields, {})[0].key == "resume"
    too_big = upload_problems(fields, {"resume": [Upload("cv.pdf", 200_000, "application/pdf")]})
    assert [(p.key, p.values) for p in too_big] == [("resume", {"max": "0.1"})]
    wrong = upload_problems(fields, {"resume": [Upload("cv.exe", 10, "application/pdf")], "photo": [Upload("me.pdf", 10, "image/png")]})
    assert [(p.key, p.values["types"]) for p in wrong] == [("resume", ".pdf, .docx"), ("photo", "image/*")]
    assert upload_problems(fields, {"resume": [Upload("CV.PDF", 10, "")], "photo": [Upload("me.JPG", 10, "image/jpeg")]}) == []
    two = upload_problems(fields, {"resume": [Upload("a.pdf", 1, ""), Upload("b.pdf", 1, "")]})
    assert [p.key for p in two] == ["resume"]


def test_a_form_with_a_bad_file_field_is_refused_in_the_editor():
    problems = definition_problems({"fields": [{"label": "Doc", "type": "file", "accept": "pdf, not a type", "max_size_mb": 500}]})
    templates = " ".join(p.template for p in problems)
    assert "up to %(max)s MB" in templates and "is not a file type" in templates


def test_files_reach_the_flow_as_file_references_stored_with_the_run(data):
    organization = data.create_organization()
    flow = live_form(data, organization, fields=FIELDS)
    client = visitor(organization, HTTP_ACCEPT_LANGUAGE="ko")
    page = client.get(f"/forms/{flow.webhook_token}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and 'accept=".pdf,.docx"' in page

    refused = send_files(client, flow, {"이름": "김지수"}, {"resume": ("cv.pdf", b"%PDF" + b"x" * 200_000, "application/pdf")})
    text = refused.content.decode()
    assert refused.status_code == 400 and "0.1MB보다큰파일입니다" in text.replace(" ", ""), text[-2000:]
    wrong = send_files(client, flow, {"이름": "김지수"}, {"resume": ("cv.exe", b"MZ", "application/octet-stream")})
    assert wrong.status_code == 400 and ".pdf, .docx" in wrong.content.decode() and "형식" in wrong.content.decode()
    missing = send_files(client, flow, {"이름": "김지수"}, {})
    assert missing.status_code == 400 and "보낼 파일을 고르세요" in missing.content.decode()
    connection.set_tenant(organization)
    assert not Run.objects.filter(flow=flow).exists() and not StoredFile.objects.exists()  # nothing kept from refusals

    sent = send_files(client, flow, {"이름": "김지수"}, {"resume": ("이력서.pdf", PDF, "application/pdf")})
    assert sent.status_code == 200, sent.content.decode()[-2000:]
    connection.set_tenant(organization)
    run = Run.objects.get(flow=flow)
    item = run.input_items[0]
    assert item["이름"] == "김지수" and item["photo"] is None
    ref = item["resume"]
    assert set(ref) >= {"$file", "name", "mime_type", "size"} and (ref["name"], ref["mime_type"], ref["size"]) == (
        "이력서.pdf",
        "application/pdf",
        len(PDF),
    )
    assert file_read(ref) == PDF
    assert StoredFile.objects.get(pk=ref["$file"]).run_id == run.pk  # deleted with its run


def test_the_english_errors_and_the_body_limit_grow_with_the_file_fields(data, settings):
    settings.EZFLOW_FORM_MAX_BODY_BYTES = 4096
    organization = data.create_organization()
    flow = live_form(data, organization, fields=[{"label": "Photo", "type": "file", "key": "photo", "accept": "image/*", "max_size_mb": 1}])
    client = visitor(organization, HTTP_ACCEPT_LANGUAGE="en")
    image = b"\x89PNG" + b"0" * 200_000  # over the answers' 4 KB, under the field's 1 MB
    ok = send_files(client, flow, {}, {"photo": ("me.png", image, "image/png")})
    assert ok.status_code == 200, ok.content.decode()[-1500:]
    bad = send_files(client, flow, {}, {"photo": ("notes.txt", b"hello", "text/plain")})
    assert bad.status_code == 400 and "Choose a file of one of these types: image/*." in bad.content.decode()
    assert io.BytesIO(image).read(4) == b"\x89PNG"
