from django.urls import path

from apps.flows import credential_pages

app_name = "credential_pages"

urlpatterns = [
    path("credentials/", credential_pages.credential_list_page, name="list"),
    path("credentials/<int:pk>/test/", credential_pages.credential_test_page, name="test"),
    path("credentials/<int:pk>/connect/", credential_pages.credential_connect_page, name="connect"),
    path("oauth2/callback/", credential_pages.oauth2_callback, name="oauth2-callback"),
]
