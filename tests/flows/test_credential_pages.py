"""The Credentials page: state, "Test connection" and "Connect" in Korean and English; admins only act."""

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

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
        page = owner.get("/credentials/").content.decode()
        assert "My http_bearer" in page and 'data-testid="test-connection"' in page and 'data-testid="connect"' not in page
        shown = owner.post(f"/credentials/{credential_id}/test/", {"url": server.url("/me")}, follow=True).content.decode()
        assert "My http_bearer: The server accepted the credential (200 OK)." in shown
        korean = owner.post(f"/credentials/{credential_id}/test/", {"url": server.url("/me")}, follow=True, HTTP_ACCEPT_LANGUAGE="ko")
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
        page = owner.get("/credentials/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert "연결 안 됨" in page and ">연결</button>" in page and "/oauth2/callback/" in page
        to_provider = owner.post(f"/credentials/{credential_id}/connect/")
        assert to_provider.status_code == 302 and to_provider["Location"].startswith(provider.url("/authorize?"))
        assert parse_qs(urlsplit(to_provider["Location"]).query)["code_challenge_method"] == ["S256"]
        back = urlsplit(httpx2.get(to_provider["Location"]).headers["location"])
        done = owner.get(f"{back.path}?{back.query}", follow=True).content.decode()
        assert "“My oauth2” is connected." in done and 'data-status="connected"' in done and "Reconnect" in done


def test_people_who_are_not_admins_see_the_state_but_cannot_act(data, organization, owner):
    credential_id = create(owner, "http_bearer", {"token": "t"})
    editor = data.client_for(organization, data.create_member(organization, role="editor").user)
    page = editor.get("/credentials/").content.decode()
    assert "My http_bearer" in page and "test-connection" not in page
    refused = editor.post(f"/credentials/{credential_id}/test/", {"url": "https://x.example/"}, follow=True).content.decode()
    assert "Only admins can test and connect credentials." in refused
    assert "Only admins" in editor.post(f"/credentials/{credential_id}/connect/", follow=True).content.decode()
