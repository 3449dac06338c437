import pytest

from apps.accounts.models import Invitation, Membership, Organization
from apps.accounts.roles import Role


@pytest.fixture
def organization(data):
    return data.create_organization(slug="adm-co")


def test_owner_and_admin_open_the_organization_admin(data, organization):
    for role in (Role.OWNER, Role.ADMIN):
        user = data.owner_of(organization) if role == Role.OWNER else data.create_member(organization, role=role).user
        client = data.client_for(organization, user)
        index = client.get("/admin/")
        assert index.status_code == 200
        assert "Adm-Co administration" in index.content.decode()
        assert client.get("/admin/accounts/membership/").status_code == 200


def test_editor_gets_a_clear_refusal_and_anonymous_is_sent_to_sign_in(data, organization):
    editor = data.create_member(organization, role=Role.EDITOR)
    refused = data.client_for(organization, editor.user).get("/admin/", follow=True)
    assert refused.status_code == 403
    assert "Only admins and owners" in refused.content.decode()
    anonymous = data.client_for(organization).get("/admin/", follow=False)
    assert anonymous.status_code == 302
    assert "/login/" in data.client_for(organization).get(anonymous["Location"], follow=False)["Location"]


def test_admin_lists_only_this_organizations_members(data, organization):
    other = data.create_organization(slug="adm-other")
    stranger = data.owner_of(other)
    html = data.client_for(organization, data.owner_of(organization)).get("/admin/accounts/membership/").content.decode()
    assert data.owner_of(organization).email in html
    assert stranger.email not in html
    stranger_membership = Membership.objects.get(organization=other)
    assert data.client_for(organization, data.owner_of(organization)).get(
        f"/admin/accounts/membership/{stranger_membership.pk}/change/"
    ).status_code in (302, 404)


def test_admin_changes_a_role_and_cannot_break_the_owner_rule(data, organization):
    owner_membership = Membership.objects.get(organization=organization, role=Role.OWNER)
    editor = data.create_member(organization, role=Role.EDITOR)
    client = data.client_for(organization, owner_membership.user)
    client.post(f"/admin/accounts/membership/{editor.pk}/change/", {"role": "viewer", "is_active": "on"})
    editor.refresh_from_db()
    assert editor.role == Role.VIEWER
    response = client.post(f"/admin/accounts/membership/{owner_membership.pk}/change/", {"role": "editor", "is_active": "on"}, follow=True)
    assert "at least one active owner" in response.content.decode()
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_admin_invites_by_email(data, organization):
    client = data.client_for(organization, data.owner_of(organization))
    response = client.post("/admin/accounts/invitation/add/", {"email": "adm-invite@example.com", "role": "editor"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(organization=organization, email="adm-invite@example.com")
    assert invitation.role == Role.EDITOR and invitation.is_pending
    bad = client.post("/admin/accounts/invitation/add/", {"email": "nope", "role": "editor"})
    assert bad.status_code == 200 and "valid email" in bad.content.decode()


def test_platform_staff_suspend_an_organization_keeping_its_data(data, organization):
    owner = data.owner_of(organization)
    token = data.create_token(organization, owner)
    member_client = data.client_for(organization, owner)
    staff = data.create_user(is_staff=True, is_superuser=True)
    platform = data.client_for(None, staff)
    assert platform.get("/admin/accounts/organization/").status_code == 200
    response = platform.post("/admin/accounts/organization/", {"action": "suspend", "_selected_action": [organization.pk]}, follow=True)
    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.is_suspended

    page = member_client.get("/")
    assert page.status_code == 403
    assert 'data-testid="suspended-title"' in page.content.decode()
    api = data.api_client(organization, token).get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["code"] == "organization_suspended"
    assert Membership.objects.filter(organization=organization).count() == 1

    platform.post("/admin/accounts/organization/", {"action": "reactivate", "_selected_action": [organization.pk]})
    assert member_client.get("/").status_code == 200
    assert data.api_client(organization, token).get("/api/v1/me").status_code == 200


def test_organization_members_are_not_platform_staff(data, organization):
    owner = data.owner_of(organization)
    client = data.client_for(None, owner)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Organization.objects.get(pk=organization.pk).is_suspended


def test_platform_admin_is_fully_translated_including_sign_in_attempts(data):
    """django-axes ships no Korean: its labels (“Access attempts”, the “Axes” heading) come from our catalogue."""
    staff = data.create_user(is_staff=True, is_superuser=True)
    platform = data.client_for(None, staff)
    index = platform.get("/admin/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "접근 시도" in index and "접근 기록" in index and "로그인 보호" in index
    for english in ("Access attempts", "Access logs", "Access failures", ">Axes<"):
        assert english not in index, english
    attempts = platform.get("/admin/axes/accessattempt/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "잠김" in attempts and "Locked Out" not in attempts and "access attempt" not in attempts.lower()


def test_platform_admin_start_page_has_no_inline_style_block(data):
    """The page's Content-Security-Policy blocks inline <style> (django-tenants' index had one): colours come from a file."""
    staff = data.create_user(is_staff=True, is_superuser=True)
    index = data.client_for(None, staff).get("/admin/").content.decode()
    assert "<style" not in index
    assert "/static/css/admin.css" in index and "/static/admin/css/dashboard.css" in index
    assert "tenant-app" in index or "module" in index  # still the django-tenants page with its app list
