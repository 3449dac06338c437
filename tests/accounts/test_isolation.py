"""A member of organization A must find nothing of organization B: pages, API objects, admin."""

import pytest

from apps.accounts.models import Invitation, Membership
from apps.accounts.roles import Role
from apps.accounts.services.invitations import invitation_create


@pytest.fixture
def a_and_b(data):
    a = data.create_organization(slug="iso-a")
    b = data.create_organization(slug="iso-b")
    b_owner = Membership.objects.get(organization=b, role=Role.OWNER)
    invitation = invitation_create(actor=b_owner, email="pending@b.example", role=Role.VIEWER)
    return a, b, data.owner_of(a), b_owner, invitation


PAGES = ["/", "/members/", "/settings/tokens/", "/admin/", "/admin/accounts/membership/", "/admin/accounts/invitation/"]


def test_a_session_is_404_everywhere_on_b(data, a_and_b):
    a, b, a_owner, b_owner, invitation = a_and_b
    client = data.client_for(a, a_owner)
    assert client.get("/").status_code == 200
    client.defaults["HTTP_HOST"] = b.host
    for path in [
        *PAGES,
        f"/admin/accounts/membership/{b_owner.pk}/change/",
        "/api/v1/me",
        "/api/v1/members",
        f"/api/v1/members/{b_owner.pk}",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"iso-b" not in response.content and b_owner.user.email.encode() not in response.content, path
    assert client.post(f"/members/{b_owner.pk}/", {"role": "viewer"}).status_code == 404
    assert client.post(f"/invitations/{invitation.pk}/cancel/").status_code == 404
    b_owner.refresh_from_db()
    assert b_owner.role == Role.OWNER
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_a_member_of_both_cannot_carry_a_session_across_hosts(data, a_and_b):
    a, b, a_owner, _b_owner, _invitation = a_and_b
    data.create_member(b, user=a_owner, role=Role.ADMIN)
    client = data.client_for(a, a_owner)
    client.defaults["HTTP_HOST"] = b.host
    assert client.get("/").status_code == 404


def test_a_token_is_refused_on_b(data, a_and_b):
    a, b, a_owner, b_owner, _invitation = a_and_b
    token = data.create_token(a, a_owner)
    assert data.api_client(a, token).get("/api/v1/me").status_code == 200
    on_b = data.api_client(b, token)
    for path in ["/api/v1/me", "/api/v1/members", f"/api/v1/members/{b_owner.pk}", "/api/v1/tokens"]:
        response = on_b.get(path)
        assert response.status_code == 401, path
        assert b_owner.user.email not in response.content.decode()


def test_api_objects_of_b_are_404_from_a(data, a_and_b):
    a, b, a_owner, b_owner, invitation = a_and_b
    client = data.api_client(a, data.create_token(a, a_owner))
    assert client.get(f"/api/v1/members/{b_owner.pk}").status_code == 404
    assert client.patch(f"/api/v1/members/{b_owner.pk}", {"role": "viewer"}, content_type="application/json").status_code == 404
    assert client.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 404
    b_token = data.create_token(b, b_owner.user)
    b_token_id = b_owner.user.api_tokens.get(organization=b).pk
    assert client.delete(f"/api/v1/tokens/{b_token_id}").status_code == 404
    assert data.api_client(b, b_token).get("/api/v1/me").status_code == 200
    assert b_owner.user.email not in client.get("/api/v1/members").content.decode()


def test_a_non_member_cannot_sign_in_on_b(data, a_and_b):
    from tests.support.data import PASSWORD

    a, b, a_owner, _b_owner, _invitation = a_and_b
    client = data.client_for(b)
    response = client.post("/login/", {"email": a_owner.email, "password": PASSWORD})
    assert response.status_code == 401
    assert "not a member" in response.content.decode()
    assert client.get("/").status_code == 302


def test_public_host_session_is_not_honoured_on_organizations(data, a_and_b):
    a, _b, a_owner, _b_owner, _invitation = a_and_b
    staff = data.create_user(is_staff=True, is_superuser=True)
    client = data.client_for(None, staff)
    assert client.get("/admin/").status_code == 200
    client.defaults["HTTP_HOST"] = a.host
    assert client.get("/").status_code == 404
    assert client.get("/admin/").status_code == 404


def test_unknown_organization_host_is_404(data):
    from django.test import Client

    assert Client(HTTP_HOST="nobody-here.localhost").get("/").status_code == 404
