"""Naver search, Papago and CLOVA Studio against local fakes of the real APIs, through the engine."""

import json

import pytest
from django.utils import translation

from apps.flows.error_text import engine_error_text
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.base import FakeService
from tests.connectors.fakes.naver import CLIENT_ID, CLIENT_SECRET, CLOVA_KEY, NCP_KEY, NCP_KEY_ID, FakeClova, FakeNaver, FakePapago


@pytest.fixture
def naver(base_urls):
    with FakeNaver() as fake:
        base_urls(naver=fake.url(""))
        yield fake


@pytest.fixture
def app(organization, owner):
    return credential(organization, owner, "naver_developers", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})


def test_news_search_gives_clean_text_and_keeps_the_marked_originals(organization, naver, app):
    result = run_step(
        organization, "naver.search", credential=str(app.pk), query="{{ json.word }}", sort="date", items=[{"word": "반도체"}]
    )
    assert result.status == "success", result.error
    first, second = result.last_items
    assert first["title"] == '반도체 수출 "역대 최대"' and first["title_html"] == "<b>반도체</b> 수출 &quot;역대 최대&quot;"
    assert first["description"] == "올해 반도체 수출이 크게 늘었다 & 전망도 밝다"
    assert first["link"] == "https://n.news.naver.com/article/1" and first["rank"] == 1 and second["rank"] == 2
    assert first["search_total"] == 2
    request = naver.requests[-1]
    assert request["path"] == "/v1/search/news.json"
    assert request["query"] == {"query": "반도체", "display": "10", "start": "1", "sort": "date"}
    assert request["headers"]["X-Naver-Client-Id"] == CLIENT_ID and request["headers"]["X-Naver-Client-Secret"] == CLIENT_SECRET


def test_each_kind_of_search_gets_an_order_it_offers(organization, naver, app):
    for kind in ("blog", "cafearticle", "shop", "image", "local", "encyc"):
        result = run_step(organization, "naver.search", credential=str(app.pk), query="카페", search_type=kind, display=5)
        assert result.status == "success", (kind, result.error)
        assert naver.requests[-1]["path"] == f"/v1/search/{kind}.json"
    assert naver.requests[-2]["query"]["sort"] == "random"  # local: its own default
    assert "sort" not in naver.requests[-1]["query"]  # the encyclopedia has no order
    shop = run_step(organization, "naver.search", credential=str(app.pk), query="키보드", search_type="shop", sort="asc")
    assert shop.status == "success" and naver.requests[-1]["query"]["sort"] == "asc"


def test_naver_errors_in_words(organization, owner, naver, app):
    too_many = run_step(organization, "naver.search", credential=str(app.pk), query="x", search_type="local", display=50)
    assert too_many.error_code == "naver_bad_display" and "SE02" in too_many.error
    wrong = credential(organization, owner, "naver_developers", {"client_id": CLIENT_ID, "client_secret": "wrong"}, name="Wrong")
    refused = run_step(organization, "naver.search", credential=str(wrong.pk), query="x")
    assert refused.error_code == "naver_unauthorized" and "024" in refused.error and "My Applications" in refused.error
    with translation.override("ko"):
        assert "내 애플리케이션" in engine_error_text(refused.error, refused.error_args)
    naver.next_answers.append((429, {}, {"errorMessage": "Rate limit exceeded. (속도 제한을 초과했습니다.)", "errorCode": "012"}))
    limited = run_step(organization, "naver.search", credential=str(app.pk), query="x")
    assert limited.error_code == "rate_limited" and "012" in limited.error


def test_test_connection_of_a_naver_application(admin, organization, naver, app):
    assert admin.post(f"/api/v1/credentials/{app.pk}/test", {}, content_type="application/json").json()["ok"] is True
    assert naver.requests[-1]["query"]["query"] == "test"


@pytest.fixture
def papago(base_urls):
    with FakePapago() as fake:
        base_urls(papago=fake.url(""))
        yield fake


def test_papago_translates_into_the_chosen_field_and_explains_its_errors(organization, owner, papago):
    key = credential(organization, owner, "ncp_api_gateway", {"key_id": NCP_KEY_ID, "key": NCP_KEY})
    result = run_step(
        organization, "naver.papago_translate", credential=str(key.pk), text="{{ json.text }}", items=[{"text": "안녕하세요"}]
    )
    assert result.status == "success", result.error
    assert result.last_items == [{"text": "안녕하세요", "translation": {"text": "Hello", "source": "ko", "target": "en"}}]
    assert FakeService.form(papago.requests[-1]) == {"source": "auto", "target": "en", "text": "안녕하세요"}
    same = run_step(organization, "naver.papago_translate", credential=str(key.pk), text="x", source="ko", target="ko")
    assert same.error_code == "papago_same_language" and "N2MT05" in same.error
    wrong = credential(organization, owner, "ncp_api_gateway", {"key_id": NCP_KEY_ID, "key": "nope"}, name="Wrong")
    refused = run_step(organization, "naver.papago_translate", credential=str(wrong.pk), text="x")
    assert refused.error_code == "ncp_unauthorized" and "Authentication information" in refused.error


@pytest.fixture
def clova(base_urls):
    with FakeClova() as fake:
        base_urls(clova_studio=fake.url(""))
        yield fake


def test_clova_studio_chat_answers_and_its_errors(organization, owner, clova):
    key = credential(organization, owner, "clova_studio", {"api_key": CLOVA_KEY})
    result = run_step(organization, "naver.clova_chat", credential=str(key.pk), system="짧게 답하세요", prompt="날씨 요약")
    assert result.status == "success", result.error
    assert result.last_items[0]["clova"] == {
        "text": "답변: 날씨 요약",
        "stop_reason": "stop_before",
        "usage": {"promptTokens": 10, "completionTokens": 5, "totalTokens": 15},
    }
    sent = json.loads(clova.requests[-1]["body"])
    assert sent["messages"] == [{"role": "system", "content": "짧게 답하세요"}, {"role": "user", "content": "날씨 요약"}]
    unknown = run_step(organization, "naver.clova_chat", credential=str(key.pk), model="HCX-UNKNOWN", prompt="x")
    assert unknown.error_code == "clova_unknown_model"
    path = run_step(organization, "naver.clova_chat", credential=str(key.pk), model="../admin", prompt="x")
    assert path.error_code == "bad_model" and len(clova.requests) == 2
    wrong = credential(organization, owner, "clova_studio", {"api_key": "nope"}, name="Wrong")
    assert run_step(organization, "naver.clova_chat", credential=str(wrong.pk), prompt="x").error_code == "clova_unauthorized"
