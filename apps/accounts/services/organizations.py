from django.db import transaction

from apps.accounts.models import Organization


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
