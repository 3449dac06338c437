"""URLs of an organization's host, <slug>.localhost."""

from django.urls import include, path

from apps.accounts.admin import organization_admin_site
from ezflow_site.urls_common import common_urlpatterns, handlers

urlpatterns = [
    path("", include("apps.accounts.urls")),
    path("admin/", organization_admin_site.urls),
    path("api/v1/", include("apps.accounts.api.urls")),
    *common_urlpatterns,
]

globals().update(handlers)
