"""POST /api/v1/assistant/draft and the /assistant/ page: roles, other organizations, bad input, rate limit."""

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.flows.models import Flow

PATH = "/api/v1/assistant/draft"
FLAGSHIP = "매일 아침 9시에 네이버 뉴스에서 '자동화'를 검색해서 슬랙으로 보내줘"


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.time_zone = "Asia/Seoul"
    organization.save()
    connection.set_tenant(organization)
    return organization


def post(api, body, **extra):
    return api.post(PATH, body, content_type="application/json", **extra)


def test_editor_gets_a_complete_graph_with_changes_missing_and_a_korean_message(data, organization):
    answer = post(data.editor_api(organization), {"prompt": FLAGSHIP})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert set(body) == {"message", "graph", "changes", "missing", "engine", "notice"} and body["engine"] == "offline"
    assert body["graph"]["nodes"][0]["parameters"]["time_zone"] == "Asia/Seoul"
    assert body["graph"]["nodes"][1]["parameters"]["query"] == "자동화"
    assert [c["action"] for c in body["changes"]] == ["added"] * 3
    assert "일정 → 네이버 검색 → 슬랙으로 보내기" in body["message"]
    connect = [m for m in body["missing"] if m["code"] == "connect"]
    assert {m["credential_type"] for m in connect} == {"naver_developers", "slack_webhook"}
    assert "“슬랙으로 보내기”" in connect[1]["message"] or "“네이버 검색”" in connect[0]["message"]

    follow = post(data.editor_api(organization), {"prompt": "결과를 이메일로도 보내줘", "graph": body["graph"], "language": "en"}).json()
    assert len(follow["graph"]["nodes"]) == 4 and follow["changes"][0]["action"] == "added"
    assert follow["message"].startswith("Added: Send email")


def test_viewers_and_strangers_are_refused_and_owners_may(data, organization):
    assert post(data.editor_api(organization, role=Role.VIEWER), {"prompt": FLAGSHIP}).status_code == 403
    other = data.create_organization()
    outsider = data.create_member(other, role=Role.OWNER)
    token = data.create_token(other, outsider.user)
    assert post(data.api_client(organization, token), {"prompt": FLAGSHIP}).status_code in (401, 403)
    assert post(data.editor_api(organization, role=Role.OWNER), {"prompt": FLAGSHIP}).status_code == 200


def test_bad_input_is_a_translated_400(data, organization):
    api = data.editor_api(organization)
    for body in (
        {},
        {"prompt": ""},
        {"prompt": "x" * 2001},
        {"prompt": "hi", "graph": {"nodes": "no"}},
        {"prompt": "hi", "language": "fr"},
    ):
        answer = post(api, body)
        assert answer.status_code == 400, (body, answer.content)
    korean = post(api, {"prompt": "   "}, HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.status_code == 400 and any("가" <= ch <= "힣" for ch in str(korean.json()))


def test_rate_limit_per_organization(data, organization, settings):
    settings.EZFLOW_ASSISTANT_DRAFTS_PER_MINUTE = 2
    api = data.editor_api(organization)
    assert post(api, {"prompt": FLAGSHIP}).status_code == 200
    assert post(api, {"prompt": FLAGSHIP}).status_code == 200
    refused = post(api, {"prompt": FLAGSHIP})
    assert refused.status_code == 429 and "rate_limited" in str(refused.json()) and "wait a minute" in str(refused.json())
    other = data.create_organization()
    connection.set_tenant(other)
    assert post(data.editor_api(other), {"prompt": FLAGSHIP}).status_code == 200


def test_start_page_creates_a_flow_from_the_sentence_and_opens_the_editor(data, organization):
    member = data.create_member(organization, role=Role.EDITOR)
    client = data.client_for(organization, member.user)
    page = client.get("/assistant/", HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 200 and "무엇을 자동화할까요?" in page.content.decode()
    answer = client.post("/assistant/", {"prompt": FLAGSHIP})
    flow = Flow.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/flows/{flow.pk}/edit/?assistant=1"
    assert [n["parameters"].get("query") for n in flow.draft["nodes"]][1] == "자동화"

    viewer = data.create_member(organization, role=Role.VIEWER)
    refused = data.client_for(organization, viewer.user).post("/assistant/", {"prompt": FLAGSHIP})
    assert refused.status_code == 403 and Flow.objects.count() == 1
