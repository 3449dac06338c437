import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.errors import InvalidLink, NotAllowed
from apps.accounts.models import Invitation, Membership
from apps.accounts.roles import Role
from apps.accounts.services.invitations import invitation_accept, invitation_create, invitation_resolve, invitation_url


@pytest.fixture
def organization(data):
    return data.create_organization(slug="invite-co")


@pytest.fixture
def owner(data, organization):
    return Membership.objects.get(organization=organization, role=Role.OWNER)


def token_of(invitation: Invitation) -> str:
    return invitation_url(invitation).rstrip("/").rsplit("/", 1)[1]


def test_invitation_sends_an_email_with_a_working_link(organization, owner, mailbox, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=owner, email="New@Example.com", role=Role.VIEWER)
    assert invitation.email == "new@example.com"
    assert len(mailbox) == 1
    assert mailbox[0].to == ["new@example.com"]
    # The link in the email (signed when it was sent; a second later the signature's timestamp differs) opens it.
    (link,) = re.findall(r"http://\S+/invite/\S+/", mailbox[0].body)
    assert link.startswith(invitation_url(invitation).rsplit("/invite/", 1)[0] + "/invite/")
    assert invitation_resolve(token=link.rstrip("/").rsplit("/", 1)[1], organization=organization) == invitation


def test_new_person_accepts_by_creating_an_account(organization, owner):
    invitation = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    user = invitation_accept(invitation=invitation, password="a-strong-passphrase-1", name="New Person")
    membership = Membership.objects.get(user=user, organization=organization)
    assert membership.role == Role.VIEWER
    assert user.check_password("a-strong-passphrase-1")
    assert user.name == "New Person"


def test_existing_person_accepts_with_their_password(data, organization, owner):
    person = data.create_user(email="known@example.com")
    invitation = invitation_create(actor=owner, email="known@example.com", role=Role.EDITOR)
    with pytest.raises(ValidationError):
        invitation_accept(invitation=invitation, password="not-their-password")
    assert not Membership.objects.filter(user=person, organization=organization).exists()
    invitation_accept(invitation=invitation, password="a-long-test-passphrase-42")
    assert Membership.objects.get(user=person, organization=organization).role == Role.EDITOR


def test_weak_password_is_refused_and_the_invitation_stays_usable(organization, owner):
    invitation = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    with pytest.raises(ValidationError) as exc_info:
        invitation_accept(invitation=invitation, password="12345")
    assert exc_info.value.message_dict["password"]
    assert invitation_resolve(token=token_of(invitation), organization=organization) == invitation


def test_a_used_link_cannot_be_used_again(organization, owner):
    invitation = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    token = token_of(invitation)
    invitation_accept(invitation=invitation, password="a-strong-passphrase-1")
    with pytest.raises(InvalidLink) as exc_info:
        invitation_resolve(token=token, organization=organization)
    assert exc_info.value.code == "used"
    with pytest.raises(InvalidLink):
        invitation_accept(invitation=invitation, password="a-strong-passphrase-1")


def test_an_expired_link_is_refused(organization, owner):
    invitation = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvalidLink) as exc_info:
        invitation_resolve(token=token_of(invitation), organization=organization)
    assert exc_info.value.code == "expired"


def test_an_expired_signature_is_refused(organization, owner, settings):
    invitation = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    token = token_of(invitation)
    settings.EZFLOW_INVITATION_MAX_AGE = timedelta(seconds=-1)
    with pytest.raises(InvalidLink) as exc_info:
        invitation_resolve(token=token, organization=organization)
    assert exc_info.value.code == "expired"


def test_tampered_or_foreign_links_are_refused(data, organization, owner):
    invitation = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    token = token_of(invitation)
    with pytest.raises(InvalidLink):
        invitation_resolve(token=token[:-2] + "xx", organization=organization)
    other = data.create_organization(slug="other-co")
    with pytest.raises(InvalidLink):
        invitation_resolve(token=token, organization=other)
    forged = signing.dumps({"i": invitation.pk, "o": other.pk}, salt="wrong-salt")
    with pytest.raises(InvalidLink):
        invitation_resolve(token=forged, organization=organization)


def test_reinviting_cancels_the_older_link(organization, owner):
    first = invitation_create(actor=owner, email="new@example.com", role=Role.VIEWER)
    invitation_create(actor=owner, email="new@example.com", role=Role.EDITOR)
    with pytest.raises(InvalidLink) as exc_info:
        invitation_resolve(token=token_of(first), organization=organization)
    assert exc_info.value.code == "revoked"


def test_only_admins_invite_and_only_owners_invite_owners(data, organization):
    editor = data.create_member(organization, role=Role.EDITOR)
    admin = data.create_member(organization, role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        invitation_create(actor=editor, email="x@example.com", role=Role.VIEWER)
    with pytest.raises(NotAllowed):
        invitation_create(actor=admin, email="x@example.com", role=Role.OWNER)
    assert invitation_create(actor=admin, email="x@example.com", role=Role.ADMIN).role == Role.ADMIN


@pytest.mark.parametrize(("email", "role", "field"), [("not-an-email", Role.EDITOR, "email"), ("a@b.example", "superuser", "role")])
def test_bad_invitation_input_is_refused_per_field(owner, email, role, field):
    with pytest.raises(ValidationError) as exc_info:
        invitation_create(actor=owner, email=email, role=role)
    assert field in exc_info.value.message_dict


def test_inviting_an_active_member_is_refused(data, organization, owner):
    member = data.create_member(organization, role=Role.EDITOR)
    with pytest.raises(ValidationError) as exc_info:
        invitation_create(actor=owner, email=member.user.email, role=Role.VIEWER)
    assert "already a member" in exc_info.value.message_dict["email"][0]


def test_the_expiry_reads_the_same_in_the_email_and_on_the_members_page(
    data, organization, owner, mailbox, eager_tasks, django_capture_on_commit_callbacks
):
    """One date format everywhere (issue 17), in the organization's time zone, whatever the language."""
    import datetime as dt

    organization.time_zone = "Asia/Seoul"
    organization.save(update_fields=["time_zone"])
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=owner, email="zone@example.com", role=Role.VIEWER)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=dt.datetime(2026, 12, 15, 9, 30, tzinfo=dt.UTC))
    from apps.accounts.services.notifications import invitation_email_send

    mailbox.clear()
    assert invitation_email_send(invitation_id=invitation.pk)
    assert "2026-12-15 18:30" in mailbox[0].body  # 09:30 UTC is 18:30 in Seoul
    client = data.client_for(organization, owner.user)
    for language in ("en", "ko"):
        page = client.get("/members/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "2026-12-15 18:30" in page, language
