"""Membership roles and what each may do. Higher roles include everything lower roles may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Admin")
    OWNER = "owner", _("Owner")


RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2, Role.OWNER: 3}

ROLE_HELP = {
    Role.VIEWER: _("Can see flows and runs, but not change or run them."),
    Role.EDITOR: _("Can build, change and run flows."),
    Role.ADMIN: _("Can also manage members and credentials."),
    Role.OWNER: _("Can do everything in the organization, including its settings."),
}


def role_at_least(role: str, minimum: str) -> bool:
    return RANK[Role(role)] >= RANK[Role(minimum)]


def can_manage_members(role: str) -> bool:
    return role_at_least(role, Role.ADMIN)
