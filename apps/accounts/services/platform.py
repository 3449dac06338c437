from django.conf import settings
from django.db import transaction

from apps.accounts.models import Domain, Membership, Organization, User
from apps.accounts.roles import Role

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.ezflow.localhost"


@transaction.atomic
def public_site_ensure() -> Organization:
    """The public schema's organization row and the host names that reach the public site."""
    public, _ = Organization.objects.get_or_create(schema_name=settings.PUBLIC_SCHEMA_NAME, defaults={"name": "EZFlow", "slug": "public"})
    for host in (settings.EZFLOW_BASE_DOMAIN, "127.0.0.1"):
        Domain.objects.update_or_create(domain=host, defaults={"tenant": public, "is_primary": host == settings.EZFLOW_BASE_DOMAIN})
    return public


def demo_organization_ensure(*, password: str) -> tuple[Organization, User, bool]:
    """Idempotent: creates the demo organization and its owner only when missing."""
    from apps.accounts.services.signup import organization_signup

    organization = Organization.objects.filter(slug=DEMO_SLUG).first()
    if organization is None:
        result = organization_signup(organization_name="EZFlow Demo", slug=DEMO_SLUG, email=DEMO_EMAIL, password=password)
        return result.organization, result.user, True
    user = User.objects.get(email=DEMO_EMAIL)
    Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": Role.OWNER})
    return organization, user, False
