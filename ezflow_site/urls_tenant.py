"""URLs of an organization's host, <slug>.localhost."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from apps.accounts.admin import organization_admin_site
from apps.core.graphql.view import RootGraphQLView
from apps.flows.editor import flow_editor
from apps.flows.page_urls import pwa_urlpatterns
from apps.flows.page_urls import urlpatterns as flow_page_urlpatterns
from apps.runs.flow_pages import flow_urlpatterns as run_flow_page_urlpatterns
from ezflow_site.urls_common import common_urlpatterns, handlers

urlpatterns = [
    path("", include("apps.accounts.urls")),
    path("admin/", organization_admin_site.urls),
    # The editor's code field (CodeMirror) adds <style> elements; until it is given the page's nonce
    # (EditorView.cspNonce), this page allows inline style elements. Scripts stay 'self' only.
    path("flows/<int:flow_id>/edit/", csp_update({"style-src": [UNSAFE_INLINE]})(flow_editor), name="flow-editor"),
    path("", include("apps.notifications.urls")),
    path("flows/", include((flow_page_urlpatterns + run_flow_page_urlpatterns, "flow_pages"))),
    path("", include("apps.connectors.urls")),
    path("", include("apps.connectors.openapi.page_urls")),
    *pwa_urlpatterns,
    path("marketplace/", include(("apps.marketplace.page_urls", "marketplace"))),
    path("", include("apps.runs.urls")),
    path("", include("apps.files.urls")),
    path("api/v1/", include("apps.accounts.api.urls")),
    path("api/v1/", include("apps.flows.api.urls")),
    path("api/v1/", include("apps.runs.api.urls")),
    path("api/v1/", include("apps.files.api.urls")),
    path("api/v1/", include("apps.notifications.api.urls")),
    path("api/v1/", include("apps.connectors.api.urls")),
    path("api/v1/", include("apps.assistant.api.urls")),
    path("assistant/", include(("apps.assistant.page_urls", "assistant"))),
    # Swagger UI's start-up script comes from its own URL (no inline script); its page has one <style> block.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("graphql/", RootGraphQLView.as_view(), name="graphql"),
    *common_urlpatterns,
]

globals().update(handlers)
