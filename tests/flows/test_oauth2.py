"""OAuth2 end to end against a local provider: connect (authorize → callback), tokens stored encrypted, the HTTP step
sends the Bearer token, refresh before expiry, and "needs reconnect" when the provider refuses the refresh."""

import time
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from django.db import connection

from apps.core import crypto
from apps.flows.credential_kinds.oauth2 import TOKENS
from apps.flows.host import FlowHost
from apps.flows.models import Credential
from tests.flows.engine.helpers import edge, node, run
from tests.support.fake_oauth2 import FakeOAuth2Provider

START = node("start", "trigger.manual", "Start")


@pytest.fixture
def provider():
    with FakeOAuth2Provider() as fake:
        yield fake


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]  # the fake provider; flows may not call loopback otherwise
    organization.save()
    return organization


@pytest.fixture
def admin(data, organization):
    return data.client_for(organization, data.owner_of(organization))


def oauth2_data(provider, **changes) -> dict:
    return {
        "authorization_url": provider.url("/authorize"),
        "token_url": provider.url("/token"),
        "scopes": "read write",
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        **changes,
    }


def create(admin, provider, **changes) -> int:
    created = admin.post(
        "/api/v1/credentials", {"name": "CRM", "type": "oauth2", "data": oauth2_data(provider, **changes)}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "not_connected"
    return created.json()["id"]


def start(client, credential_id) -> str:
    """The browser's trip: our sign-in address → the provider → back to our callback address (returned)."""
    answer = client.post(f"/api/v1/credentials/{credential_id}/oauth2/authorize")
    assert answer.status_code == 200, answer.content
    provider_answer = httpx2.get(answer.json()["authorization_url"], follow_redirects=False)
    assert provider_answer.status_code == 302
    return provider_answer.headers["location"]


def finish(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == "/oauth2/callback/"
    return client.get(f"{parts.path}?{parts.query}")


def stored(organization, credential_id) -> Credential:
    connection.set_tenant(organization)
    return Credential.objects.get(pk=credential_id)


def call_api(organization, credential_id, provider):
    connection.set_tenant(organization)
    step = node("http", "net.http", "Call", url=provider.url("/api/me"), authentication="oauth2", credential=str(credential_id))
    result, _ = run([START, step], [edge("start", "http")], [{}], host=FlowHost(organization=organization))
    return result


def as_if_an_hour_passed(organization, credential_id, provider):
    credential = stored(organization, credential_id)
    data = crypto.decrypt(credential.encrypted_data)
    data[TOKENS]["expires_at"] = int(time.time()) - 1
    credential.encrypted_data = crypto.encrypt(data)
    credential.save()
    provider.expire_access_tokens()


def test_connect_use_refresh_and_reconnect(admin, organization, provider):
    credential_id = create(admin, provider)
    callback = start(admin, credential_id)
    query = parse_qs(urlsplit(callback).query)
    authorize_request = provider.codes[query["code"][0]]
    assert authorize_request["challenge"] and authorize_request["scope"] == "read write"
    done = finish(admin, callback)
    assert done.status_code == 302 and done["Location"] == "/connections/"
    exchange = provider.token_requests[-1]
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    assert exchange["code_verifier"] not in callback  # PKCE: the verifier never travelled through the browser

    credential = stored(organization, credential_id)
    assert credential.status == "connected"
    tokens = crypto.decrypt(credential.encrypted_data)[TOKENS]
    first_token = tokens["access_token"]
    assert first_token in provider.access_tokens and tokens["refresh_token"] and tokens["expires_at"] > time.time() + 3000
    assert first_token not in credential.encrypted_data and tokens["refresh_token"] not in credential.encrypted_data
    for path in ("/api/v1/credentials", f"/api/v1/credentials/{credential_id}", "/api/v1/credentials/types", "/connections/"):
        page = admin.get(path).content.decode()
        assert first_token not in page and tokens["refresh_token"] not in page and provider.client_secret not in page

    # The HTTP step sends the Bearer token; a token that is still fresh is not refreshed.
    used = call_api(organization, credential_id, provider)
    assert used.status == "success", used.error
    assert used.last_items[0]["body"] == {"user": "kim@example.com"}
    assert provider.api_requests[-1]["token"] == first_token and len(provider.token_requests) == 1

    # Near expiry: refreshed before the call, the new tokens stored (the provider rotates the refresh token).
    as_if_an_hour_passed(organization, credential_id, provider)
    refreshed = call_api(organization, credential_id, provider)
    assert refreshed.status == "success", refreshed.error
    assert provider.token_requests[-1]["grant_type"] == "refresh_token"
    new_tokens = crypto.decrypt(stored(organization, credential_id).encrypted_data)[TOKENS]
    assert new_tokens["access_token"] != first_token and provider.api_requests[-1]["token"] == new_tokens["access_token"]
    assert new_tokens["refresh_token"] != tokens["refresh_token"]

    # The provider revokes the grant: the refresh is refused, the step fails clearly, the credential asks to reconnect.
    provider.revoke_refresh_tokens()
    as_if_an_hour_passed(organization, credential_id, provider)
    failed = call_api(organization, credential_id, provider)
    assert failed.status == "failed" and failed.error_code == "credential_reconnect"
    assert "must be reconnected" in failed.error and "invalid_grant" in failed.error
    credential = stored(organization, credential_id)
    assert credential.status == "needs_reconnect" and credential.status_reason == "invalid_grant"
    assert TOKENS not in crypto.decrypt(credential.encrypted_data)
    listed = admin.get(f"/api/v1/credentials/{credential_id}").json()
    assert listed["status"] == "needs_reconnect" and "Reconnect" in listed["status_message"]
    korean = admin.get(f"/api/v1/credentials/{credential_id}", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert "다시 연결" in korean["status_message"]
    page = admin.get("/connections/").content.decode()
    assert 'data-status="needs_reconnect"' in page and "Reconnect" in page
    requests_before = len(provider.token_requests)
    again = call_api(organization, credential_id, provider)
    assert again.error_code == "credential_reconnect" and len(provider.token_requests) == requests_before  # no retry storm

    # Reconnecting signs in again and the step works.
    assert finish(admin, start(admin, credential_id)).status_code == 302
    assert stored(organization, credential_id).status == "connected"
    assert call_api(organization, credential_id, provider).status == "success"


def test_a_provider_that_cannot_be_reached_keeps_the_tokens(admin, organization, provider):
    credential_id = create(admin, provider)
    finish(admin, start(admin, credential_id))
    as_if_an_hour_passed(organization, credential_id, provider)
    provider.httpd.shutdown()
    provider.httpd.server_close()
    failed = call_api(organization, credential_id, provider)
    assert failed.status == "failed" and failed.error_code == "credential_refresh_failed"
    credential = stored(organization, credential_id)
    assert credential.status == "connected" and crypto.decrypt(credential.encrypted_data)[TOKENS]["refresh_token"]


def test_the_state_is_single_use_and_bound_to_the_organization_and_the_person(data, admin, organization, provider):
    credential_id = create(admin, provider)
    callback = start(admin, credential_id)
    # The same person, admin of another organization: a state from this organization does not complete there.
    other = data.create_organization()
    person = data.owner_of(organization)
    data.create_member(other, role="admin", user=person)
    elsewhere = finish(data.client_for(other, person), callback)
    assert elsewhere.status_code == 403 and "another organization" in elsewhere.content.decode()
    # Another admin of this organization cannot finish someone else's sign-in.
    colleague = data.create_member(organization, role="admin").user
    refused = finish(data.client_for(organization, colleague), callback)
    assert refused.status_code == 403 and "someone else" in refused.content.decode()
    assert stored(organization, credential_id).status == "not_connected"
    # The person who started it can, once.
    assert finish(admin, callback).status_code == 302
    replay = finish(admin, callback)
    assert replay.status_code == 400 and "already used" in replay.content.decode()
    forged = admin.get("/oauth2/callback/?code=x&state=forged")
    assert forged.status_code == 400 and "not valid" in forged.content.decode()


def test_an_expired_state_and_a_refused_consent_are_clear_errors(admin, organization, provider, monkeypatch):
    credential_id = create(admin, provider)
    callback = start(admin, credential_id)
    monkeypatch.setattr("apps.flows.services.oauth2.STATE_MAX_AGE_SECONDS", -1)
    late = finish(admin, callback)
    assert late.status_code == 400 and "took too long" in late.content.decode()
    monkeypatch.undo()
    provider.deny = True
    denied = finish(admin, start(admin, credential_id))
    assert denied.status_code == 400 and "access_denied" in denied.content.decode()
    assert stored(organization, credential_id).status == "not_connected"


def test_a_wrong_client_secret_is_refused_by_the_provider_with_invalid_client(admin, organization, provider):
    credential_id = create(admin, provider, client_secret="wrong")
    refused = finish(admin, start(admin, credential_id))
    assert refused.status_code == 400 and "invalid_client" in refused.content.decode()
    assert stored(organization, credential_id).status == "not_connected"


def test_the_platform_client_is_used_when_the_organization_has_none(admin, organization, provider, settings):
    settings.EZFLOW_OAUTH_CLIENTS = {"oauth2": {"client_id": provider.client_id, "client_secret": provider.client_secret}}
    types = {t["key"]: t for t in admin.get("/api/v1/credentials/types").json()}
    assert types["oauth2"]["platform_client"] is True
    assert {f["name"]: f["required"] for f in types["oauth2"]["fields"]}["client_secret"] is False
    credential_id = create(admin, provider, client_id="", client_secret="")
    assert finish(admin, start(admin, credential_id)).status_code == 302
    assert stored(organization, credential_id).status == "connected"


def test_changing_the_settings_disconnects_and_tokens_cannot_be_typed_in(admin, organization, provider):
    credential_id = create(admin, provider)
    finish(admin, start(admin, credential_id))
    typed = admin.patch(f"/api/v1/credentials/{credential_id}", {"data": {TOKENS: {"access_token": "x"}}}, content_type="application/json")
    assert typed.status_code == 400
    assert admin.patch(f"/api/v1/credentials/{credential_id}", {"name": "CRM 2"}, content_type="application/json").status_code == 200
    assert stored(organization, credential_id).status == "connected"  # a new name keeps the connection
    admin.patch(f"/api/v1/credentials/{credential_id}", {"data": {"scopes": "read"}}, content_type="application/json")
    credential = stored(organization, credential_id)
    assert credential.status == "not_connected" and TOKENS not in crypto.decrypt(credential.encrypted_data)


def test_only_admins_connect_and_only_oauth2_kinds(data, admin, organization, provider):
    credential_id = create(admin, provider)
    editor = data.editor_api(organization, role="editor")
    assert editor.post(f"/api/v1/credentials/{credential_id}/oauth2/authorize").status_code == 403
    bearer = admin.post(
        "/api/v1/credentials", {"name": "B", "type": "http_bearer", "data": {"token": "t"}}, content_type="application/json"
    ).json()
    refused = admin.post(f"/api/v1/credentials/{bearer['id']}/oauth2/authorize")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_oauth2"


def test_test_connection_uses_a_fresh_token_and_reports_a_refused_refresh(admin, organization, provider):
    credential_id = create(admin, provider, test_url=provider.url("/api/me"))
    not_yet = admin.post(f"/api/v1/credentials/{credential_id}/test", {}, content_type="application/json").json()
    assert not_yet["ok"] is False and "not connected yet" in not_yet["message"]
    finish(admin, start(admin, credential_id))
    assert admin.post(f"/api/v1/credentials/{credential_id}/test", {}, content_type="application/json").json() == {
        "ok": True,
        "message": "The server accepted the credential (200 OK).",
    }
    as_if_an_hour_passed(organization, credential_id, provider)
    refreshed = admin.post(f"/api/v1/credentials/{credential_id}/test", {}, content_type="application/json").json()
    assert refreshed["ok"] is True and provider.token_requests[-1]["grant_type"] == "refresh_token"
    provider.revoke_refresh_tokens()
    as_if_an_hour_passed(organization, credential_id, provider)
    refused = admin.post(f"/api/v1/credentials/{credential_id}/test", {}, content_type="application/json").json()
    assert refused["ok"] is False and "must be reconnected" in refused["message"]
    assert stored(organization, credential_id).status == "needs_reconnect"


def test_addresses_must_be_web_addresses_and_the_token_call_goes_through_the_guard(admin, organization, provider):
    refused = admin.post(
        "/api/v1/credentials",
        {"name": "X", "type": "oauth2", "data": oauth2_data(provider, authorization_url="javascript:alert(1)")},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "Authorization address" in refused.json()["error"]["fields"]["data"][0]["message"]
    credential_id = create(admin, provider)
    callback = start(admin, credential_id)
    organization.allowed_internal_hosts = []  # the provider is now an internal address flows may not call
    organization.save()
    blocked = finish(admin, callback)
    assert blocked.status_code == 400 and "Could not reach the service" in blocked.content.decode()
    assert "internal address" in blocked.content.decode() and provider.token_requests == []
