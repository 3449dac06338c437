from django.conf import settings

from apps.accounts.models.organization import site_url


def ezflow(request):
    tenant = getattr(request, "tenant", None)
    organization = tenant if tenant is not None and not tenant.is_public else None
    return {
        "organization": organization,
        "membership": getattr(request, "membership", None),
        "public_url": site_url(settings.EZFLOW_BASE_DOMAIN),
    }
