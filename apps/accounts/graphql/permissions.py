from django.utils.translation import gettext as _

from apps.accounts.middleware import current_organization
from apps.accounts.roles import Role, role_at_least
from apps.core.graphql.errors import MutationRefused
from apps.core.graphql.mutations import Permission


class Member(Permission):
    """Signed-in members of the host's organization with at least `minimum` role; the caller is their membership."""

    def __init__(self, minimum: str = Role.VIEWER):
        self.minimum = minimum

    def check(self, info):
        membership = getattr(info.context, "membership", None)
        if membership is None or current_organization(info.context) is None:
            raise MutationRefused(_("Sign in to your organization to do this."), code="not_signed_in")
        if not role_at_least(membership.role, self.minimum):
            raise MutationRefused(_("Your role in this organization does not allow this."), code="permission_denied")
        return membership
