"""One-time sign-in links that carry a login from the public host to an organization's host.

Cookies are per host, so after sign-up (or the public "find my organization" login) the browser is
sent to a short-lived signed link on the organization's host, which logs the person in there once.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.accounts.errors import InvalidLink
from apps.accounts.models import LoginHandoff, Organization, User
from apps.accounts.models.organization import site_url
from apps.accounts.selectors import membership_get

SALT = "ezflow.accounts.handoff"


def handoff_url(*, user: User, organization: Organization, next_path: str = "/") -> str:
    token = signing.dumps({"u": user.pk, "o": organization.pk, "n": secrets.token_urlsafe(16)}, salt=SALT)
    return site_url(organization.host, "/auth/handoff/?" + urlencode({"token": token, "next": next_path}))


def handoff_consume(*, token: str, organization: Organization) -> User:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EZFLOW_HANDOFF_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise InvalidLink(_("This sign-in link has expired. Please sign in again."), code="expired") from None
    except signing.BadSignature:
        raise InvalidLink(_("This sign-in link is not valid.")) from None
    if data.get("o") != organization.pk:
        raise InvalidLink(_("This sign-in link is not valid."))
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or membership_get(user=user, organization=organization) is None:
        raise InvalidLink(_("This sign-in link is not valid."))
    try:
        with transaction.atomic():
            LoginHandoff.objects.create(nonce=data["n"])
    except IntegrityError:
        raise InvalidLink(_("This sign-in link has already been used. Please sign in again."), code="used") from None
    return user
