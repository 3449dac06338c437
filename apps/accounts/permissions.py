from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts.roles import Role, role_at_least


def request_membership(request):
    return getattr(request._request, "membership", None) if hasattr(request, "_request") else getattr(request, "membership", None)


class IsOrganizationMember(BasePermission):
    message = _("You are not a member of this organization.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request_membership(request) is not None)


def role_required(minimum: str, *, safe_methods_for_members: bool = False):
    """A permission class: members with at least `minimum` role (reads open to every member if asked)."""

    class HasRole(IsOrganizationMember):
        message = _("Your role in this organization does not allow this.")

        def has_permission(self, request, view):
            if not super().has_permission(request, view):
                self.message = IsOrganizationMember.message
                return False
            if safe_methods_for_members and request.method in SAFE_METHODS:
                return True
            return role_at_least(request_membership(request).role, minimum)

    HasRole.__name__ = f"HasRole_{minimum}"
    return HasRole


IsEditor = role_required(Role.EDITOR)
MembersReadAdminsWrite = role_required(Role.ADMIN, safe_methods_for_members=True)
