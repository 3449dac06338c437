"""The Connections page (formerly Credentials): state, "Test connection" and "Connect" in Korean and English; admins only act."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from django.utils import timezone

from tests.support.fake_http import FakeServer
from tests.support.fake_oauth2 import FakeOAuth2Provider


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    return organization


@pytest.fixture
def owner(data, organization):
    return data.client_for(organization, data.owner_of(organization))


def create(client, kind, values) -> int:
    answer = client.post("/api/v1/credentials", {"name": f"My {kind}", "type": kind, "data": values}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def test_test_connection_from_the_page_shows_the_answer(owner):
    with FakeServer() as server:
        server.routes["/me"] = lambda r: (200, {}, {"ok": True}) if r["headers"].get("Authorization") == "Bearer t" else (401, {}, b"")
        credential_id = create(owner, "http_bearer", {"token": "t"})
        page = owner.get("/connections/").content.decode()
        assert "My http_bearer" in page and 'data-testid="test-connection"' in page and 'data-testid="connect"' not in page
        shown = owner.post(f"/connections/{credential_id}/test/", {"url": server.url("/me")}, follow=True).content.decode()
        assert "My http_bearer: The server accepted the credential (200 OK)." in shown
        korean = owner.post(f"/connections/{credential_id}/test/", {"url": server.url("/me")}, follow=True, HTTP_ACCEPT_LANGUAGE="ko")
        assert "서버가 자격 증명을 받아들였습니다(200 OK)." in korean.content.decode()


def test_connect_from_the_page_goes_to_the_provider_and_comes_back_connected(owner):
    with FakeOAuth2Provider() as provider:
        credential_id = create(
            owner,
            "oauth2",
            {
                "authorization_url": provider.url("/authorize"),
                "token_url": provider.url("/token"),
                "client_id": provider.client_id,
                "client_secret": provider.client_secret,
            },
        )
        page = owner.get("/connections/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert "연결 안 됨" in page and ">연결</button>" in page and "/oauth2/callback/" in page
        to_provider = owner.post(f"/connections/{credential_id}/connect/")
        assert to_provider.status_code == 302 and to_provider["Location"].startswith(provider.url("/authorize?"))
        assert parse_qs(urlsplit(to_provider["Location"]).query)["code_challenge_method"] == ["S256"]
        back = urlsplit(httpx2.get(to_provider["Location"]).headers["location"])
        done = owner.get(f"{back.path}?{back.query}", follow=True).content.decode()
        assert "“My oauth2” is connected." in done and 'data-status="connected"' in done and "Reconnect" in done


def test_people_who_are_not_admins_see_the_state_but_cannot_act(data, organization, owner):
    credential_id = create(owner, "http_bearer", {"token": "t"})
    editor = data.client_for(organization, data.create_member(organization, role="editor").user)
    page = editor.get("/connections/").content.decode()
    assert "My http_bearer" in page and "test-connection" not in page
    refused = editor.post(f"/connections/{credential_id}/test/", {"url": "https://x.example/"}, follow=True).content.decode()
    assert "Only admins can test and connect credentials." in refused
    assert "Only admins" in editor.post(f"/connections/{credential_id}/connect/", follow=True).content.decode()


def test_the_page_lists_service_creator_flows_using_it_and_last_use(data, organization, owner):
    from django.db import connection

    from apps.flows.models import Credential
    from apps.flows.services.flows import flow_create, flow_publish

    naver = create(owner, "naver_developers", {"client_id": "id-123", "client_secret": "secret-456"})
    unused = create(owner, "http_bearer", {"token": "bearer-789"})
    connection.set_tenant(organization)
    step = {"id": "s", "type": "naver.search", "name": "Search", "parameters": {"credential": str(naver), "query": "x"}}
    graph = {"nodes": [{"id": "t", "type": "trigger.manual", "name": "Start", "parameters": {}}, step], "edges": []}
    news = flow_create(user=None, name="Morning news", graph=graph)
    flow_publish(flow=news, user=None)
    flow_create(user=None, name="Unrelated", graph={"nodes": [], "edges": []})

    page = owner.get("/connections/").content.decode()
    assert 'data-nav="connections"' in page and 'aria-current="page"' in page
    assert "Naver Developers application (Client ID/Secret)" in page and "My naver_developers" in page
    assert f"Added by {data.owner_of(organization).display_name}" in page
    assert f'<a href="/flows/{news.pk}/" data-testid="used-by-flow">Morning news</a>' in page and "Unrelated" not in page
    assert "No flow uses it." in page and "Not used successfully yet" in page
    assert "내 애플리케이션" not in page and "My Applications" in page  # where to find the values, in English
    for secret in ("secret-456", "bearer-789"):
        assert secret not in page
    Credential.objects.filter(pk=naver).update(last_used_at=timezone.now() - dt.timedelta(minutes=5))
    korean = owner.get("/connections/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ">연결</a>" in korean and "마지막 성공 사용: 5" in korean and "사용하는 플로우:" in korean
    assert "내 애플리케이션" in korean and unused


def test_the_former_credentials_addresses_redirect_and_keep_posts(organization, owner):
    credential_id = create(owner, "http_bearer", {"token": "t"})
    moved = owner.get("/credentials/?x=1")
    assert moved.status_code == 308 and moved["Location"] == "/connections/?x=1"
    posted = owner.post(f"/credentials/{credential_id}/test/", {"url": "https://x.example/"})
    assert posted.status_code == 308 and posted["Location"] == f"/connections/{credential_id}/test/"
