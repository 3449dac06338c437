import zoneinfo
from functools import cache

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.errors import NotAllowed, field_errors
from apps.accounts.models import Membership, Organization
from apps.accounts.roles import Role, role_at_least


@cache
def time_zone_names() -> list[str]:
    return sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))


def organization_update(*, actor: Membership, name: str | None = None, time_zone: str | None = None) -> Organization:
    """Admins and owners rename the organization or change the time zone its times are shown in."""
    if not role_at_least(actor.role, Role.ADMIN):
        raise NotAllowed(_("Only admins and owners can change the organization's settings."))
    problems: dict[str, list] = {"name": [], "time_zone": []}
    if name is not None:
        name = name.strip()
        if not name or len(name) > 100:
            problems["name"].append(_("Enter your organization's name (up to 100 characters)."))
    if time_zone is not None and time_zone not in time_zone_names():
        problems["time_zone"].append(_("Choose a time zone from the list, like Asia/Seoul."))
    if any(problems.values()):
        raise field_errors(problems)
    organization = actor.organization
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        if name is not None:
            locked.name = name
        if time_zone is not None:
            locked.time_zone = time_zone
        locked.save(update_fields=["name", "time_zone"])
    return locked


@transaction.atomic
def organization_suspend(*, organization: Organization, reason: str = "") -> Organization:
    """Blocks the organization's site and API; nothing is deleted."""
    organization.status = Organization.Status.SUSPENDED
    organization.suspended_reason = reason[:200]
    organization.save(update_fields=["status", "suspended_reason"])
    return organization


@transaction.atomic
def organization_reactivate(*, organization: Organization) -> Organization:
    organization.status = Organization.Status.ACTIVE
    organization.suspended_reason = ""
    organization.save(update_fields=["status", "suspended_reason"])
    return organization
