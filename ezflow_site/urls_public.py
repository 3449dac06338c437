"""URLs of the public host (landing, sign-up, platform admin, later the marketplace)."""

from django.contrib import admin
from django.urls import include, path

from apps.accounts.api.urls import public_urlpatterns as public_api
from apps.accounts.urls import public_urlpatterns as public_pages
from apps.core.graphql.view import RootGraphQLView
from apps.marketplace.page_urls import public_urlpatterns as marketplace_pages
from ezflow_site.urls_common import common_urlpatterns, handlers

urlpatterns = [
    path("", include((public_pages, "public"))),
    path("admin/", admin.site.urls),
    path("marketplace/", include((marketplace_pages, "marketplace"))),
    path("api/v1/", include((public_api, "public_api"))),
    path("graphql/", RootGraphQLView.as_view(), name="graphql"),
    *common_urlpatterns,
]

globals().update(handlers)
