from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts.errors import InvalidLink, NotAllowed, field_errors
from apps.accounts.models import Invitation, Membership, Organization, User
from apps.accounts.models.organization import site_url
from apps.accounts.roles import Role, can_manage_members

SALT = "ezflow.accounts.invitation"


def invitation_url(invitation: Invitation) -> str:
    token = signing.dumps({"i": invitation.pk, "o": invitation.organization_id}, salt=SALT)
    return site_url(invitation.organization.host, f"/invite/{token}/")


def _check_may_grant(actor: Membership, role: str) -> None:
    if not can_manage_members(actor.role):
        raise NotAllowed(_("Only admins and owners can manage members."))
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise NotAllowed(_("Only an owner can make someone an owner."))


def invitation_check(*, actor: Membership, email: str, role: str) -> str:
    """Every reason this invitation cannot be sent, raised at once; returns the normalised email."""
    email = (email or "").strip().lower()
    problems: dict[str, list] = {"email": [], "role": []}
    try:
        validate_email(email)
    except ValidationError:
        problems["email"].append(_("Enter a valid email address, like name@company.com."))
    if role not in Role.values:
        problems["role"].append(_("Choose one of the roles: owner, admin, editor, viewer."))
    if any(problems.values()):
        raise field_errors(problems)
    _check_may_grant(actor, role)
    organization = actor.organization
    if Membership.objects.filter(organization=organization, user__email__iexact=email, is_active=True).exists():
        raise field_errors({"email": [_("%(email)s is already a member.") % {"email": email}]})
    return email


def invitation_create(*, actor: Membership, email: str, role: str) -> Invitation:
    from apps.accounts.tasks import send_invitation_email

    email = invitation_check(actor=actor, email=email, role=role)
    organization = actor.organization

    with transaction.atomic():
        now = timezone.now()
        # A new invitation replaces any earlier pending one for the same address.
        Invitation.objects.filter(organization=organization, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            invited_by=actor.user,
            expires_at=now + settings.EZFLOW_INVITATION_MAX_AGE,
        )
        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, get_language() or ""))
    return invitation


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    _check_may_grant(actor, invitation.role)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def invitation_resolve(*, token: str, organization: Organization) -> Invitation:
    """The pending invitation behind a link, or a clear reason why the link cannot be used."""
    max_age = settings.EZFLOW_INVITATION_MAX_AGE.total_seconds()
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(_("This invitation has expired. Ask your administrator to send a new one."), code="expired") from None
    except signing.BadSignature:
        raise InvalidLink(_("This invitation link is not valid. Check that you copied the whole link.")) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=data.get("i"), organization=organization).first()
    if invitation is None:
        raise InvalidLink(_("This invitation link is not valid. Check that you copied the whole link."))
    if invitation.accepted_at is not None:
        raise InvalidLink(_("This invitation has already been used. Sign in instead."), code="used")
    if invitation.revoked_at is not None:
        raise InvalidLink(_("This invitation was cancelled. Ask your administrator to send a new one."), code="revoked")
    if invitation.expires_at <= timezone.now():
        raise InvalidLink(_("This invitation has expired. Ask your administrator to send a new one."), code="expired")
    return invitation


def invitation_accept(*, invitation: Invitation, password: str, name: str = "", language: str = "") -> User:
    """Join the organization: with the existing account's password, or by creating the account."""
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None:
        if not user.is_active or not user.check_password(password):
            raise field_errors({"password": [_("The password is not correct for %(email)s.") % {"email": invitation.email}]})
    else:
        candidate = User(email=invitation.email, name=name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise field_errors({"password": list(exc.messages)}) from None

    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise InvalidLink(_("This invitation has already been used. Sign in instead."), code="used")
        if user is None:
            user = User.objects.create_user(email=invitation.email, password=password, name=name.strip(), language=language)
        Membership.objects.update_or_create(
            user=user, organization=invitation.organization, defaults={"role": invitation.role, "is_active": True}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return user
