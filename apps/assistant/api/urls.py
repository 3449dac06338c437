from django.urls import path

from apps.assistant.api import views

app_name = "assistant_api"

urlpatterns = [
    path("assistant/draft", views.DraftApi.as_view(), name="draft"),
    path("assistant/flows/<int:flow_id>/conversation", views.ConversationApi.as_view(), name="conversation"),
    path("assistant/flows/<int:flow_id>/conversation/turns/<int:turn_id>/state", views.TurnStateApi.as_view(), name="turn-state"),
]
