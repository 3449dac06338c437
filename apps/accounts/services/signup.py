import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.errors import field_errors
from apps.accounts.models import Domain, Membership, Organization, User
from apps.accounts.models.organization import schema_name_for_slug
from apps.accounts.roles import Role
from apps.accounts.services.handoff import handoff_url

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


@dataclass(frozen=True)
class SignupResult:
    organization: Organization
    user: User
    login_url: str


def slug_problems(slug: str) -> list[str]:
    if not 3 <= len(slug) <= 30:
        return [_("The address must be 3 to 30 characters long.")]
    if not SLUG_RE.match(slug) or "--" in slug:
        return [_("Use only lowercase letters (a-z), digits and single hyphens, starting and ending with a letter or digit.")]
    if slug in settings.EZFLOW_RESERVED_SLUGS:
        return [_("“%(slug)s” is reserved. Please choose another address.") % {"slug": slug}]
    if Organization.objects.filter(slug=slug).exists():
        return [_("The address “%(slug)s” is already taken.") % {"slug": slug}]
    return []


def _email_problems(email: str) -> list[str]:
    try:
        validate_email(email)
    except ValidationError:
        return [_("Enter a valid email address, like name@company.com.")]
    return []


def _password_problems(email: str, password: str) -> list[str]:
    existing = User.objects.filter(email__iexact=email).first() if email else None
    if existing is not None:
        if not existing.check_password(password):
            return [_("An account with this email already exists. Enter its password to add a new organization.")]
        return []
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def organization_signup(*, organization_name: str, slug: str, email: str, password: str, language: str = "") -> SignupResult:
    """Create an organization with its own schema and make the person its owner.

    Everything is checked first and reported at once; creation is one transaction, so a failure
    (including a slug taken by a concurrent sign-up) leaves no partial organization behind.
    """
    organization_name = (organization_name or "").strip()
    slug = (slug or "").strip().lower()
    email = (email or "").strip().lower()
    password = password or ""

    errors = {
        "organization": []
        if organization_name and len(organization_name) <= 100
        else [_("Enter your organization's name (up to 100 characters).")],
        "slug": slug_problems(slug),
        "email": _email_problems(email),
    }
    errors["password"] = _password_problems("" if errors["email"] else email, password)
    if any(errors.values()):
        raise field_errors(errors)

    try:
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=password, language=language)
            organization = Organization(schema_name=schema_name_for_slug(slug), name=organization_name, slug=slug)
            organization.save(verbosity=0)
            Domain.objects.create(domain=organization.host, tenant=organization, is_primary=True)
            Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    except IntegrityError:
        raise field_errors({"slug": [_("The address “%(slug)s” is already taken.") % {"slug": slug}]}) from None
    return SignupResult(organization=organization, user=user, login_url=handoff_url(user=user, organization=organization))
