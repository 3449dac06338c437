"""Files through the HTTP and email steps: binary answers become files, files leave as multipart parts and
attachments (docs/files.md). LocalHost keeps files in memory, as the product keeps them per organization."""

import email
import email.policy

import pytest

from apps.flows.engine.context import LocalHost
from apps.flows.engine.files import is_file_ref
from tests.flows.engine.helpers import edge, node, run
from tests.support.fake_http import FakeServer

START = node("start", "trigger.manual", "Start")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


def http(server, items=({"id": 5},), host=None, **params):
    host = host or LocalHost(http_allow_hosts=("127.0.0.1",))
    result, _ = run([START, node("http", "net.http", "Call", **params)], [edge("start", "http")], list(items), host=host)
    return result, host


def test_a_binary_answer_becomes_a_file_named_by_the_server(server):
    disposition = "attachment; filename=\"report.xlsx\"; filename*=UTF-8''%EC%9B%94%EA%B0%84%20%EB%B3%B4%EA%B3%A0.xlsx"
    server.routes["/report"] = lambda r: (200, {"Content-Type": XLSX, "Content-Disposition": disposition}, b"PK\x03\x04xlsx")
    server.routes["/chart.png"] = lambda r: (200, {"Content-Type": "image/png"}, b"\x89PNG")
    server.routes["/json"] = lambda r: (200, {}, {"ok": True})
    result, host = http(server, url=server.url("/report"))
    item = result.last_items[0]
    assert result.status == "success" and "body" not in item
    assert item["file"] == {"$file": item["file"]["$file"], "name": "월간 보고.xlsx", "mime_type": XLSX, "size": 8}
    assert host.files.read(item["file"]) == b"PK\x03\x04xlsx"
    chart = http(server, url=server.url("/chart.png"), response_file_field="chart")[0].last_items[0]["chart"]
    assert chart["name"] == "chart.png" and chart["mime_type"] == "image/png"
    assert http(server, url=server.url("/json"))[0].last_items[0]["body"] == {"ok": True}  # JSON stays JSON


def test_any_answer_can_be_taken_as_a_file(server):
    server.routes["/export"] = lambda r: (200, {"Content-Type": "text/csv; charset=utf-8"}, "이름,수량\n김,3\n".encode())
    assert http(server, url=server.url("/export"))[0].last_items[0]["body"] == "이름,수량\n김,3\n"  # text stays text
    result, host = http(server, url=server.url("/export"), response_format="file")
    ref = result.last_items[0]["file"]
    assert is_file_ref(ref) and ref["name"] == "export.csv" and ref["mime_type"] == "text/csv"
    assert host.files.read(ref).decode() == "이름,수량\n김,3\n"


def test_a_file_answer_over_the_organizations_limit_fails_clearly(server):
    server.routes["/big.pdf"] = lambda r: (200, {"Content-Type": "application/pdf"}, b"%PDF" + b"x" * 100)
    host = LocalHost(http_allow_hosts=("127.0.0.1",))
    host.files.max_file_bytes = 50
    result, _ = http(server, url=server.url("/big.pdf"), host=host)
    assert result.status == "failed" and result.error_code == "file_too_large" and "big.pdf" in result.error


def test_files_leave_as_multipart_parts(server):
    server.routes["/upload"] = lambda r: (200, {}, {"type": r["headers"].get("Content-Type"), "body": r["body"].decode("utf-8", "replace")})
    host = LocalHost(http_allow_hosts=("127.0.0.1",))
    report = host.files.save(data=b"%PDF-1.7 report", name="보고서.pdf", mime_type="application/pdf")
    photo = host.files.save(data=b"\x89PNG photo", name="photo.png", mime_type="image/png")
    items = [{"doc": report, "extra": {"photo": photo}}]
    result, _ = http(
        server,
        items,
        host,
        method="POST",
        url=server.url("/upload"),
        body_type="multipart",
        body={"title": "월간", "picture": "{{ json.extra.photo }}"},
        send_file_field="doc",
        send_file_part="attachment",
    )
    assert result.status == "success", result.error
    sent = result.last_items[0]["body"]["body"]
    assert 'name="title"' in sent and "월간" in sent
    assert 'name="attachment"; filename="' in sent and "%PDF-1.7 report" in sent and "Content-Type: application/pdf" in sent
    assert 'name="picture"; filename="photo.png"' in sent and "PNG photo" in sent


def test_sending_a_field_without_a_file_says_which_field(server):
    server.routes["/upload"] = lambda r: (200, {}, {})
    result, _ = http(
        server, [{"doc": "not a file"}], method="POST", url=server.url("/upload"), body_type="multipart", send_file_field="doc"
    )
    assert result.status == "failed" and result.error_code == "not_a_file" and "“doc”" in result.error


def test_files_sent_together_are_bounded(server, monkeypatch):
    from apps.flows.nodes.builtin import network

    monkeypatch.setattr(network, "MAX_OUTGOING_FILE_BYTES", 10)
    server.routes["/upload"] = lambda r: (200, {}, {})
    host = LocalHost(http_allow_hosts=("127.0.0.1",))
    big = host.files.save(data=b"x" * 11, name="big.bin")
    result, _ = http(server, [{"file": big}], host, method="POST", url=server.url("/upload"), body_type="multipart", send_file_field="file")
    assert result.status == "failed" and result.error_code == "files_too_large"
    assert not server.requests  # refused before anything was sent


def test_email_attachments_from_item_fields():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from tests.support.stack import free_port

    class Collect(Message):
        messages = []

        def handle_message(self, message):
            self.messages.append(message)

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = {"host": "127.0.0.1", "port": str(controller.port), "security": "none", "from_email": "bot@ezflow.example"}
        host = LocalHost(http_allow_hosts=("127.0.0.1",), credentials={"1": {"type": "smtp", "data": smtp}})
        report = host.files.save(data=b"PK\x03\x04 sheet", name="3월 매출.xlsx", mime_type=XLSX)
        scans = [host.files.save(data=b"\x89PNG 1", name="a.png"), host.files.save(data=b"\x89PNG 2", name="b.png")]
        mail = node(
            "mail", "net.email", credential="1", to="kim@example.com", subject="보고서", text="첨부합니다", attachments_field="file, scans"
        )
        result, _ = run([START, mail], [edge("start", "mail")], [{"file": report, "scans": scans}], host=host)
        assert result.status == "success", result.error
        assert result.last_items[0]["email"]["attachments"] == ["3월 매출.xlsx", "a.png", "b.png"]
        received = email.message_from_string(handler.messages[0].as_string(), policy=email.policy.default)
        parts = {part.get_filename(): part for part in received.iter_attachments()}
        assert set(parts) == {"3월 매출.xlsx", "a.png", "b.png"}
        assert parts["3월 매출.xlsx"].get_content() == b"PK\x03\x04 sheet" and parts["3월 매출.xlsx"].get_content_type() == XLSX
        missing = node("mail", "net.email", credential="1", to="kim@example.com", subject="s", text="t", attachments_field="nothing")
        failed, _ = run([START, missing], [edge("start", "mail")], [{"file": report}], host=host)
        assert failed.status == "failed" and failed.error_code == "not_a_file" and len(handler.messages) == 1
    finally:
        controller.stop()


def test_a_download_sent_as_plain_bytes_gets_the_type_of_its_name(server):
    disposition = 'attachment; filename="daily.xlsx"'
    server.routes["/daily"] = lambda r: (200, {"Content-Type": "application/octet-stream", "Content-Disposition": disposition}, b"PK")
    ref = http(server, url=server.url("/daily"))[0].last_items[0]["file"]
    assert ref["name"] == "daily.xlsx" and ref["mime_type"] == XLSX
