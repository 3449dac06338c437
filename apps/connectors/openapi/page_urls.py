from django.urls import path

from apps.connectors.openapi import pages

app_name = "connector_pages"

urlpatterns = [
    path("connectors/api/", pages.connector_list_page, name="list"),
    path("connectors/api/<int:pk>/", pages.connector_detail_page, name="detail"),
    path("connectors/api/<int:pk>/delete/", pages.connector_delete_page, name="delete"),
]
