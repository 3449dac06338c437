from django.urls import path

from apps.files import views

app_name = "files"

urlpatterns = [
    path("files/<str:token>", views.file_download, name="download"),
    path("files/<str:token>/preview", views.file_preview_image, name="preview"),
]
