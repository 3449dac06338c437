"""Kakao "send KakaoTalk to me" and KakaoWork messages against local fakes of the real APIs, through the engine."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from django.db import connection
from django.utils import translation

from apps.core import crypto
from apps.flows.credential_kinds.oauth2 import TOKENS
from apps.flows.error_text import engine_error_text
from apps.flows.models import Credential
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.kakao import CLIENT_ID, CLIENT_SECRET, FakeKakao, FakeKakaoWork


@pytest.fixture
def kakao(base_urls):
    with FakeKakao() as fake:
        base_urls(kakao=fake.url(""), kakao_auth=fake.url(""))
        yield fake


def connect(admin, organization, kakao) -> int:
    """Creates a Kakao Login credential and signs in through Kakao's consent screen (the fake's)."""
    created = admin.post(
        "/api/v1/credentials",
        {"name": "My Kakao", "type": "kakao_login", "data": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    credential_id = created.json()["id"]
    authorize = admin.post(f"/api/v1/credentials/{credential_id}/oauth2/authorize").json()["authorization_url"]
    parts = urlsplit(authorize)
    assert parts.path == "/oauth/authorize" and parse_qs(parts.query)["scope"] == ["talk_message"]
    assert parse_qs(parts.query)["client_id"] == [CLIENT_ID]
    back = httpx2.get(authorize, follow_redirects=False).headers["location"]
    callback = urlsplit(back)
    assert admin.get(f"{callback.path}?{callback.query}").status_code == 302
    connection.set_tenant(organization)
    assert Credential.objects.get(pk=credential_id).status == "connected"
    return credential_id


def send(organization, credential_id, **params):
    return run_step(organization, "kakao.talk_to_me", credential=str(credential_id), **params)


def test_text_feed_and_list_messages_reach_kakao_in_its_template_shapes(admin, organization, kakao):
    credential_id = connect(admin, organization, kakao)
    text = send(
        organization,
        credential_id,
        text="오늘의 뉴스 {{ json.count }}건",
        link_url="https://news.example.com",
        button_title="열기",
    )
    assert text.status == "success", text.error
    assert text.last_items == [{"kakao": {"sent": True, "result_code": 0}}]
    request = kakao.path_requests("/v2/api/talk/memo/default/send")[-1]
    token = crypto.decrypt(Credential.objects.get(pk=credential_id).encrypted_data)[TOKENS]["access_token"]
    assert request["headers"]["Authorization"] == f"Bearer {token}"
    assert kakao.memos[-1] == {
        "object_type": "text",
        "text": "오늘의 뉴스 건",
        "link": {"web_url": "https://news.example.com", "mobile_web_url": "https://news.example.com"},
        "button_title": "열기",
    }

    feed = send(
        organization,
        credential_id,
        template="feed",
        title="새 주문",
        description="김민지 · 32,000원",
        image_url="https://img.example.com/a.png",
        link_url="https://shop.example.com/orders/1",
        buttons=[{"title": "주문 보기", "url": "https://shop.example.com/orders/1"}],
    )
    assert feed.status == "success", feed.error
    assert kakao.memos[-1]["content"] == {
        "title": "새 주문",
        "description": "김민지 · 32,000원",
        "image_url": "https://img.example.com/a.png",
        "link": {"web_url": "https://shop.example.com/orders/1", "mobile_web_url": "https://shop.example.com/orders/1"},
    }
    assert kakao.memos[-1]["buttons"][0]["title"] == "주문 보기"

    listed = send(
        organization,
        credential_id,
        template="list",
        title="미세먼지",
        list_entries=[
            {"title": "서울", "description": "나쁨"},
            {"title": "부산", "description": "보통", "link_url": "https://air.example.com/busan"},
        ],
    )
    assert listed.status == "success", listed.error
    memo = kakao.memos[-1]
    assert memo["object_type"] == "list" and memo["header_title"] == "미세먼지" and len(memo["contents"]) == 2
    assert memo["contents"][1]["link"]["web_url"] == "https://air.example.com/busan"


def test_the_form_catches_what_kakao_would_refuse_before_sending(admin, organization, kakao):
    credential_id = connect(admin, organization, kakao)
    too_long = send(organization, credential_id, text="가" * 201)
    assert too_long.status == "failed" and too_long.error_code == "bad_template" and "201 characters" in too_long.error
    one_entry = send(organization, credential_id, template="list", title="t", list_entries=[{"title": "only"}])
    assert one_entry.status == "failed" and "2 or 3 entries" in one_entry.error
    bad_link = send(organization, credential_id, text="hi", link_url="javascript:alert(1)")
    assert bad_link.status == "failed" and bad_link.error_code == "bad_link"
    custom = send(organization, credential_id, custom_template={"object_type": "text", "text": "raw", "link": {}})
    assert custom.status == "success", custom.error
    assert kakao.memos == [{"object_type": "text", "text": "raw", "link": {}}]  # nothing else was sent


def test_an_expired_token_is_renewed_once_and_a_revoked_grant_asks_to_reconnect(admin, organization, kakao):
    credential_id = connect(admin, organization, kakao)
    kakao.expire_access_tokens()  # Kakao says -401 although the token's time has not come
    renewed = send(organization, credential_id, text="hello")
    assert renewed.status == "success", renewed.error
    assert kakao.oauth.token_requests[-1]["grant_type"] == "refresh_token"
    assert [r["path"] for r in kakao.requests[-3:]] == ["/v2/api/talk/memo/default/send", "/oauth/token", "/v2/api/talk/memo/default/send"]

    kakao.expire_access_tokens()
    kakao.oauth.revoke_refresh_tokens()
    failed = send(organization, credential_id, text="hello")
    assert failed.status == "failed" and failed.error_code == "credential_reconnect", failed.error
    assert Credential.objects.get(pk=credential_id).status == "needs_reconnect"


def test_kakao_errors_are_said_in_words_with_what_to_do(admin, organization, kakao):
    credential_id = connect(admin, organization, kakao)
    kakao.granted_scopes = set()
    scopes = send(organization, credential_id, text="hello")
    assert scopes.status == "failed" and scopes.error_code == "kakao_insufficient_scopes"
    assert "-402" in scopes.error and "talk_message" in scopes.error and "Reconnect" in scopes.error
    with translation.override("ko"):
        korean = engine_error_text(scopes.error, scopes.error_args)
    assert "-402" in korean and "다시 연결" in korean

    kakao.granted_scopes = {"talk_message"}
    kakao.talk_user = False
    not_talk = send(organization, credential_id, text="hello")
    assert not_talk.error_code == "kakao_not_talk_user" and "-501" in not_talk.error

    kakao.talk_user = True
    kakao.next_answers.append((429, {"Retry-After": "0"}, {"msg": "API limit has been exceeded.", "code": -10}))
    waited = send(organization, credential_id, text="after a pause")
    assert waited.status == "success", waited.error  # Kakao asked for no pause: the call was repeated once
    kakao.next_answers.append((429, {"Retry-After": "120"}, {"msg": "API limit has been exceeded.", "code": -10}))
    quota = send(organization, credential_id, text="hello")
    assert quota.status == "failed" and quota.error_code == "kakao_quota" and "-10" in quota.error


def test_test_connection_uses_kakaos_token_info(admin, organization, kakao):
    credential_id = connect(admin, organization, kakao)
    tested = admin.post(f"/api/v1/credentials/{credential_id}/test", {}, content_type="application/json").json()
    assert tested["ok"] is True, tested
    assert kakao.path_requests("/v1/user/access_token_info")


@pytest.fixture
def kakaowork(base_urls):
    with FakeKakaoWork() as fake:
        base_urls(kakaowork=fake.url(""))
        yield fake


def test_kakaowork_bot_messages_to_a_person_and_a_chat(organization, owner, kakaowork):
    bot = credential(organization, owner, "kakaowork_bot", {"app_key": FakeKakaoWork.APP_KEY})
    to_person = run_step(organization, "kakaowork.send_message", credential=str(bot.pk), email="minji@company.example", text="결재 요청")
    assert to_person.status == "success", to_person.error
    assert to_person.last_items[0]["kakaowork"] == {"sent": True, "message_id": "msg-1", "conversation_id": 777}
    request = kakaowork.requests[-1]
    assert request["path"] == "/v1/messages.send_by_email" and request["headers"]["Authorization"] == f"Bearer {FakeKakaoWork.APP_KEY}"
    assert json.loads(request["body"]) == {"email": "minji@company.example", "text": "결재 요청"}

    to_chat = run_step(
        organization,
        "kakaowork.send_message",
        credential=str(bot.pk),
        recipient="conversation",
        conversation_id="1234567",
        text="배포 완료",
    )
    assert to_chat.status == "success", to_chat.error
    assert json.loads(kakaowork.requests[-1]["body"]) == {"conversation_id": "1234567", "text": "배포 완료"}

    unknown = run_step(organization, "kakaowork.send_message", credential=str(bot.pk), email="nobody@company.example", text="x")
    assert unknown.error_code == "kakaowork_not_found" and "user_not_found" in unknown.error
    wrong = credential(organization, owner, "kakaowork_bot", {"app_key": "wrong"}, name="Wrong")
    refused = run_step(organization, "kakaowork.send_message", credential=str(wrong.pk), email="minji@company.example", text="x")
    assert refused.error_code == "kakaowork_unauthorized" and "App Key" in refused.error


def test_a_successful_step_records_the_last_use_of_its_credential_at_most_once_a_minute(organization, owner, kakaowork):
    bot = credential(organization, owner, "kakaowork_bot", {"app_key": FakeKakaoWork.APP_KEY})
    failed = run_step(organization, "kakaowork.send_message", credential=str(bot.pk), email="nobody@company.example", text="x")
    assert failed.status == "failed"
    bot.refresh_from_db()
    assert bot.last_used_at is None  # a failed step is not a successful use
    assert (
        run_step(organization, "kakaowork.send_message", credential=str(bot.pk), email="minji@company.example", text="x").status
        == "success"
    )
    bot.refresh_from_db()
    first = bot.last_used_at
    assert first is not None
    time.sleep(0.01)
    assert (
        run_step(organization, "kakaowork.send_message", credential=str(bot.pk), email="minji@company.example", text="x").status
        == "success"
    )
    bot.refresh_from_db()
    assert bot.last_used_at == first  # written at most once a minute
