from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.errors import NotAllowed, field_errors
from apps.accounts.events import membership_revoked
from apps.accounts.models import Membership
from apps.accounts.roles import Role, can_manage_members
from apps.core.events import send_on_commit


def membership_update(*, actor: Membership, membership: Membership, role: str | None = None, is_active: bool | None = None) -> Membership:
    """Change a member's role or (de)activate them. Owners are changed only by owners; one owner always remains."""
    if not can_manage_members(actor.role):
        raise NotAllowed(_("Only admins and owners can manage members."))
    if membership.organization_id != actor.organization_id:
        raise NotAllowed(_("This person is not a member of your organization."))
    if role is not None and role not in Role.values:
        raise field_errors({"role": [_("Choose one of the roles: owner, admin, editor, viewer.")]})
    touches_owner = membership.role == Role.OWNER or role == Role.OWNER
    if touches_owner and actor.role != Role.OWNER:
        raise NotAllowed(_("Only an owner can change an owner or make someone an owner."))

    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        new_role = role if role is not None else locked.role
        new_active = is_active if is_active is not None else locked.is_active
        loses_owner = locked.role == Role.OWNER and locked.is_active and (new_role != Role.OWNER or not new_active)
        if loses_owner:
            other_owners = (
                Membership.objects.select_for_update()
                .filter(organization_id=locked.organization_id, role=Role.OWNER, is_active=True)
                .exclude(pk=locked.pk)
            )
            if not other_owners.exists():
                raise field_errors({"role": [_("An organization needs at least one active owner. Make someone else an owner first.")]})
        locked.role, locked.is_active = new_role, new_active
        locked.save(update_fields=["role", "is_active", "updated_at"])
        if not new_active:
            send_on_commit(membership_revoked, schema=locked.organization.schema_name, user_id=locked.user_id)
    return locked
