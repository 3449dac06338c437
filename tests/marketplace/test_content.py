"""The shipped templates: valid for the engine, complete in Korean and English, free of secrets, and working end to end."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from apps.flows import credential_kinds
from apps.flows.engine.context import LocalHost
from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.validation import validate_graph
from apps.flows.nodes.registry import load_builtin_nodes
from apps.marketplace.content import (
    CATEGORIES,
    FOLDER,
    FORMAT,
    TRANSLATED_FIELDS,
    credential_slots,
    graph_with_credentials,
    shipped_template,
    shipped_templates,
    variables_used,
)
from apps.marketplace.models import Category
from tests.support.fake_http import FakeServer

TEMPLATES = shipped_templates()
IDS = [t["slug"] for t in TEMPLATES]
SEOUL = ZoneInfo("Asia/Seoul")
SECRET_LOOKING = re.compile(r"xox[bpa]-|hooks\.slack\.com/services/|sk-ant-|ghp_|AKIA[0-9A-Z]{12}|Bearer [A-Za-z0-9._~+/-]{10,}")


def test_at_least_25_templates_with_the_ones_the_product_plan_names():
    assert len(TEMPLATES) >= 25
    assert len(set(IDS)) == len(IDS)
    for slug in (
        "schedule-assistant-email-to-calendar",
        "document-classify-and-summarise",
        "customer-inquiry-answer-with-handoff",
        "data-sync-with-anomaly-alerts",
        "naver-news-monitoring-to-slack",
        "form-submissions-to-google-sheets",
        "daily-work-report",
    ):
        assert slug in IDS, slug
    assert {t["language"] for t in TEMPLATES} == {"ko", "en"}


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_metadata_is_complete_in_korean_and_english(template):
    assert template["format"] == FORMAT
    assert (FOLDER / f"{template['slug']}.json").exists()
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", template["slug"])
    for field in TRANSLATED_FIELDS:
        for language in ("ko", "en"):
            assert str(template[field].get(language, "")).strip(), (field, language)
        assert re.search(r"[가-힣]", template[field]["ko"]), f"{field}.ko is not Korean"
    assert len(template["title"]["ko"]) <= 120 and len(template["summary"]["en"]) <= 300
    assert template["category"] in CATEGORIES and template["category"] in Category.values
    assert len(template["tags"]) <= 10 and all(len(tag) <= 40 for tag in template["tags"])
    assert template["language"] in ("ko", "en")
    assert template["icon"] and template["license"] == "mit"
    assert template["tags"] and all(isinstance(tag, str) and tag.strip() for tag in template["tags"])
    for entry in template["credentials"]:
        assert credential_kinds.get(entry["type"]) is not None, entry
        assert entry["purpose"]["ko"].strip() and entry["purpose"]["en"].strip()
    for variable in template["variables"]:
        assert variable["example"] and variable["help"]["ko"] and variable["help"]["en"]


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_graph_is_valid_for_the_engine_once_credentials_are_chosen(template):
    registry = load_builtin_nodes()
    slots = credential_slots(template)
    declared = {(node_id, entry["type"]) for entry in template["credentials"] for node_id in entry["nodes"]}
    assert {(node_id, kind) for node_id, _param, kind in slots} == declared, "credentials must list exactly the slots of the graph"
    for node in template["graph"]["nodes"]:
        node_type = registry.get(node["type"])
        if node_type and node["type"] == "net.http" and node["parameters"].get("authentication", "none") != "none":
            assert (node["id"], node["parameters"]["authentication"]) in declared
    # As shipped the only problems are the empty credential choices the person fills in when installing.
    raw = validate_graph(template["graph"], registry)
    required = {(node_id, f"parameters.{param}") for node_id, param, _kind in slots}
    assert {(p.node_id, p.path) for p in raw} <= required, [p.as_dict() for p in raw]
    assert all(p.code == "required" for p in raw)
    chosen = graph_with_credentials(template, {node_id: "1" for node_id, _param, _kind in slots})
    assert validate_graph(chosen, registry) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_no_secrets_and_every_variable_is_declared(template):
    text = json.dumps(template, ensure_ascii=False)
    assert not SECRET_LOOKING.search(text), SECRET_LOOKING.search(text).group(0)
    assert "pinned" not in template["graph"]
    for node_id, param, _kind in credential_slots(template):
        assert _node(template, node_id)["parameters"].get(param, "") == ""
    for node in template["graph"]["nodes"]:
        if node["type"] == "trigger.webhook":
            assert node["parameters"].get("secret", "") == ""
    assert variables_used(template) == {v["name"] for v in template["variables"]}


def _node(template, node_id):
    return next(node for node in template["graph"]["nodes"] if node["id"] == node_id)


# End to end through the engine, with local fake servers in place of Google, Naver and Slack ----------------------


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


def run_template(slug, server, *, items, variables=None, hosts=(), credentials=None):
    template = shipped_template(slug)
    text = json.dumps(template["graph"], ensure_ascii=False)
    for host in hosts:  # the real API's address is replaced by the local fake server
        text = text.replace(host, server.url("").rstrip("/"))
    template["graph"] = json.loads(text)
    ids = {node_id: f"c-{node_id}" for node_id, _param, _kind in credential_slots(template)}
    stored = {}
    for node_id, _param, kind in credential_slots(template):
        stored[f"c-{node_id}"] = {"type": kind, "data": (credentials or {}).get(kind, {})}
    graph = graph_with_credentials(template, ids)
    assert validate_graph(graph) == []
    host = LocalHost(variables=variables or {}, credentials=stored, http_allow_hosts=("127.0.0.1",))
    executor = Executor(Graph.from_dict(graph), host=host, sleep=lambda s: None)
    return executor.run(trigger_items=items)


def test_schedule_assistant_creates_calendar_events_from_a_korean_message(server):
    server.routes["/calendar/v3/calendars/primary/events"] = lambda r: (200, {}, {"id": "ev1", **json.loads(r["body"])})
    message = "안녕하세요. 다음 주간 회의는 2031-05-20 15:00에 합니다. 자료는 5월 19일까지 보내 주세요."
    result = run_template(
        "schedule-assistant-email-to-calendar",
        server,
        items=[{"method": "POST", "headers": {}, "query": {}, "body": {"subject": "주간 회의", "text": message}}],
        variables={"calendar_id": "primary"},
        hosts=("https://www.googleapis.com",),
        credentials={"http_bearer": {"token": "calendar-token"}},
    )
    assert result.status == "success", result.error
    sent = [json.loads(r["body"]) for r in server.requests]
    assert [r["headers"]["Authorization"] for r in server.requests] == ["Bearer calendar-token"] * 2
    timed = next(event for event in sent if "dateTime" in event["start"])
    assert timed["summary"] == "주간 회의"
    assert dt.datetime.fromisoformat(timed["start"]["dateTime"]) == dt.datetime(2031, 5, 20, 15, 0, tzinfo=SEOUL)
    all_day = next(event for event in sent if "date" in event["start"])
    assert all_day["start"]["date"].endswith("-05-19")
    assert result.response["body"]["created"] == 2


def test_schedule_assistant_answers_when_there_is_no_date(server):
    result = run_template(
        "schedule-assistant-email-to-calendar",
        server,
        items=[{"body": {"text": "점심 맛있게 드세요"}}],
        variables={"calendar_id": "primary"},
        hosts=("https://www.googleapis.com",),
    )
    assert result.status == "success", result.error
    assert server.requests == []
    assert result.response["body"] == {"created": 0, "message": "날짜를 찾지 못했습니다."}


def test_customer_inquiry_answers_faq_and_hands_urgent_ones_to_a_person(server):
    server.routes["/slack"] = lambda r: (200, {}, b"ok")
    slack = {"slack_webhook": {"url": server.url("/slack")}}
    known = run_template(
        "customer-inquiry-answer-with-handoff",
        server,
        items=[{"body": {"name": "김민지", "message": "환불은 어떻게 하나요?"}}],
        credentials=slack,
    )
    assert known.status == "success", known.error
    assert known.response["body"]["answered"] is True and "7일" in known.response["body"]["answer"]
    assert server.requests == []

    urgent = run_template(
        "customer-inquiry-answer-with-handoff",
        server,
        items=[{"body": {"name": "박준호", "email": "junho@example.com", "message": "긴급합니다. 계약 해지 문의요"}}],
        credentials=slack,
    )
    assert urgent.status == "success", urgent.error
    assert urgent.response["body"]["answered"] is False
    posted = json.loads(server.requests[0]["body"])["text"]
    assert "긴급" in posted and "junho@example.com" in posted and "계약 해지" in posted


def test_naver_news_posts_only_fresh_articles_to_slack(server):
    now = dt.datetime.now(dt.UTC)
    stamp = lambda minutes: (now - dt.timedelta(minutes=minutes)).strftime("%a, %d %b %Y %H:%M:%S +0000")  # noqa: E731
    articles = [
        {
            "title": "<b>이지플로우</b> 신기능 출시 &amp; 할인",
            "originallink": "https://news.example/1",
            "link": "https://n.news/1",
            "pubDate": stamp(10),
        },
        {"title": "지난 기사", "originallink": "https://news.example/2", "link": "https://n.news/2", "pubDate": stamp(600)},
    ]
    server.routes["/v1/search/news.json"] = lambda r: (200, {}, {"items": articles, "query": r["query"]})
    server.routes["/slack"] = lambda r: (200, {}, b"ok")
    result = run_template(
        "naver-news-monitoring-to-slack",
        server,
        items=[{}],
        variables={"naver_client_id": "client-1", "news_keyword": "이지플로우"},
        hosts=("https://openapi.naver.com",),
        credentials={
            "http_header": {"header": "X-Naver-Client-Secret", "value": "secret-1"},
            "slack_webhook": {"url": server.url("/slack")},
        },
    )
    assert result.status == "success", result.error
    search, post = server.requests
    assert search["query"] == {"query": "이지플로우", "display": "30", "sort": "date"}
    assert search["headers"]["X-Naver-Client-Id"] == "client-1" and search["headers"]["X-Naver-Client-Secret"] == "secret-1"
    text = json.loads(post["body"])["text"]
    assert "새 기사 1건" in text and "<https://news.example/1|이지플로우 신기능 출시 & 할인>" in text
    assert "지난 기사" not in text


def test_form_submission_becomes_a_spreadsheet_row(server):
    path = "/v4/spreadsheets/sheet-9/values/%EC%9D%91%EB%8B%B5%21A%3AE:append"
    server.routes[path] = lambda r: (200, {}, {"updates": {"updatedRows": 1}})
    result = run_template(
        "form-submissions-to-google-sheets",
        server,
        items=[{"body": {"name": "홍길동", "email": "gildong@example.com", "message": "견적 문의"}}],
        variables={"sheet_id": "sheet-9", "sheet_range": "응답!A:E"},
        hosts=("https://sheets.googleapis.com",),
        credentials={"http_bearer": {"token": "sheets-token"}},
    )
    assert result.status == "success", result.error
    (request,) = server.requests
    assert request["path"] == "/v4/spreadsheets/sheet-9/values/응답!A:E:append" or request["path"] == path
    assert request["query"] == {"valueInputOption": "USER_ENTERED"}
    row = json.loads(request["body"])["values"][0]
    assert row[1:] == ["홍길동", "gildong@example.com", "", "견적 문의"]
    assert result.response["body"] == {"ok": True}


def test_csv_cleanup_without_any_credentials(server):
    csv_text = "name,email\nKim ,KIM@EXAMPLE.COM\nLee,\nAhn,ahn@example.com\nKim,kim@example.com\n"
    result = run_template("csv-contact-list-cleanup", server, items=[{"body": {"csv": csv_text}}])
    assert result.status == "success", result.error
    assert result.response["body"]["rows"] == 2
    assert result.response["body"]["csv"].splitlines() == ["name,email", "Ahn,ahn@example.com", "Kim,kim@example.com"]


def test_low_stock_alert_lists_items_at_or_below_the_reorder_point(server):
    stock = [
        {"sku": "A-1", "name": "복사용지", "quantity": 3, "reorder_point": 10},
        {"sku": "B-2", "name": "토너", "quantity": 12, "reorder_point": 5},
        {"sku": "C-3", "name": "볼펜", "quantity": 5, "reorder_point": 5},
    ]
    server.routes["/stock"] = lambda r: (200, {}, stock)
    server.routes["/slack"] = lambda r: (200, {}, b"ok")
    result = run_template(
        "low-stock-alert",
        server,
        items=[{}],
        variables={"inventory_url": server.url("/stock")},
        credentials={"http_bearer": {"token": "t"}, "slack_webhook": {"url": server.url("/slack")}},
    )
    assert result.status == "success", result.error
    text = json.loads(server.requests[-1]["body"])["text"]
    assert text.splitlines() == ["📦 재고 부족 2개 품목", "• 복사용지 (A-1): 3개 / 안전재고 10", "• 볼펜 (C-3): 5개 / 안전재고 5"]


def test_document_classification_sends_the_category_and_summary(server):
    server.routes["/slack"] = lambda r: (200, {}, b"ok")
    text = (
        "본 계약은 갑과 을 사이의 물품 공급 계약이다. 계약기간은 2026년 1월 1일부터 12월 31일까지로 한다. "
        "을은 매월 말일까지 물품을 납품한다."
    )
    result = run_template(
        "document-classify-and-summarise",
        server,
        items=[{"body": {"title": "물품 공급 계약서", "text": text}}],
        credentials={"slack_webhook": {"url": server.url("/slack")}},
    )
    assert result.status == "success", result.error
    assert result.response["body"]["category"] == "contract"
    assert "계약기간" in result.response["body"]["summary"]
    assert "계약서" in json.loads(server.requests[0]["body"])["text"]


def test_template_files_are_formatted_consistently():
    for path in sorted(Path(FOLDER).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert path.read_text(encoding="utf-8") == json.dumps(data, ensure_ascii=False, indent=2) + "\n", path.name


def test_data_sync_copies_every_row_and_alerts_only_on_the_outlier(server):
    rows = [{"name": f"store-{i}", "value": 100 + i} for i in range(12)] + [{"name": "store-x", "value": 900}]
    server.routes["/source"] = lambda r: (200, {}, {"data": rows})
    server.routes["/target"] = lambda r: (200, {}, {"imported": len(json.loads(r["body"])["rows"])})
    server.routes["/slack"] = lambda r: (200, {}, b"ok")
    result = run_template(
        "data-sync-with-anomaly-alerts",
        server,
        items=[{}],
        variables={"source_url": server.url("/source"), "target_url": server.url("/target")},
        credentials={"http_bearer": {"token": "t"}, "slack_webhook": {"url": server.url("/slack")}},
    )
    assert result.status == "success", result.error
    by_path = {}
    for request in server.requests:
        by_path.setdefault(request["path"], []).append(request)
    assert len(json.loads(by_path["/target"][0]["body"])["rows"]) == 13
    (alert,) = by_path["/slack"]
    assert "store-x = 900.0" in json.loads(alert["body"])["text"]


def test_public_holidays_of_the_next_two_weeks_from_data_go_kr(server):
    soon = dt.datetime.now(SEOUL).date() + dt.timedelta(days=3)
    later = soon + dt.timedelta(days=40)
    answer = {
        "response": {
            "body": {
                "items": {
                    "item": [
                        {"locdate": int(soon.strftime("%Y%m%d")), "dateName": "대체공휴일", "isHoliday": "Y"},
                        {"locdate": int(later.strftime("%Y%m%d")), "dateName": "먼 공휴일", "isHoliday": "Y"},
                    ]
                }
            }
        }
    }
    server.routes["/B090041/openapi/service/SpcdeInfoService/getRestDeInfo"] = lambda r: (200, {}, answer)
    server.routes["/slack"] = lambda r: (200, {}, b"ok")
    result = run_template(
        "public-holiday-reminder",
        server,
        items=[{}],
        hosts=("https://apis.data.go.kr",),
        credentials={"http_query": {"parameter": "serviceKey", "value": "key-1"}, "slack_webhook": {"url": server.url("/slack")}},
    )
    assert result.status == "success", result.error
    calls = [r for r in server.requests if r["path"] != "/slack"]
    assert len(calls) == 2 and all(r["query"]["serviceKey"] == "key-1" for r in calls)
    text = json.loads(server.requests[-1]["body"])["text"]
    assert f"{soon.month}월 {soon.day}일" in text and "대체공휴일" in text and "먼 공휴일" not in text


# Sample input: an installed template tests without anyone typing JSON ---------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_templates_started_by_requests_or_failures_ship_sample_input_shaped_like_the_real_input(template):
    registry = load_builtin_nodes()
    kinds = {registry.trigger_kind_of(node) for node in template["graph"]["nodes"]}
    sample = template.get("sample_input")
    checked = [node for node in template["graph"]["nodes"] if getattr(registry.get(node["type"]), "receive_webhook", None)]
    if checked:  # a trigger that checks the call itself starts the run with what it found (Toss: the Payment object)
        assert sample and all(isinstance(item, dict) and item for item in sample)
    elif "webhook" in kinds:
        assert sample, "a webhook template ships sample_input"
        for item in sample:  # exactly the keys apps.runs.webhooks.receive gives a production run
            assert set(item) == {"method", "headers", "query", "body"}, item
    elif "form" in kinds:  # the answers by field name, as apps.connectors.form_submissions starts a run
        from apps.connectors.hosted_forms import form_fields

        form = next(node for node in template["graph"]["nodes"] if registry.trigger_kind_of(node) == "form")
        names = {field.key for field in form_fields(form["parameters"])}
        assert sample and all(set(item) == names | {"submitted_at"} for item in sample), (names, sample)
    elif "event" in kinds:
        assert sample and all({"flow", "run", "error"} <= set(item) for item in sample)
    else:
        assert not sample


def test_expense_claim_template_runs_green_on_its_own_sample(server):
    """The 경비 청구 template failed its first test with `'dict object' has no attribute 'body'`: its sample is a
    request, so the claim (45,000 won, under the 100,000 limit) is recorded and approved."""
    path = "/v4/spreadsheets/sheet-1/values/%EA%B2%BD%EB%B9%84%21A%3AE:append"
    server.routes[path] = lambda r: (200, {}, {"updates": {"updatedRows": 1}})
    result = run_template(
        "expense-approval-request",
        server,
        items=shipped_template("expense-approval-request")["sample_input"],
        variables={"auto_approve_limit": "100000", "sheet_id": "sheet-1", "sheet_range": "경비!A:E"},
        hosts=("https://sheets.googleapis.com",),
        credentials={"http_bearer": {"token": "sheets-token"}, "slack_webhook": {"url": server.url("/slack")}},
    )
    assert result.status == "success", result.error
    (request,) = server.requests
    row = json.loads(request["body"])["values"][0]
    assert row[1:4] == ["김민지", 45000, "고객 미팅 식대"] and dt.date.fromisoformat(row[0])  # today() sent as ISO text
    assert result.response["body"] == {"status": "approved"}
