from django.urls import path

from apps.assistant.api import views

app_name = "assistant_api"

urlpatterns = [path("assistant/draft", views.DraftApi.as_view(), name="draft")]
