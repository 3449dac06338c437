"""URLs of an organization's host, <slug>.localhost."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from apps.accounts.admin import organization_admin_site
from apps.flows.editor import flow_editor
from apps.flows.page_urls import pwa_urlpatterns
from apps.flows.views import webhook
from apps.marketplace.graphql.view import MarketplaceGraphQLView
from ezflow_site.urls_common import common_urlpatterns, handlers

urlpatterns = [
    path("", include("apps.accounts.urls")),
    path("admin/", organization_admin_site.urls),
    path("flows/<int:flow_id>/edit/", flow_editor, name="flow-editor"),
    path("", include("apps.notifications.urls")),
    path("flows/", include("apps.flows.page_urls")),
    path("", include("apps.flows.credential_page_urls")),
    *pwa_urlpatterns,
    path("marketplace/", include(("apps.marketplace.page_urls", "marketplace"))),
    path("", include("apps.runs.urls")),
    re_path(r"^webhook/(?P<token>[A-Za-z0-9_-]{16,64})/?$", webhook, name="webhook"),
    path("api/v1/", include("apps.accounts.api.urls")),
    path("api/v1/", include("apps.flows.api.urls")),
    path("api/v1/", include("apps.runs.api.urls")),
    path("api/v1/", include("apps.notifications.api.urls")),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("graphql/", MarketplaceGraphQLView.as_view(), name="graphql"),
    *common_urlpatterns,
]

globals().update(handlers)
