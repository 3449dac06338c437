from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from apps.accounts.views import change_language

handlers = {
    "handler400": "apps.core.views.bad_request",
    "handler403": "apps.core.views.permission_denied",
    "handler404": "apps.core.views.not_found",
    "handler500": "apps.core.views.server_error",
}

common_urlpatterns = [
    path("i18n/setlang/", change_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
