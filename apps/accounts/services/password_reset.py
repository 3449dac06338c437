"""“Forgot your password?”: an emailed link that sets a new password, valid for PASSWORD_RESET_TIMEOUT and only once.

- The answer is the same whether or not an account exists (no enumeration): the email is sent by a task after
  commit, so the request takes the same time either way, and the rate limits count addresses asked for, not accounts.
- The link leads back to the host the request came from: on an organization's host only its active members get one
  (that is where they sign in); on the public site any account does.
- Django's PasswordResetTokenGenerator signs the user's current password hash and last sign-in into the token, so a
  link stops working once the password changes (single use) or the time runs out.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts.errors import AccountsError
from apps.accounts.models import Membership, Organization, PasswordResetRequest, User
from apps.accounts.models.organization import site_url

WINDOW = timedelta(hours=1)


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _check_rate(*, email_hash: str, ip: str | None) -> None:
    since = timezone.now() - WINDOW
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    too_many = recent.filter(email_hash=email_hash).count() >= settings.EZFLOW_PASSWORD_RESET_PER_EMAIL or (
        ip is not None and recent.filter(ip_address=ip).count() >= settings.EZFLOW_PASSWORD_RESET_PER_IP
    )
    if too_many:
        raise AccountsError(_("Too many password reset requests. Please wait an hour, then try again."), code="rate_limited", status=429)


def _account_for(email: str, organization: Organization | None) -> User | None:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    if organization is not None and not Membership.objects.filter(user=user, organization=organization, is_active=True).exists():
        return None
    return user


def password_reset_request(*, email: str, organization: Organization | None, ip: str | None) -> None:
    """Records the request and, if the address belongs to an account that signs in here, emails it a link."""
    from apps.accounts.tasks import send_password_reset_email

    email_hash = _email_hash(email)
    with transaction.atomic():
        _check_rate(email_hash=email_hash, ip=ip)
        PasswordResetRequest.objects.create(email_hash=email_hash, ip_address=ip)
        PasswordResetRequest.objects.filter(created_at__lt=timezone.now() - 2 * WINDOW).delete()
        user = _account_for(email, organization)
        if user is not None:
            host = organization.host if organization is not None else settings.EZFLOW_BASE_DOMAIN
            language = get_language() or ""
            transaction.on_commit(lambda: send_password_reset_email.delay(user.pk, host, language))


def password_reset_link(*, user: User, host: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return site_url(host, f"/password-reset/{uid}/{default_token_generator.make_token(user)}/")


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The account the link is for, if the link is still valid (not expired, not used)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_confirm(*, user: User, password: str) -> User:
    """Sets the new password (which ends the account's other sessions and makes the link unusable)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
