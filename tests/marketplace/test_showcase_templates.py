"""The showcase templates of the AI and documents issues, each installed ("Use this template") into an organization,
given database credentials and variables, published, switched on, started at its webhook as in production (JSON or
a multipart upload) and run by the product with its offline AI and document steps against local fakes (SMTP,
Slack, KakaoWork, Google Sheets)."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import shutil
import uuid

import pytest
from django.db import connection

from apps.flows.models import Flow
from apps.runs.models import Run
from tests.connectors.conftest import credential
from tests.connectors.fakes import google
from tests.connectors.fakes.imap import FakeImap
from tests.connectors.fakes.kakao import FakeKakaoWork
from tests.documents import builders
from tests.marketplace.test_connector_templates import World, execute, install, last_run, oauth_tokens, slack_texts
from tests.support.fake_http import FakeServer
from tests.support.webhooks import call_webhook

SHOWCASES = (
    "ai-schedule-assistant-calendar-file",
    "ai-document-sorting-and-summary",
    "ai-customer-inquiry-bot",
    "ai-decision-support-report",
    "scanned-receipts-ocr-to-google-sheets",
    "hwp-notice-summary-to-kakaowork",
    "email-excel-attachments-to-summary-pdf",
    "web-portal-daily-report-to-slack",
)


class Mailbox:
    """A local SMTP server (aiosmtpd) that keeps what it receives."""

    def __enter__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        from tests.support.stack import free_port

        received = self.received = []

        class Collect(Message):
            def handle_message(self, message):
                received.append(email.message_from_string(message.as_string(), policy=email.policy.default))

        self.controller = Controller(Collect(), hostname="127.0.0.1", port=free_port())
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def credential_values(self) -> dict:
        return {"host": "127.0.0.1", "port": str(self.controller.port), "security": "none", "from_email": "bot@ezflow.example"}


def give(world: World, kind: str, values: dict, tokens: dict | None = None) -> None:
    world.credentials[kind] = credential(world.organization, world.owner, kind, values, tokens=tokens, name=kind)


def post(world: World, body: bytes, content_type: str = "application/json"):
    answer = call_webhook(world.organization.host, f"/webhook/{world.flow.webhook_token}", body, content_type=content_type)
    assert answer.status_code in (200, 202), answer.content[:500]
    connection.set_tenant(world.organization)
    run = last_run(world)
    if run.status in (Run.Status.QUEUED, Run.Status.RUNNING):
        run = execute(world, run.pk)
    assert run.status == Run.Status.SUCCESS, run.error
    return answer, run


def multipart(fields: dict[str, tuple[str, bytes, str] | str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            filename, data, mime = value
            head = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'
            parts.append(f"--{boundary}\r\n".encode() + head.encode() + data + b"\r\n")
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def ai_schedule_assistant_calendar_file(world: World):
    with Mailbox() as mailbox:
        give(world, "smtp", mailbox.credential_values())
        install(world, "ai-schedule-assistant-calendar-file", {"schedule_email": "minji@example.com"})
        message = {"subject": "주간 회의", "text": "다음주 화요일 오후 3시 회의, 자료는 모레까지 제출 부탁드립니다.", "place": "본사 3층"}
        post(world, json.dumps(message, ensure_ascii=False).encode())
        (mail,) = mailbox.received
        # The Google Calendar step ships switched off: nothing went to Google until the person switches it on.
        calendar = world.fakes["google"].calendars["primary"]
        assert calendar == []
        switch_on(world, "gcal")
        post(world, json.dumps(message, ensure_ascii=False).encode())
        assert len(mailbox.received) == 2
    assert mail["To"] == "minji@example.com" and "새 일정 2개" in str(mail["Subject"])
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "일정.ics" and attachment.get_content_type() == "text/calendar"
    lines = attachment.get_payload(decode=True).decode("utf-8").replace("\r\n ", "").splitlines()
    assert lines.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:회의" in lines and "SUMMARY:자료는 모레까지 제출 부탁드립니다" not in lines
    assert any(line.startswith("DTSTART:") and line.endswith("T060000Z") for line in lines)  # 15:00 in Seoul
    assert any(line.startswith("DTSTART;VALUE=DATE:") for line in lines) and "LOCATION:본사 3층" in lines
    timed, whole_day = sorted(calendar, key=lambda event: "date" in event["start"])
    assert timed["summary"] == "회의" and timed["location"] == "본사 3층"
    assert timed["start"]["dateTime"].endswith("T15:00:00+09:00") and timed["start"]["timeZone"] == "Asia/Seoul"
    assert "date" in whole_day["start"] and "dateTime" not in whole_day["start"]


def switch_on(world: World, node_id: str) -> None:
    """The person switches a step on in the editor and publishes again."""
    from apps.flows.services.flows import flow_publish, flow_update

    connection.set_tenant(world.organization)
    graph = json.loads(json.dumps(Flow.objects.get(pk=world.flow.pk).draft))
    (node,) = [node for node in graph["nodes"] if node["id"] == node_id]
    assert node["settings"]["disabled"] is True
    node["settings"]["disabled"] = False
    flow_publish(flow=flow_update(flow=Flow.objects.get(pk=world.flow.pk), graph=graph), user=world.owner, message="Google on")
    world.flow = Flow.objects.get(pk=world.flow.pk)


def ai_document_sorting_and_summary(world: World):
    give(world, "slack_webhook", {"url": world.slack.url("/slack")})
    install(world, "ai-document-sorting-and-summary", {})
    contract = (
        "물품 공급 계약서. 본 계약은 갑과 을 사이의 물품 공급에 관한 계약이다. 계약기간은 2026년 1월 1일부터 12월 31일까지로 한다. "
        "을은 매월 말일까지 물품을 납품한다. 갑이 대금을 지급하지 않으면 을은 계약 해지를 통보할 수 있다. 위약금은 계약 금액의 10%로 한다."
    )
    body, content_type = multipart({"file": ("공급계약.pdf", builders.pdf_pages([contract]), "application/pdf")})
    post(world, body, content_type)
    (posted,) = slack_texts(world)
    first, summary, keywords = posted.split("\n")
    assert first == "📄 공급계약.pdf → [계약서] (1쪽)"
    assert summary.startswith("물품 공급 계약서.") and summary.count(".") <= 4 and len(summary) < len(contract)
    assert keywords.startswith("키워드: ") and "계약" in keywords


def ai_customer_inquiry_bot(world: World, kakaowork: FakeKakaoWork):
    give(world, "kakaowork_bot", {"app_key": FakeKakaoWork.APP_KEY})
    kakaowork.users["cs@company.example"] = 4002
    install(world, "ai-customer-inquiry-bot", {"support_email": "cs@company.example"})
    answer, _run = post(world, json.dumps({"name": "김민지", "message": "환불은 어떻게 신청하나요?"}, ensure_ascii=False).encode())
    assert answer.json()["answered"] is True and answer.json()["category"] == "환불" and "7일" in answer.json()["answer"]
    assert not [r for r in kakaowork.requests if r["path"].startswith("/v1/messages")]
    angry = {"name": "박준호", "email": "junho@example.com", "message": "배송이 일주일째 안 와요. 정말 화가 나고 최악입니다."}
    answer, _run = post(world, json.dumps(angry, ensure_ascii=False).encode())
    assert answer.json()["answered"] is False and answer.json()["category"] == "배송"
    (sent,) = [json.loads(r["body"]) for r in kakaowork.requests if r["path"] == "/v1/messages.send_by_email"]
    assert sent["email"] == "cs@company.example" and sent["text"].startswith("😠 고객 문의 확인이 필요합니다 [배송, 감정 negative")
    assert "junho@example.com" in sent["text"] and "일주일째" in sent["text"]


def ai_decision_support_report(world: World, sources: FakeServer):
    sales = [
        {"date": f"2026-11-{day:02d}", "sales": value}
        for day, value in zip(range(1, 15), [100, 104, 98, 103, 107, 101, 105, 340, 106, 110, 108, 112, 109, 114], strict=True)
    ]
    costs = [{"date": row["date"], "ads": 20 + index} for index, row in enumerate(sales)]
    sources.routes["/sales"] = lambda request: (200, {}, sales)
    sources.routes["/ads"] = lambda request: (200, {}, costs)
    with Mailbox() as mailbox:
        give(world, "smtp", mailbox.credential_values())
        install(
            world,
            "ai-decision-support-report",
            {"sales_api_url": sources.url("/sales"), "ads_api_url": sources.url("/ads"), "report_email": "ceo@example.com"},
        )
        connection.set_tenant(world.organization)
        from apps.runs.services.runs import run_create

        run = run_create(flow=world.flow, trigger=Run.Trigger.SCHEDULE, items=[{}])
        execute(world, run.pk)
        (mail,) = mailbox.received
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert text.splitlines()[0] == "이상치 1건: 2026-11-08" and text.splitlines()[1].startswith("다음 3일 예측: ")
    (report,) = list(mail.iter_attachments())
    assert report.get_filename() == "의사결정 보고서.pdf"
    from apps.documents import pdf

    pages = pdf.extract_text(report.get_content())
    assert "2026-11-08" in pages[0]["text"] and "이상" in pages[0]["text"] and "예측" in pages[0]["text"]
    # The chart drawn offline is in the report: one PNG picture on the first page, with the anomaly circled in red.
    import io as _io

    import pypdf
    from PIL import Image

    (picture,) = pypdf.PdfReader(_io.BytesIO(report.get_content())).pages[0].images
    drawn = Image.open(_io.BytesIO(picture.data)).convert("RGB")
    assert drawn.size == (900, 400)
    assert sum(1 for pixel in drawn.getdata() if pixel == (220, 38, 38)) > 20


def scanned_receipts_ocr_to_google_sheets(world: World):
    fake = world.fakes["google"]
    sheet_id = fake.add_spreadsheet({"영수증": [["날짜", "가게", "금액", "파일", "인식 신뢰도"]]}, spreadsheet_id="receipts-1")
    give(
        world, "google_sheets", {"client_id": google.CLIENT_ID, "client_secret": google.CLIENT_SECRET}, oauth_tokens(fake, "google_sheets")
    )
    install(world, "scanned-receipts-ocr-to-google-sheets", {"receipts_sheet": f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit"})
    picture = builders.text_image(["행복마트 강남점", "2026년 11월 28일", "사과 3,000원", "우유 2,500원", "합계 5,500원"])
    body, content_type = multipart({"receipt": ("영수증.png", picture, "image/png")})
    post(world, body, content_type)
    row = fake.sheet("영수증", "receipts-1")[1]
    assert row[:4] == ["2026-11-28", "행복마트 강남점", "5500", "영수증.png"] and float(row[4]) > 0.8


def hwp_notice_summary_to_kakaowork(world: World, kakaowork: FakeKakaoWork):
    give(world, "kakaowork_bot", {"app_key": FakeKakaoWork.APP_KEY})
    install(world, "hwp-notice-summary-to-kakaowork", {"kakaowork_conversation": "1234567"})
    notice = builders.hwpx_document(
        [
            "".join(
                builders.hp_paragraph(builders.hp_run(line))
                for line in [
                    "2026년 하반기 정보보안 교육 안내",
                    "모든 직원은 12월 19일까지 정보보안 교육을 이수해야 합니다.",
                    "교육은 온라인으로 진행되며 약 30분이 걸립니다.",
                    "미이수자는 내년 1월 인사 평가에 반영됩니다.",
                    "문의는 총무팀으로 해 주시기 바랍니다.",
                ]
            )
        ]
    )
    body, content_type = multipart({"file": ("보안교육_공문.hwpx", notice, "application/hwp+zip")})
    post(world, body, content_type)
    (sent,) = [json.loads(r["body"]) for r in kakaowork.requests if r["path"] == "/v1/messages.send"]
    assert sent["conversation_id"] == "1234567"
    lines = sent["text"].splitlines()
    assert lines[0] == "📢 공문 요약: 보안교육_공문.hwpx" and "12월 19일까지" in sent["text"] and len(lines) <= 5


def email_excel_attachments_to_summary_pdf(world: World, imap: FakeImap):
    from apps.flows.host import FlowHost
    from apps.flows.nodes.registry import load_builtin_nodes
    from tests.connectors.fakes.imap import make_message
    from tests.documents.test_excel_csv import workbook
    from tests.marketplace.test_connector_templates import run_with

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header = ["지점", "날짜", "품목", "금액"]
    gangnam = workbook([header, ["강남", "2026-11-01", "커피", 120000], ["강남", "2026-11-02", "빵", 45000]])
    jongno = workbook([header, ["종로", "2026-11-01", "커피", 98000], ["종로", "2026-11-02", "케이크", 61000]])
    with Mailbox() as mailbox:
        give(world, "smtp", mailbox.credential_values())
        give(
            world,
            "imap",
            {"host": "127.0.0.1", "port": str(imap.port), "username": imap.user, "password": imap.password, "security": "none"},
        )
        install(world, "email-excel-attachments-to-summary-pdf", {"summary_email": "finance@example.com"})
        attachments = [("강남점.xlsx", xlsx, gangnam), ("종로점.xlsx", xlsx, jongno), ("메모.txt", "text/plain", "참고".encode())]
        imap.deliver(make_message(subject="11월 지점 매출", attachments=attachments))
        connection.set_tenant(world.organization)
        node = next(n for n in world.flow.published_version.graph["nodes"] if n["id"] == "mail")
        poll = load_builtin_nodes().get("imap.new_email").poll
        items = poll(node["parameters"], {"primed": True, "seen": []}, FlowHost(organization=world.organization))
        run_with(world, items)
        (mail,) = mailbox.received
    assert mail["To"] == "finance@example.com" and str(mail["Subject"]) == "[취합] 11월 지점 매출: 4행, 합계 324000원"
    assert "강남점.xlsx, 종로점.xlsx" in mail.get_body(preferencelist=("plain",)).get_content()
    (report,) = list(mail.iter_attachments())
    from apps.documents import pdf

    text = pdf.extract_text(report.get_payload(decode=True))[0]["text"]
    assert report.get_filename() == "매출 취합.pdf" and "합계 324000원" in text and "케이크" in text and "61000" in text


def web_portal_daily_report_to_slack(world: World):
    from tests.browser.site import PASSWORD, ROWS, USERNAME, Site

    with Site() as portal:
        give(world, "website_login", {"username": USERNAME, "password": PASSWORD})
        give(world, "slack_webhook", {"url": world.slack.url("/slack")})
        install(world, "web-portal-daily-report-to-slack", {"portal_login_url": portal.url("/login")})
        connection.set_tenant(world.organization)
        from apps.runs.services.runs import run_create

        execute(world, run_create(flow=world.flow, trigger=Run.Trigger.SCHEDULE, items=[{}]).pk)
        assert "/reports/daily.csv" in portal.requests
    total = sum(int(row["amount"]) for row in ROWS)
    branches = ", ".join(row["branch"] for row in ROWS)
    assert slack_texts(world) == [f"📊 일일 보고서 {len(ROWS)}행, 금액 합계 {total}\n지점: {branches}"]


@pytest.mark.parametrize("slug", SHOWCASES)
def test_a_showcase_template_installs_and_runs_offline_against_the_fakes(slug, data, settings):
    from tests.documents.test_ocr import HAVE_TESSERACT

    if slug == "scanned-receipts-ocr-to-google-sheets" and not HAVE_TESSERACT and not os.environ.get("EZFLOW_REQUIRE_OCR"):
        pytest.skip("Tesseract is not installed")
    if (
        slug == "web-portal-daily-report-to-slack"
        and not shutil.which("/usr/bin/chromium")
        and not os.environ.get("EZFLOW_REQUIRE_BROWSER")
    ):
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    with (
        FakeServer() as slack,
        FakeKakaoWork() as kakaowork,
        google.FakeGoogle() as fake_google,
        FakeServer() as sources,
        FakeImap() as imap,
    ):
        slack.routes["/slack"] = lambda request: (200, {}, b"ok")
        settings.EZFLOW_CONNECTOR_BASE_URLS = {
            "kakaowork": kakaowork.url(""),
            **{key: fake_google.url("") for key in ("google_auth", "google_oauth2", "google_sheets", "google_calendar")},
        }
        world = World(organization=organization, owner=data.owner_of(organization), fakes={"google": fake_google}, slack=slack)
        scenario = globals()[slug.replace("-", "_")]
        extra = {"kakaowork": kakaowork} if "kakaowork" in scenario.__code__.co_varnames[:2] else {}
        if "sources" in scenario.__code__.co_varnames[:2]:
            extra = {"sources": sources}
        if "imap" in scenario.__code__.co_varnames[:2]:
            extra = {"imap": imap}
        scenario(world, **extra)
    assert Flow.objects.filter(pk=world.flow.pk, active=True).exists()


def test_the_schedule_assistant_publishes_without_a_google_calendar_connection(data):
    """The Google Calendar step is optional: with only the mail server connected the flow publishes and runs."""
    from django.core.management import call_command

    from apps.accounts.models import Membership
    from apps.flows.services.flows import flow_publish, flow_update
    from apps.marketplace.content import shipped_template
    from apps.marketplace.content.loader import template_details
    from apps.marketplace.models import Template
    from apps.marketplace.services.forks import template_fork

    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    owner = data.owner_of(organization)
    slug = "ai-schedule-assistant-calendar-file"
    connection.set_schema_to_public()
    call_command("marketplace_load_templates", slug, stdout=io.StringIO())
    template = Template.objects.get(title=template_details(shipped_template(slug))["title"])
    membership = Membership.objects.get(user=owner, organization=organization)
    fork = template_fork(membership=membership, template=template)
    flow = fork.flow
    # The template's pages say the Google connection is optional (its step ships switched off); the mail server is not.
    assert {c["node_id"]: c["optional"] for c in fork.credentials_needed} == {"mail": False, "gcal": True}
    connection.set_tenant(organization)
    with Mailbox() as mailbox:
        smtp = credential(organization, owner, "smtp", mailbox.credential_values(), name="smtp")
        graph = json.loads(json.dumps(Flow.objects.get(pk=flow.pk).draft))
        by_id = {node["id"]: node for node in graph["nodes"]}
        by_id["mail"]["parameters"]["credential"] = str(smtp.pk)
        by_id["mail"]["parameters"]["to"] = "minji@example.com"
        assert by_id["gcal"]["parameters"]["credential"] == "" and by_id["gcal"]["settings"]["disabled"] is True
        flow_publish(flow=flow_update(flow=Flow.objects.get(pk=flow.pk), graph=graph), user=owner, message="no Google")
        from apps.runs.services.runs import run_create, run_execute

        run = run_create(flow=Flow.objects.get(pk=flow.pk), trigger=Run.Trigger.MANUAL, items=[{"body": {"text": "내일 오후 2시 면담"}}])
        finished = run_execute(run_id=run.pk) or Run.objects.get(pk=run.pk)
        assert finished.status == Run.Status.SUCCESS, finished.error
        assert len(mailbox.received) == 1
