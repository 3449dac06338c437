import zoneinfo

from django.conf import settings
from django.db.models import QuerySet

from apps.accounts.models import ApiToken, Invitation, Membership, Organization, User


def membership_get(*, user: User, organization: Organization, active_only: bool = True) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = Membership.objects.filter(user=user, organization=organization)
    if active_only:
        memberships = memberships.filter(is_active=True)
    return memberships.first()


def member_list(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("created_at")


def pending_invitation_list(*, organization: Organization) -> QuerySet[Invitation]:
    from django.utils import timezone

    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user, memberships__is_active=True, status=Organization.Status.ACTIVE).order_by(
        "name"
    )


def api_token_list(*, user: User, organization: Organization) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, organization=organization, revoked_at__isnull=True)


def organization_zone(organization) -> zoneinfo.ZoneInfo:
    """The zone an organization's pages, emails and editor show times in (the platform default for the public site
    or an unknown zone name)."""
    name = organization.time_zone if organization is not None else settings.EZFLOW_DEFAULT_TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.EZFLOW_DEFAULT_TIME_ZONE)
