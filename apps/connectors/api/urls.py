from django.urls import path

from apps.connectors.api import views

app_name = "connectors_api"

urlpatterns = [
    path("connectors/openapi", views.OpenApiConnectorListApi.as_view(), name="openapi-connectors"),
    path("connectors/openapi/<int:pk>", views.OpenApiConnectorDetailApi.as_view(), name="openapi-connector"),
]
