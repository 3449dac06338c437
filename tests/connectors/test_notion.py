"""Notion database query and page creation against a local fake of the Notion API, through the engine."""

import json

import pytest
from django.utils import translation

from apps.flows.error_text import engine_error_text
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.notion import DATABASE, DATABASE_ID, TOKEN, FakeNotion


@pytest.fixture
def notion(base_urls):
    with FakeNotion() as fake:
        base_urls(notion=fake.url(""))
        yield fake


@pytest.fixture
def integration(organization, owner):
    return credential(organization, owner, "notion_integration", {"token": TOKEN})


def test_a_query_follows_next_cursor_until_has_more_is_false(organization, notion, integration):
    address = f"https://www.notion.so/acme/{DATABASE}?v=1234"
    result = run_step(organization, "notion.query_database", credential=str(integration.pk), database=address)
    assert result.status == "success", result.error
    assert [item["fields"]["이름"] for item in result.last_items] == [f"작업 {n}" for n in range(1, 8)]
    first = result.last_items[0]
    assert first["fields"] == {"이름": "작업 1", "상태": "완료", "태그": ["영업", "긴급"], "금액": 1000, "마감": "2026-12-31", "완료": True}
    queries = notion.path_requests(f"/v1/databases/{DATABASE_ID}/query")
    assert [json.loads(r["body"]).get("start_cursor") for r in queries] == [None, "cursor-3", "cursor-6"]
    assert queries[0]["headers"]["Notion-Version"] == "2022-06-28"


def test_filter_sorts_and_limit_are_sent_as_notion_expects(organization, notion, integration):
    result = run_step(
        organization,
        "notion.query_database",
        credential=str(integration.pk),
        database=DATABASE,
        filter='{"property": "상태", "status": {"equals": "완료"}}',
        sort_property="금액",
        sort_direction="descending",
        limit=2,
    )
    assert result.status == "success", result.error
    assert [item["fields"]["금액"] for item in result.last_items] == [7000, 5000]
    sent = json.loads(notion.requests[-1]["body"])
    assert sent == {
        "filter": {"property": "상태", "status": {"equals": "완료"}},
        "sorts": [{"property": "금액", "direction": "descending"}],
        "page_size": 2,
    }


def test_a_page_is_created_from_plain_values_typed_by_the_database(organization, notion, integration):
    result = run_step(
        organization,
        "notion.create_page",
        credential=str(integration.pk),
        database=DATABASE,
        title="{{ json.name }} 문의",
        fields={"상태": "진행 중", "태그": "영업, 신규", "금액": "{{ json.amount }}", "마감": "2026-12-24", "완료": "no"},
        content="첫 문단\n\n둘째 문단",
        items=[{"name": "김민지", "amount": 15000}],
    )
    assert result.status == "success", result.error
    body = notion.created[-1]
    assert body["parent"] == {"database_id": DATABASE_ID}
    assert body["properties"] == {
        "이름": {"title": [{"type": "text", "text": {"content": "김민지 문의"}}]},
        "상태": {"status": {"name": "진행 중"}},
        "태그": {"multi_select": [{"name": "영업"}, {"name": "신규"}]},
        "금액": {"number": 15000},
        "마감": {"date": {"start": "2026-12-24"}},
        "완료": {"checkbox": False},
    }
    assert [block["paragraph"]["rich_text"][0]["text"]["content"] for block in body["children"]] == ["첫 문단", "둘째 문단"]
    assert result.last_items[0]["fields"]["이름"] == "김민지 문의"
    unknown = run_step(
        organization, "notion.create_page", credential=str(integration.pk), database=DATABASE, title="x", fields={"없음": "1"}
    )
    assert unknown.error_code == "notion_unknown_property" and "금액" in unknown.error


def test_notion_errors_in_words(organization, owner, notion, integration):
    unshared = run_step(organization, "notion.query_database", credential=str(integration.pk), database="a" * 32)
    assert unshared.error_code == "notion_not_found" and "Connections" in unshared.error
    with translation.override("ko"):
        assert "연결" in engine_error_text(unshared.error, unshared.error_args)
    bad_filter = run_step(
        organization, "notion.query_database", credential=str(integration.pk), database=DATABASE, filter='{"property": "X"}'
    )
    assert bad_filter.error_code == "notion_bad_request" and "validation_error" in bad_filter.error
    not_json = run_step(organization, "notion.query_database", credential=str(integration.pk), database=DATABASE, filter="{status")
    assert not_json.error_code == "bad_json"
    not_id = run_step(organization, "notion.query_database", credential=str(integration.pk), database="my tasks")
    assert not_id.error_code == "bad_notion_id"
    wrong = credential(organization, owner, "notion_integration", {"token": "ntn_wrong"}, name="Wrong")
    refused = run_step(organization, "notion.query_database", credential=str(wrong.pk), database=DATABASE)
    assert refused.error_code == "notion_unauthorized" and "my-integrations" in refused.error
    notion.next_answers.append(
        (429, {"Retry-After": "30"}, {"object": "error", "status": 429, "code": "rate_limited", "message": "Rate limited"})
    )
    limited = run_step(organization, "notion.query_database", credential=str(integration.pk), database=DATABASE)
    assert limited.error_code == "rate_limited" and "30" in limited.error


def test_test_connection_of_a_notion_integration(admin, organization, notion, integration):
    assert admin.post(f"/api/v1/credentials/{integration.pk}/test", {}, content_type="application/json").json()["ok"] is True
    assert notion.requests[-1]["path"] == "/v1/users/me"
