from django.urls import path

from apps.files.api import views

app_name = "files_api"

urlpatterns = [
    path("files/links", views.FileLinksApi.as_view(), name="file-links"),
]
