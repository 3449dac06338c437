import zoneinfo
from functools import cache

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.errors import NotAllowed, field_errors
from apps.accounts.events import organization_suspended
from apps.accounts.models import Membership, Organization
from apps.accounts.roles import Role, role_at_least
from apps.core.events import send_on_commit
from apps.core.network_policy import policy


@cache
def time_zone_names() -> list[str]:
    return sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))


def _host_entries(entries) -> list[str]:
    """Entries the platform's network policy lets an organization allow; the first one it refuses is named."""
    import ipaddress
    import re

    if not isinstance(entries, list) or len(entries) > 50:
        raise field_errors({"allowed_internal_hosts": [_("Give at most 50 host names, IP addresses or ranges.")]})
    platform = policy()
    cleaned = []
    for raw in entries:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?", entry):
                raise field_errors(
                    {"allowed_internal_hosts": [_("“%(entry)s” is not a host name, IP address or range.") % {"entry": entry}]}
                )
        if problem := platform.entry_problem(entry):
            raise field_errors({"allowed_internal_hosts": [problem]})
        cleaned.append(entry)
    return cleaned


def organization_update(
    *,
    actor: Membership,
    name: str | None = None,
    time_zone: str | None = None,
    allowed_internal_hosts: list | None = None,
    run_retention_days: int | None = None,
    run_retention_count: int | None = None,
) -> Organization:
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
    if run_retention_days is not None and not 1 <= run_retention_days <= 3650:
        problems["run_retention_days"] = [_("Keep runs between 1 and 3650 days.")]
    if run_retention_count is not None and not 10 <= run_retention_count <= 1_000_000:
        problems["run_retention_count"] = [_("Keep between 10 and 1,000,000 runs.")]
    if any(problems.values()):
        raise field_errors(problems)
    organization = actor.organization
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        if name is not None:
            locked.name = name
        if time_zone is not None:
            locked.time_zone = time_zone
        if allowed_internal_hosts is not None:
            locked.allowed_internal_hosts = _host_entries(allowed_internal_hosts)
        if run_retention_days is not None:
            locked.run_retention_days = run_retention_days
        if run_retention_count is not None:
            locked.run_retention_count = run_retention_count
        locked.save(update_fields=["name", "time_zone", "allowed_internal_hosts", "run_retention_days", "run_retention_count"])
    return locked


@transaction.atomic
def organization_suspend(*, organization: Organization, reason: str = "") -> Organization:
    """Blocks the organization's site and API; nothing is deleted."""
    organization.status = Organization.Status.SUSPENDED
    organization.suspended_reason = reason[:200]
    organization.save(update_fields=["status", "suspended_reason"])
    # Open sockets close too, in whichever process holds them.
    send_on_commit(organization_suspended, schema=organization.schema_name)
    return organization


@transaction.atomic
def organization_reactivate(*, organization: Organization) -> Organization:
    organization.status = Organization.Status.ACTIVE
    organization.suspended_reason = ""
    organization.save(update_fields=["status", "suspended_reason"])
    return organization
