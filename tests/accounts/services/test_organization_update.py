import pytest
from django.core.exceptions import ValidationError

from apps.accounts.errors import NotAllowed
from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.accounts.services.organizations import organization_update


@pytest.fixture
def organization(data):
    return data.create_organization(slug="settings-co")


def test_admin_renames_and_changes_time_zone(data, organization):
    admin = data.create_member(organization, role=Role.ADMIN)
    admin.organization = organization
    updated = organization_update(actor=admin, name="  New Name ", time_zone="Europe/Berlin")
    assert (updated.name, updated.time_zone) == ("New Name", "Europe/Berlin")


def test_editor_cannot_change_settings(data, organization):
    editor = data.create_member(organization, role=Role.EDITOR)
    with pytest.raises(NotAllowed):
        organization_update(actor=editor, name="Hijacked")


def test_bad_values_are_reported_together(organization):
    owner = Membership.objects.get(organization=organization, role=Role.OWNER)
    with pytest.raises(ValidationError) as exc_info:
        organization_update(actor=owner, name=" ", time_zone="Mars/Olympus")
    assert set(exc_info.value.message_dict) == {"name", "time_zone"}
    organization.refresh_from_db()
    assert organization.name == "Settings-Co" and organization.time_zone == "Asia/Seoul"
