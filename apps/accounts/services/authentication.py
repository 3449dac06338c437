"""Checking a person's email and password, with lockout after repeated failures (django-axes)."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.errors import LockedOut, LoginFailed
from apps.accounts.models import Membership, Organization, User
from apps.accounts.selectors import membership_get


def _locked_out_error() -> LockedOut:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return LockedOut(
        ngettext(
            "Too many failed sign-in attempts. Please wait %(minutes)d minute and try again.",
            "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.",
            minutes,
        )
        % {"minutes": minutes}
    )


def credentials_check(*, request, email: str, password: str) -> User:
    """The active person with these credentials; failures count towards the lockout."""
    email = (email or "").strip().lower()
    credentials = {"username": email}
    if AxesProxyHandler.is_locked(request, credentials):
        raise _locked_out_error()
    user = authenticate(request, username=email, password=password or "")
    if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(request, credentials):
        raise _locked_out_error()
    if user is None:
        raise LoginFailed(_("The email or password is not correct."))
    return user


def member_login_check(*, request, organization: Organization, email: str, password: str) -> tuple[User, Membership]:
    user = credentials_check(request=request, email=email, password=password)
    membership = membership_get(user=user, organization=organization)
    if membership is None:
        raise LoginFailed(
            _("%(email)s is not a member of %(organization)s. Ask an administrator to invite you.")
            % {"email": user.email, "organization": organization.name},
            code="not_a_member",
        )
    return user, membership
