import pytest
from django.core.exceptions import ValidationError

from apps.accounts.errors import NotAllowed
from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.accounts.services.memberships import membership_update


@pytest.fixture
def organization(data):
    return data.create_organization(slug="member-co")


@pytest.fixture
def owner(organization):
    return Membership.objects.get(organization=organization, role=Role.OWNER)


def test_admin_changes_an_editor_to_viewer_and_deactivates(data, organization):
    admin = data.create_member(organization, role=Role.ADMIN)
    editor = data.create_member(organization, role=Role.EDITOR)
    assert membership_update(actor=admin, membership=editor, role=Role.VIEWER).role == Role.VIEWER
    assert membership_update(actor=admin, membership=editor, is_active=False).is_active is False


def test_editor_cannot_manage_members(data, organization):
    editor = data.create_member(organization, role=Role.EDITOR)
    viewer = data.create_member(organization, role=Role.VIEWER)
    with pytest.raises(NotAllowed):
        membership_update(actor=editor, membership=viewer, role=Role.EDITOR)
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER


def test_admin_cannot_touch_owners_or_create_them(data, organization, owner):
    admin = data.create_member(organization, role=Role.ADMIN)
    editor = data.create_member(organization, role=Role.EDITOR)
    with pytest.raises(NotAllowed):
        membership_update(actor=admin, membership=owner, is_active=False)
    with pytest.raises(NotAllowed):
        membership_update(actor=admin, membership=editor, role=Role.OWNER)


def test_the_last_owner_cannot_leave_or_be_demoted(data, organization, owner):
    with pytest.raises(ValidationError):
        membership_update(actor=owner, membership=owner, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        membership_update(actor=owner, membership=owner, is_active=False)
    second = data.create_member(organization, role=Role.OWNER)
    assert membership_update(actor=second, membership=owner, role=Role.ADMIN).role == Role.ADMIN


def test_members_of_another_organization_cannot_be_changed(data, organization, owner):
    other = data.create_organization(slug="member-other")
    stranger = data.create_member(other, role=Role.EDITOR)
    with pytest.raises(NotAllowed):
        membership_update(actor=owner, membership=stranger, role=Role.VIEWER)
