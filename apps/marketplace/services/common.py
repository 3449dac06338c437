"""Checks shared by the marketplace services: roles, rate limits, semantic versions."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.roles import Role, role_at_least
from apps.marketplace.errors import MarketplaceError

SEMVER = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$")


def require_role(membership, minimum: str = Role.EDITOR) -> None:
    if membership is None or not membership.is_active:
        raise MarketplaceError(_("Sign in as a member of an organization to do this."), code="not_signed_in", status=401)
    if not role_at_least(membership.role, minimum):
        raise MarketplaceError(_("Your role in this organization does not allow this."), code="permission_denied", status=403)


def require_author(membership, template) -> None:
    require_role(membership, Role.EDITOR)
    if template.author_organization_id != membership.organization_id:
        raise MarketplaceError(_("Only the organization that published this template can change it."), code="permission_denied", status=403)


def require_person(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise MarketplaceError(_("Sign in to do this."), code="not_signed_in", status=401)


def require_staff(user) -> None:
    if user is None or not user.is_authenticated or not user.is_staff:
        raise MarketplaceError(_("Only platform moderators can do this."), code="permission_denied", status=403)


def check_rate(queryset, *, field: str, limit_setting: str, default: int) -> None:
    """Refuses when the person already did this `limit` times in the window (rows counted in the database)."""
    limit = getattr(settings, limit_setting, default)
    window = timedelta(seconds=getattr(settings, "EZFLOW_MARKETPLACE_RATE_WINDOW_SECONDS", 600))
    if queryset.filter(**{field + "__gte": timezone.now() - window}).count() >= limit:
        minutes = max(1, int(window.total_seconds() // 60))
        raise MarketplaceError(
            _("You are doing this too often. Please wait %(minutes)s minutes and try again.") % {"minutes": minutes},
            code="rate_limited",
            status=429,
        )


def parse_version(text: str) -> tuple[int, int, int]:
    match = SEMVER.match((text or "").strip())
    if not match:
        raise MarketplaceError(_("Write the version as three numbers, like 1.0.0 or 1.2.3."), code="invalid_version", field="version")
    return int(match[1]), int(match[2]), int(match[3])
