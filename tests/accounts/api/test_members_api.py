import pytest

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from tests.support.data import PASSWORD


@pytest.fixture
def organization(data):
    return data.create_organization(slug="api-co")


def test_token_login_then_me_with_bearer(data, organization):
    owner = data.owner_of(organization)
    client = data.client_for(organization)
    response = client.post(
        "/api/v1/auth/token", {"email": owner.email, "password": PASSWORD, "name": "ci"}, content_type="application/json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("ezf_")
    me = data.api_client(organization, token).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["person"]["email"] == owner.email
    assert me.json()["role"] == "owner"
    assert me.json()["organization"]["slug"] == "api-co"


def test_token_login_wrong_password_and_non_member(data, organization):
    client = data.client_for(organization)
    wrong = client.post(
        "/api/v1/auth/token", {"email": data.owner_of(organization).email, "password": "nope"}, content_type="application/json"
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    outsider = data.create_user()
    refused = client.post("/api/v1/auth/token", {"email": outsider.email, "password": PASSWORD}, content_type="application/json")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_a_member"


def test_anonymous_and_bad_tokens_get_401(data, organization):
    assert data.client_for(organization).get("/api/v1/me").status_code == 401
    bad = data.api_client(organization, "ezf_abc_def").get("/api/v1/me")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "authentication_failed"


def test_members_list_and_admin_changes_role(data, organization):
    owner = data.owner_of(organization)
    editor = data.create_member(organization, role=Role.EDITOR)
    client = data.api_client(organization, data.create_token(organization, owner))
    listing = client.get("/api/v1/members")
    assert listing.status_code == 200
    emails = {m["person"]["email"] for m in listing.json()}
    assert emails == {owner.email, editor.user.email}
    changed = client.patch(f"/api/v1/members/{editor.pk}", {"role": "viewer"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    bad = client.patch(f"/api/v1/members/{editor.pk}", {"role": "emperor"}, content_type="application/json")
    assert bad.status_code == 400 and "role" in bad.json()["error"]["fields"]


def test_viewer_reads_members_but_cannot_change_or_invite(data, organization):
    viewer = data.create_member(organization, role=Role.VIEWER)
    editor = data.create_member(organization, role=Role.EDITOR)
    client = data.api_client(organization, data.create_token(organization, viewer.user))
    assert client.get("/api/v1/members").status_code == 200
    assert client.patch(f"/api/v1/members/{editor.pk}", {"role": "viewer"}, content_type="application/json").status_code == 403
    invite = client.post("/api/v1/invitations", {"email": "x@example.com", "role": "viewer"}, content_type="application/json")
    assert invite.status_code == 403
    assert invite.json()["error"]["code"] == "permission_denied"


def test_last_owner_demotion_is_a_400_with_a_message(data, organization):
    owner = data.owner_of(organization)
    membership = Membership.objects.get(user=owner, organization=organization)
    client = data.api_client(organization, data.create_token(organization, owner))
    response = client.patch(f"/api/v1/members/{membership.pk}", {"role": "admin"}, content_type="application/json")
    assert response.status_code == 400
    assert "owner" in response.json()["error"]["fields"]["role"][0]["message"]


def test_invitations_api(data, organization, eager_tasks, mailbox, django_capture_on_commit_callbacks):
    client = data.api_client(organization, data.create_token(organization, data.owner_of(organization)))
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/invitations", {"email": "new@example.com", "role": "editor"}, content_type="application/json")
    assert created.status_code == 201
    assert len(mailbox) == 1
    assert [i["email"] for i in client.get("/api/v1/invitations").json()] == ["new@example.com"]
    assert client.delete(f"/api/v1/invitations/{created.json()['id']}").status_code == 204
    assert client.get("/api/v1/invitations").json() == []
    invalid = client.post("/api/v1/invitations", {"email": "nope", "role": "editor"}, content_type="application/json")
    assert invalid.status_code == 400 and "email" in invalid.json()["error"]["fields"]


def test_tokens_api_lists_without_secrets_and_revokes(data, organization):
    owner = data.owner_of(organization)
    token = data.create_token(organization, owner)
    client = data.api_client(organization, token)
    created = client.post("/api/v1/tokens", {"name": "second"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["token"].startswith("ezf_")
    listing = client.get("/api/v1/tokens").json()
    assert {t["name"] for t in listing} == {"test", "second"}
    assert all("token" not in t and "secret_hash" not in t for t in listing)
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    assert data.api_client(organization, created.json()["token"]).get("/api/v1/me").status_code == 401


def test_session_api_calls_need_csrf(data, organization):
    from django.test import Client

    owner = data.owner_of(organization)
    client = data.client_for(organization, owner)
    strict = Client(HTTP_HOST=organization.host, enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.get("/api/v1/me").status_code == 200
    assert strict.post("/api/v1/tokens", {"name": "x"}, content_type="application/json").status_code == 403


def test_openapi_schema_is_served(data, organization):
    response = data.client_for(organization).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/members" in response.content
    for path in (b"/api/v1/flows", b"/api/v1/runs/{id}/retry", b"/api/v1/credentials", b"/api/v1/runs/stats"):
        assert path in response.content, path
    client = data.client_for(organization)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"/api/docs/?script=" in docs.content  # start-up script from a URL: allowed by the CSP
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content  # the interactive page loads the schema
