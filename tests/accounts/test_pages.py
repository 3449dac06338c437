import re

import pytest
from django.test import Client

from apps.accounts.models import Membership, Organization
from apps.accounts.roles import Role
from apps.accounts.services.invitations import invitation_create, invitation_url
from tests.support.data import PASSWORD


def test_signup_page_creates_and_redirects_to_the_organization_host(data):
    client = data.client_for(None)
    assert client.get("/signup/").status_code == 200
    response = client.post("/signup/", {"organization": "Page Co", "slug": "page-co", "email": "p@page.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("http://page-co.localhost:8000/auth/handoff/?token=")
    org_client = data.client_for(Organization.objects.get(slug="page-co"))
    dashboard = org_client.get(response["Location"].replace("http://page-co.localhost:8000", ""), follow=True)
    assert dashboard.status_code == 200
    assert "Welcome to Page Co" in dashboard.content.decode()


def test_signup_page_shows_field_errors_and_keeps_input(data):
    response = data.client_for(None).post("/signup/", {"organization": "Keep Me", "slug": "admin", "email": "bad", "password": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-slug"' in html and 'data-testid="error-email"' in html and 'data-testid="error-password"' in html
    assert 'value="Keep Me"' in html
    assert not Organization.objects.filter(name="Keep Me").exists()


def test_member_login_logout_and_next(data):
    organization = data.create_organization(slug="login-co")
    owner = data.owner_of(organization)
    client = data.client_for(organization)
    assert client.get("/members/")["Location"] == "/login/?next=/members/"
    response = client.post("/login/?next=/members/", {"email": owner.email.upper(), "password": PASSWORD, "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get("/members/").status_code == 200
    client.post("/logout/")
    assert client.get("/members/").status_code == 302


def test_open_redirects_are_ignored(data):
    organization = data.create_organization(slug="redirect-co")
    client = data.client_for(organization)
    response = client.post("/login/", {"email": data.owner_of(organization).email, "password": PASSWORD, "next": "http://evil.example/"})
    assert response["Location"] == "/"


def test_lockout_after_repeated_wrong_passwords(data, settings):
    organization = data.create_organization(slug="lock-co")
    owner = data.owner_of(organization)
    client = data.client_for(organization)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/login/", {"email": owner.email, "password": "wrong-password"}).status_code == 401
    locked = client.post("/login/", {"email": owner.email, "password": "wrong-password"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # even the right password is refused while locked, on pages and on the API
    assert client.post("/login/", {"email": owner.email, "password": PASSWORD}).status_code == 429
    api = client.post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 429 and api.json()["error"]["code"] == "locked_out"
    # another person is not affected
    other = data.create_member(organization, role=Role.VIEWER)
    assert client.post("/login/", {"email": other.user.email, "password": PASSWORD}).status_code == 302


def test_deactivated_member_is_signed_out(data):
    organization = data.create_organization(slug="deact-co")
    member = data.create_member(organization, role=Role.EDITOR)
    client = data.client_for(organization, member.user)
    assert client.get("/").status_code == 200
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    assert client.get("/").status_code == 302
    assert client.post("/login/", {"email": member.user.email, "password": PASSWORD}).status_code == 401


def test_invite_from_members_page_and_accept_in_the_browser_flow(data, mailbox, eager_tasks, django_capture_on_commit_callbacks):
    organization = data.create_organization(slug="flow-co")
    owner_client = data.client_for(organization, data.owner_of(organization))
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/members/", {"email": "joiner@flow.example", "role": "viewer"})
    assert response.status_code == 302
    link = re.search(r"http://flow-co\.localhost:8000(/invite/[^/\s]+/)", mailbox[0].body).group(1)
    guest = Client(HTTP_HOST=organization.host)
    page = guest.get(link)
    assert page.status_code == 200 and "joiner@flow.example" in page.content.decode()
    weak = guest.post(link, {"name": "Joiner", "password": "123"})
    assert weak.status_code == 400 and 'data-testid="error-password"' in weak.content.decode()
    joined = guest.post(link, {"name": "Joiner", "password": "joiner-passphrase-99"})
    assert joined.status_code == 302 and joined["Location"] == "/"
    assert guest.get("/").status_code == 200
    assert Membership.objects.get(organization=organization, user__email="joiner@flow.example").role == Role.VIEWER
    reused = Client(HTTP_HOST=organization.host).get(link)
    assert reused.status_code == 400 and "already been used" in reused.content.decode()


def test_editor_sees_members_but_cannot_invite(data):
    organization = data.create_organization(slug="editor-co")
    editor = data.create_member(organization, role=Role.EDITOR)
    client = data.client_for(organization, editor.user)
    page = client.get("/members/")
    assert page.status_code == 200 and 'data-testid="invite-form"' not in page.content.decode()
    client.post("/members/", {"email": "x@example.com", "role": "viewer"})
    assert not organization.invitations.exists()


def test_members_page_changes_roles_and_shows_refusals(data):
    organization = data.create_organization(slug="roles-co")
    owner = Membership.objects.get(organization=organization, role=Role.OWNER)
    editor = data.create_member(organization, role=Role.EDITOR)
    client = data.client_for(organization, owner.user)
    client.post(f"/members/{editor.pk}/", {"role": "admin"})
    editor.refresh_from_db()
    assert editor.role == Role.ADMIN
    page = client.post(f"/members/{owner.pk}/", {"is_active": "0"}, follow=True)
    assert "at least one active owner" in page.content.decode()
    owner.refresh_from_db()
    assert owner.is_active


def test_tokens_page_shows_the_token_once(data):
    organization = data.create_organization(slug="tokpage-co")
    client = data.client_for(organization, data.owner_of(organization))
    created = client.post("/settings/tokens/", {"name": "nightly"}).content.decode()
    token = re.search(r'value="(ezf_[^"]+)"', created).group(1)
    assert token not in client.get("/settings/tokens/").content.decode()
    assert data.api_client(organization, token).get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_public_pages_render(db, host):
    client = Client(HTTP_HOST=host)
    assert client.get("/").status_code == 200
    assert client.get("/signup/").status_code == 200
    assert client.get("/login/").status_code == 200


def test_public_sign_in_lists_organizations_with_one_time_links(data):
    first = data.create_organization(slug="multi-one")
    owner = data.owner_of(first)
    second = data.create_organization(slug="multi-two")
    data.create_member(second, user=owner, role=Role.VIEWER)
    page = data.client_for(None).post("/login/", {"email": owner.email, "password": PASSWORD}).content.decode()
    assert "multi-one.localhost:8000/auth/handoff/" in page and "multi-two.localhost:8000/auth/handoff/" in page
    wrong = data.client_for(None).post("/login/", {"email": owner.email, "password": "nope"})
    assert wrong.status_code == 401


def test_organization_times_use_its_time_zone(data):
    organization = data.create_organization(slug="tz-co")
    Organization.objects.filter(pk=organization.pk).update(time_zone="America/New_York")
    organization.refresh_from_db()
    client = data.client_for(organization, data.owner_of(organization))
    html = client.get("/").content.decode()
    shown = re.search(r'data-testid="created-at">([^<]+)<', html).group(1)
    from zoneinfo import ZoneInfo

    assert shown == organization.created_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")


def test_invitation_for_existing_account_asks_for_password_only(data):
    organization = data.create_organization(slug="exist-co")
    person = data.create_user(email="exists@example.com")
    invitation = invitation_create(
        actor=Membership.objects.get(organization=organization, role=Role.OWNER), email=person.email, role=Role.EDITOR
    )
    link = invitation_url(invitation).split(":8000", 1)[1]
    client = Client(HTTP_HOST=organization.host)
    assert 'name="name"' not in client.get(link).content.decode()
    assert client.post(link, {"password": "wrong-one-entirely"}).status_code == 400
    assert client.post(link, {"password": PASSWORD}).status_code == 302
